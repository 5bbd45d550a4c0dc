"""Sentence splitting: vi and en rules, social-post layout, offsets into the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factdesk.text.sentences import Sentence, split_sentences


def texts(text: str, language: str | None = None) -> list[str]:
    return [s.text for s in split_sentences(text, language)]


def test_split_sentences_offsets_point_into_original() -> None:
    text = "  Giá xăng tăng.   Giá điện giảm!\n\nAi chịu? "
    sentences = split_sentences(text, "vi")
    assert sentences == [
        Sentence("Giá xăng tăng.", 2, 16),
        Sentence("Giá điện giảm!", 19, 33),
        Sentence("Ai chịu?", 35, 43),
    ]
    for s in sentences:
        assert text[s.start : s.end] == s.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith went to Washington. Dr. Jones stayed home.",
            ["Mr. Smith went to Washington.", "Dr. Jones stayed home."],
        ),
        (
            "The U.S. economy grew 3.5% in 2023. Officials were pleased.",
            ["The U.S. economy grew 3.5% in 2023.", "Officials were pleased."],
        ),
        (
            "He lives in the U.S. The weather is mild.",
            ["He lives in the U.S.", "The weather is mild."],
        ),
        (
            "It closed at 5 p.m. The next day it reopened.",
            ["It closed at 5 p.m.", "The next day it reopened."],
        ),
        (
            "See Fig. 2 and No. 5, e.g. this one. Done.",
            ["See Fig. 2 and No. 5, e.g. this one.", "Done."],
        ),
        ("J. K. Rowling wrote it. She is British.", ["J. K. Rowling wrote it.", "She is British."]),
        ('"Stop!" he said. She left.', ['"Stop!" he said.', "She left."]),
        (
            'He said: "It is false." Then he left.',
            ['He said: "It is false."', "Then he left."],
        ),
        (
            "Wait... what happened? Nobody knows… The end.",
            ["Wait... what happened?", "Nobody knows…", "The end."],
        ),
        ("Is it true?! Yes. Really!", ["Is it true?!", "Yes.", "Really!"]),
        ("Apple vs. Microsoft went to court.", ["Apple vs. Microsoft went to court."]),
    ],
)
def test_split_sentences_english(text: str, expected: list[str]) -> None:
    assert texts(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "PGS.TS. Nguyễn Văn A cho biết giá tăng 1.000.000 đồng. Ông nói thêm về việc này.",
            ["PGS.TS. Nguyễn Văn A cho biết giá tăng 1.000.000 đồng.", "Ông nói thêm về việc này."],
        ),
        (
            "TP. HCM có khoảng 9,3 triệu dân. TP.HCM là thành phố lớn nhất.",
            ["TP. HCM có khoảng 9,3 triệu dân.", "TP.HCM là thành phố lớn nhất."],
        ),
        (
            "Trái cây, rau, v.v. đều tăng giá. Thịt, cá, v.v. Người dân lo lắng.",
            ["Trái cây, rau, v.v. đều tăng giá.", "Thịt, cá, v.v.", "Người dân lo lắng."],
        ),
        (
            "Lạm phát 3.5% trong năm 2023. Tăng trưởng đạt 5,05%.",
            ["Lạm phát 3.5% trong năm 2023.", "Tăng trưởng đạt 5,05%."],
        ),
        (
            "ThS. Lê Thị B và GS. Trần C đã phát biểu. Hội thảo kết thúc.",
            ["ThS. Lê Thị B và GS. Trần C đã phát biểu.", "Hội thảo kết thúc."],
        ),
        (
            "Sự việc xảy ra ở Q. 1 và P. Bến Nghé. Công an đã vào cuộc.",
            ["Sự việc xảy ra ở Q. 1 và P. Bến Nghé.", "Công an đã vào cuộc."],
        ),
        ("Hôm nay trời mưa.Ngày mai nắng!", ["Hôm nay trời mưa.", "Ngày mai nắng!"]),
        ("Thật không?? thật mà", ["Thật không??", "thật mà"]),
        (
            'Ông nói: "Tôi không biết." Sau đó ông rời đi.',
            ['Ông nói: "Tôi không biết."', "Sau đó ông rời đi."],
        ),
    ],
)
def test_split_sentences_vietnamese(text: str, expected: list[str]) -> None:
    assert texts(text, "vi") == expected


def test_split_sentences_social_post_lines_and_bullets() -> None:
    post = (
        "TIN KHẨN 🔥🔥\n"
        "- Giá xăng tăng mạnh từ hôm nay\n"
        "• Giá điện cũng tăng\n"
        "1. Thứ nhất là lương không tăng\n"
        "2) Thứ hai là giá thuê nhà\n"
        "\n"
        "Mọi người chia sẻ nhé 👍👍 Cảm ơn"
    )
    assert texts(post, "vi") == [
        "TIN KHẨN 🔥🔥",
        "Giá xăng tăng mạnh từ hôm nay",
        "Giá điện cũng tăng",
        "Thứ nhất là lương không tăng",
        "Thứ hai là giá thuê nhà",
        "Mọi người chia sẻ nhé 👍👍",
        "Cảm ơn",
    ]


def test_split_sentences_emoji_after_punctuation_stay_with_sentence() -> None:
    assert texts("Đẹp quá! 😍😍 Mọi người nên xem.", "vi") == [
        "Đẹp quá! 😍😍",
        "Mọi người nên xem.",
    ]


def test_split_sentences_wrapped_lines_are_joined() -> None:
    text = "Đây là một câu bị ngắt\ndòng giữa chừng, và\nvẫn tiếp tục đến hết."
    assert texts(text, "vi") == [text]


def test_split_sentences_urls_and_emails_are_not_split() -> None:
    text = "Xem tại https://vnexpress.net/gia-xang.v2.html?id=1. Hoặc gửi thư tới tin.gia@example.com. Cảm ơn."
    assert texts(text) == [
        "Xem tại https://vnexpress.net/gia-xang.v2.html?id=1.",
        "Hoặc gửi thư tới tin.gia@example.com.",
        "Cảm ơn.",
    ]


def test_split_sentences_cjk_punctuation() -> None:
    assert texts("你好。我很好！谢谢") == ["你好。", "我很好！", "谢谢"]


def test_split_sentences_drops_pieces_without_letters() -> None:
    assert texts("Một.\n-----\n😀\nHai.") == ["Một.", "Hai."]


def test_split_sentences_empty_and_blank() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


def test_split_sentences_unknown_language_uses_both_lists() -> None:
    assert texts("Dr. Who và TP. HCM. Hết.", "fr") == ["Dr. Who và TP. HCM.", "Hết."]


def test_split_sentences_language_changes_abbreviations() -> None:
    # "Sen." is an English title but a Vietnamese name that can end a sentence.
    text = "Cô ấy tên là Sen. Cô ấy sống ở Huế."
    assert texts(text, "vi") == ["Cô ấy tên là Sen.", "Cô ấy sống ở Huế."]
    assert texts("Sen. Warren spoke today.", "en") == ["Sen. Warren spoke today."]


@given(st.text(), st.sampled_from(["vi", "en", None, "fr"]))
def test_split_sentences_offsets_valid_and_ordered(text: str, language: str | None) -> None:
    previous_end = 0
    for s in split_sentences(text, language):
        assert 0 <= previous_end <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text == s.text.strip()
        previous_end = s.end


_SENTENCEISH = st.lists(
    st.sampled_from(
        [
            "Mr.",
            "Dr.",
            "TP.",
            "v.v.",
            "3.5",
            "1.000",
            "U.S.",
            "!",
            "?",
            "...",
            "…",
            "\n",
            "\n\n",
            "- ",
            "1. ",
            "😀",
            '"',
            "Hà",
            "Nội",
            "the",
            "cat",
            "Giá",
            "tăng",
            " ",
            "https://a.vn/x.y",
            ".",
            "e.g.",
            "A.",
        ]
    ),
    max_size=40,
).map("".join)


@given(_SENTENCEISH, st.sampled_from(["vi", "en", None]))
def test_split_sentences_tricky_tokens_offsets_valid(text: str, language: str | None) -> None:
    sentences = split_sentences(text, language)
    previous_end = 0
    for s in sentences:
        assert previous_end <= s.start < s.end
        assert text[s.start : s.end] == s.text
        previous_end = s.end


def test_split_sentences_emoji_glued_to_next_word_opens_next_sentence() -> None:
    assert texts("Tươi mới… 🛑Như lời Mẹ bảo.", "vi") == ["Tươi mới…", "🛑Như lời Mẹ bảo."]
