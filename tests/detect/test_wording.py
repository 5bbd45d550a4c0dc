"""The wording key: case, Unicode form and white space do not make a new wording."""

from __future__ import annotations

from factdesk.detect.wording import wording_key


def test_case_spaces_and_unicode_forms_are_one_wording() -> None:
    key = wording_key("Petrol prices will rise by 10 percent.")
    assert wording_key("  petrol PRICES  will rise by 10\tpercent. ") == key
    assert wording_key("Ｐetrol prices will rise by 10 percent.") == key  # full-width P (NFKC)
    assert len(key) == 40


def test_other_words_are_another_wording() -> None:
    assert wording_key("Petrol prices will rise by 10 percent.") != wording_key(
        "Petrol prices will rise by 20 percent."
    )
    assert wording_key("Giá xăng sẽ tăng.") != wording_key("Gia xang se tang.")
