"""Passages: whole sentences, paragraph breaks respected, offsets that point into the text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from factdesk.text.passages import split_passages

TEXT = (
    "Giá điện tăng 4,8% từ ngày 1/7. Biểu giá vẫn có sáu bậc.\n\n"
    "Hộ dùng 200 kWh mỗi tháng trả thêm khoảng 4%. Hộ nghèo vẫn được hỗ trợ."
)


def test_split_passages_paragraph_break_ends_a_passage() -> None:
    found = split_passages(TEXT, "vi")
    assert [p.text for p in found] == [
        "Giá điện tăng 4,8% từ ngày 1/7. Biểu giá vẫn có sáu bậc.",
        "Hộ dùng 200 kWh mỗi tháng trả thêm khoảng 4%. Hộ nghèo vẫn được hỗ trợ.",
    ]
    assert [p.position for p in found] == [0, 1]


def test_split_passages_groups_sentences_under_the_limit() -> None:
    text = " ".join(f"Sentence number {i} says one short thing." for i in range(30))
    found = split_passages(text, "en", max_chars=200)
    assert len(found) > 3
    assert all(len(p.text) <= 200 for p in found)
    assert all(p.text.endswith(".") and p.text[0] == "S" for p in found)  # whole sentences


def test_split_passages_cuts_one_huge_sentence_at_spaces() -> None:
    text = "word " * 500
    found = split_passages(text.strip(), "en", max_chars=100)
    assert all(len(p.text) <= 100 for p in found)
    assert " ".join(p.text for p in found) == text.strip()


def test_split_passages_empty_text_has_none() -> None:
    assert split_passages("   \n\n  ") == []


@given(st.text(alphabet=st.sampled_from(list("ab .\n!?ệ")), max_size=400))
def test_split_passages_offsets_point_into_the_text(text: str) -> None:
    last = 0
    for p in split_passages(text, max_chars=50):
        assert text[p.start : p.end] == p.text
        assert p.start >= last and p.text.strip() == p.text
        last = p.end


def test_split_passages_heading_joins_the_paragraph_it_introduces() -> None:
    text = "Masts and health\n\nRadio waves do not carry viruses.\n\nFlu spreads between people."
    found = split_passages(text, "en")
    assert [p.text for p in found] == [
        "Masts and health\n\nRadio waves do not carry viruses.",
        "Flu spreads between people.",
    ]
    assert split_passages("Only a title", "en")[0].text == "Only a title"
