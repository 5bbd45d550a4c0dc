import pytest

from factdesk.detect.signals import (
    SIGNAL_FEATURE_NAMES,
    SIGNALS,
    describe,
    find_signals,
    signal_features,
)


def _names(text: str) -> set[str]:
    return {h.name for h in find_signals(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Unemployment fell to 3.5 percent last year.", {"number", "comparison"}),
        ("Tỷ lệ thất nghiệp giảm xuống 3,5% trong năm ngoái.", {"number", "comparison"}),
        ("Smoking causes cancer.", {"causal"}),
        ("Hút thuốc gây ra ung thư.", {"causal"}),
        ("Petrol prices will double next month.", {"prediction", "comparison"}),
        ("Giá xăng sẽ tăng gấp đôi vào tháng sau.", {"prediction", "comparison", "number"}),
        ("The new law bans motorbikes from the centre.", {"law"}),
        ("Nghị định mới cấm xe máy vào trung tâm.", {"law"}),
        ("The minister said that exams are cancelled.", {"quote"}),
        ("Bộ trưởng khẳng định kỳ thi bị hủy.", {"quote", "law"}),
        ("When I was a child my family lived in a village.", {"personal"}),
        ("Hồi nhỏ tôi sống ở quê với gia đình tôi.", {"personal"}),
    ],
)
def test_find_signals_detects_claim_types_in_english_and_vietnamese(
    text: str, expected: set[str]
) -> None:
    assert expected <= _names(text)


def test_find_signals_vietnamese_cues_need_whole_words() -> None:
    # "luật" (law) must not fire inside another word, and accents matter.
    assert "law" not in _names("Anh ấy lười biếng lắm.")


def test_find_signals_ignores_digits_inside_urls() -> None:
    assert "number" not in _names("Read this https://t.co/abc123XYZ now")


def test_find_signals_empty_for_greeting() -> None:
    assert _names("Good morning everyone!") == set()


def test_signal_features_have_fixed_length_and_names() -> None:
    for text in ("", "Giá điện tăng 50%.", "x" * 5000):
        assert len(signal_features(text)) == len(SIGNAL_FEATURE_NAMES)
    assert len(SIGNAL_FEATURE_NAMES) == 2 * len(SIGNALS) + 7


def test_describe_uses_the_reader_language() -> None:
    hits = find_signals("Giá điện tăng 50% so với năm ngoái.")
    assert "số liệu" in describe(hits, "vi")
    assert "numbers / statistics" in describe(hits, "en")
