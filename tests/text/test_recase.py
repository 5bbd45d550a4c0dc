"""Shouted runs (text read off an image) come back in sentence case; nothing else moves."""

from __future__ import annotations

import pytest

from factdesk.text.recase import MIN_RUN, recase_shouting


@pytest.mark.parametrize(
    "text",
    [
        "The mayor sold the bridge.",
        "WHO says the new vaccine is safe",  # an acronym
        "This is NOT TRUE at all",  # emphasis: two shouted words
        "A B C D E",  # single letters never make a run
        "COVID-19 5G",  # numbers between letters do not add words
        "ثم قال الوزير إن الجسر بيع",  # no case: never a run
        "นายกเทศมนตรีขายสะพาน",
        "",
    ],
)
def test_text_without_a_shouted_run_is_unchanged(text: str) -> None:
    assert recase_shouting(text) == text


def test_a_shouted_run_is_written_in_sentence_case() -> None:
    assert recase_shouting("VACCINES CONTAIN MICROCHIPS") == "Vaccines contain microchips"
    assert (
        recase_shouting("THE MAYOR SOLD THE BRIDGE. SHARE BEFORE THEY DELETE IT!")
        == "The mayor sold the bridge. Share before they delete it!"
    )


def test_runs_span_lines_and_stop_at_lower_case_words() -> None:
    ocr = "MAYOR SOLD\nTHE BRIDGE TO\nA FOREIGN FIRM"
    assert recase_shouting(ocr) == "Mayor sold\nthe bridge to\na foreign firm"
    mixed = "He wrote: THE MAYOR SOLD THE BRIDGE and then NASA replied"
    assert recase_shouting(mixed) == "He wrote: The mayor sold the bridge and then NASA replied"


def test_other_scripts_with_case_are_recased() -> None:
    assert recase_shouting("CHÍNH PHỦ ĐÃ XÁC NHẬN") == "Chính phủ đã xác nhận"
    assert recase_shouting("ПРАВИТЕЛЬСТВО ПРОДАЛО МОСТ") == "Правительство продало мост"
    assert recase_shouting("İSTANBUL BELEDİYESİ YENİ KÖPRÜ") == "Istanbul belediyesi yeni köprü"
    assert recase_shouting("DER BÜRGERMEISTER HAT DIE BRÜCKE VERKAUFT") == (
        "Der bürgermeister hat die brücke verkauft"
    )


def test_the_run_length_is_the_threshold() -> None:
    words = ["MAYOR", "SOLD", "BRIDGE", "TODAY"]
    assert recase_shouting(" ".join(words[: MIN_RUN - 1])) == " ".join(words[: MIN_RUN - 1])
    assert recase_shouting(" ".join(words[:MIN_RUN])) != " ".join(words[:MIN_RUN])


def test_recasing_is_idempotent() -> None:
    once = recase_shouting("BREAKING: THE MAYOR SOLD THE BRIDGE!!! share it")
    assert recase_shouting(once) == once
