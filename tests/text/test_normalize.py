"""Normalisation: one canonical form, Vietnamese tone placement, comparison keys, hashes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factdesk.text.normalize import content_hash, fold, normalize, strip_accents

# (second-vowel placement, canonical first-vowel / rule-based placement)
TONE_TABLE = [
    ("hoà", "hòa"),
    ("hoá", "hóa"),
    ("hoả", "hỏa"),
    ("hoã", "hõa"),
    ("hoạ", "họa"),
    ("thuý", "thúy"),
    ("thuỳ", "thùy"),
    ("thuỷ", "thủy"),
    ("luỹ", "lũy"),
    ("tuỵ", "tụy"),
    ("khoẻ", "khỏe"),
    ("xoè", "xòe"),
    ("loé", "lóe"),
    ("uỷ", "ủy"),
    ("HOÀ", "HÒA"),
    ("Thuý", "Thúy"),
    ("KhoẺ", "KhỏE"),
    ("qúy", "quý"),  # "qu" is the initial: the tone belongs on y
    ("qùa", "quà"),
    ("gìa", "già"),  # "gi" is the initial before a vowel
    ("nguời", "nguời"),  # not a fix target: spelling errors are not ours to correct
    ("ngừơi", "người"),  # ươ: the tone goes on ơ
    ("hòan", "hoàn"),  # a final consonant moves it to the last vowel
    ("húynh", "huýnh"),
    ("khóai", "khoái"),  # three vowels, open: the middle one
    ("khủyu", "khuỷu"),
    ("múa", "múa"),  # already canonical
    ("mùa", "mùa"),
    ("tài", "tài"),
    ("quyển", "quyển"),
    ("gìn", "gìn"),
    ("giữ", "giữ"),
]


@pytest.mark.parametrize(("variant", "canonical"), TONE_TABLE)
def test_normalize_tone_placement_table(variant: str, canonical: str) -> None:
    assert normalize(variant) == canonical
    assert normalize(canonical) == canonical


@pytest.mark.parametrize(("variant", "canonical"), TONE_TABLE)
def test_normalize_tone_placement_decomposed_input(variant: str, canonical: str) -> None:
    assert normalize(unicodedata.normalize("NFD", variant)) == canonical


def test_normalize_old_and_new_styles_compare_equal_in_sentences() -> None:
    new_style = "Hoà Bình khoẻ mạnh, thuý Kiều, uỷ ban hoá học."
    old_style = "Hòa Bình khỏe mạnh, thúy Kiều, ủy ban hóa học."
    assert normalize(new_style) == normalize(old_style) == old_style


@pytest.mark.parametrize(
    "word", ["café", "día", "José", "naïve", "Zoë", "coupé", "Raúl", "país", "résumé"]
)
def test_normalize_leaves_other_languages_alone(word: str) -> None:
    assert normalize(word) == unicodedata.normalize("NFC", word)


def test_normalize_composes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Tiếng Việt")
    assert decomposed != "Tiếng Việt"
    assert normalize(decomposed) == "Tiếng Việt"


def test_normalize_collapses_whitespace_keeping_paragraphs() -> None:
    text = "  Dòng  một\t\tvà\u00a0hai \r\n dòng ba\n\n\n\nĐoạn hai  "
    assert normalize(text) == "Dòng một và hai\ndòng ba\n\nĐoạn hai"


def test_normalize_strips_invisible_characters() -> None:
    text = "Tin\u200b gi\u00ad\u200bả \ufeffhôm\u2066 nay\x00\x07 \u202elà\u202c"
    assert normalize(text) == "Tin giả hôm nay là"


def test_normalize_removes_lone_surrogates() -> None:
    assert normalize("a\ud800b") == "ab"


def test_normalize_keeps_zero_width_joiner_inside_emoji() -> None:
    family = "👨\u200d👩\u200d👧"
    assert normalize(f"Gia đình {family} vui") == f"Gia đình {family} vui"
    assert normalize("a\u200db") == "ab"


def test_normalize_keeps_case_and_accents() -> None:
    assert normalize("Thủ tướng NGUYỄN") == "Thủ tướng NGUYỄN"


def test_fold_is_caseless_and_compatibility_folded() -> None:
    assert fold("HOÀ BÌNH") == fold("hòa bình") == "hòa bình"
    assert fold("ﬁnal ＴＥＳＴ １２") == "final test 12"
    assert fold("Straße") == fold("STRASSE")


def test_fold_keeps_vietnamese_accents() -> None:
    assert fold("Ma") != fold("Má") != fold("Mà")


def test_content_hash_ignores_case_spacing_and_tone_style() -> None:
    a = content_hash("Hoà Bình   khoẻ\n\nmạnh")
    b = content_hash("  hòa bình khỏe mạnh ")
    assert a == b
    assert len(a) == 64 and all(c in "0123456789abcdef" for c in a)


def test_content_hash_distinguishes_different_text() -> None:
    assert content_hash("giá xăng tăng") != content_hash("giá xăng giảm")
    assert content_hash("ma") != content_hash("má")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đường Nguyễn Thị Minh Khai", "Duong Nguyen Thi Minh Khai"),
        ("tôi đi học", "toi di hoc"),
        ("ĐẠI HỌC QUỐC GIA", "DAI HOC QUOC GIA"),
        ("thuở ưu", "thuo uu"),
        ("café 42 €", "cafe 42 €"),
        ("नमस्ते", "नमस्ते"),  # Devanagari vowel signs are not Latin accents
        ("plain ascii", "plain ascii"),
    ],
)
def test_strip_accents_examples(text: str, expected: str) -> None:
    assert strip_accents(text) == expected


@given(st.text())
def test_normalize_idempotent_on_any_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text())
def test_fold_idempotent_on_any_text(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_content_hash_any_text_is_hex_digest(text: str) -> None:
    digest = content_hash(text)
    assert len(digest) == 64
    assert content_hash(text.upper() + "  ") == content_hash(text.upper())


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_strip_accents_leaves_no_vietnamese_marks(text: str) -> None:
    stripped = strip_accents(text)
    assert "đ" not in stripped and "Đ" not in stripped
    assert not any("\u0300" <= ch <= "\u036f" for ch in unicodedata.normalize("NFD", stripped))


_VIETNAMESE_ISH = st.text(
    alphabet=st.sampled_from(
        list("aăâeêioôơuưyAĂÂEÊIOÔƠUƯYqgdđhnkltcmp ")
        + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    ),
    max_size=30,
)


@given(_VIETNAMESE_ISH)
def test_normalize_vietnamese_letters_only_moves_tone_marks(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    # Moving a tone mark never changes the letters, only where the mark sits.
    assert strip_accents(once).split() == strip_accents(unicodedata.normalize("NFC", text)).split()
    assert sorted(unicodedata.normalize("NFD", once).replace(" ", "")) == sorted(
        unicodedata.normalize("NFD", text).replace(" ", "")
    )
