"""Tokenisation for lexical search: vi syllables + bigrams, en stems, numbers, other scripts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factdesk.text.tokenize import TOKENIZER_VERSION, tokenize, tokenize_many


def test_tokenize_vietnamese_syllables_bigrams_and_accentless_twins() -> None:
    assert tokenize("Thành phố Huế", "vi") == [
        "thành",
        "thanh",
        "phố",
        "pho",
        "thành_phố",
        "thanh_pho",
        "huế",
        "hue",
        "phố_huế",
        "pho_hue",
    ]


def test_tokenize_vietnamese_without_accentless_twins() -> None:
    assert tokenize("Thành phố Huế", "vi", accentless=False) == [
        "thành",
        "phố",
        "thành_phố",
        "huế",
        "phố_huế",
    ]


def test_tokenize_vietnamese_unaccented_query_meets_accented_text() -> None:
    document = set(tokenize("Bộ Y tế bác bỏ tin đồn về vắc xin", "vi"))
    query = tokenize("bo y te bac bo tin don", "vi")
    assert set(query) <= document


def test_tokenize_vietnamese_tone_styles_and_case_give_same_terms() -> None:
    assert tokenize("HOÀ BÌNH khoẻ", "vi") == tokenize("hòa bình khỏe", "vi")


def test_tokenize_vietnamese_stop_syllables_dropped_but_kept_in_bigrams() -> None:
    terms = tokenize("giá của xăng", "vi", accentless=False)
    assert "của" not in terms
    assert "giá_của" in terms and "của_xăng" in terms
    assert "của" in tokenize("giá của xăng", "vi", stopwords=False)


def test_tokenize_vietnamese_no_bigrams_across_punctuation() -> None:
    terms = tokenize("tăng, giảm", "vi", accentless=False)
    assert terms == ["tăng", "giảm"]


def test_tokenize_english_stems_and_stop_words() -> None:
    assert tokenize("The studies are showing that vaccines were working.", "en") == [
        "studi",
        "show",
        "vaccin",
        "work",
    ]


def test_tokenize_english_keeps_negation() -> None:
    assert "not" in tokenize("Vaccines don't cause autism", "en")
    assert tokenize("It isn't true", "en") == tokenize("It is not true", "en")
    assert tokenize("won't stop", "en") == ["not", "stop"]  # "will" is a stop word
    assert tokenize("can't", "en", stopwords=False) == ["can", "not"]


def test_tokenize_english_dotted_acronym_matches_plain() -> None:
    assert tokenize("U.S. troops", "en") == tokenize("US troops", "en") == ["us", "troop"]


@pytest.mark.parametrize(
    ("raw", "term"),
    [
        ("1,000", "1000"),
        ("1.000", "1000"),
        ("1000", "1000"),
        ("1.000.000", "1000000"),
        ("1,000,000", "1000000"),
        ("3,5", "3.5"),
        ("3.5", "3.5"),
        ("0.001", "0.001"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("2.9.2023", "2.9.2023"),
        ("１２", "12"),
    ],
)
def test_tokenize_numbers_normalised(raw: str, term: str) -> None:
    for language in ("vi", "en", None):
        assert tokenize(raw, language) == [term]


def test_tokenize_unknown_language_folded_words() -> None:
    assert tokenize("Le Président a dit NON", None) == ["le", "président", "a", "dit", "non"]
    assert tokenize("Le Président", "fr") == ["le", "président"]


def test_tokenize_cjk_character_bigrams() -> None:
    assert tokenize("新冠疫苗", None) == ["新冠", "冠疫", "疫苗"]
    assert tokenize("日本", "en") == ["日本"]
    assert tokenize("猫", None) == ["猫"]


def test_tokenize_keeps_words_with_combining_marks_whole() -> None:
    assert tokenize("नमस्ते दुनिया", None) == ["नमस्ते", "दुनिया"]


def test_tokenize_language_code_region_and_case() -> None:
    assert tokenize("Thành phố", "VI-vn") == tokenize("Thành phố", "vi")


def test_tokenize_empty_and_symbols() -> None:
    assert tokenize("", "vi") == []
    assert tokenize("!!! 😀 ...", "en") == []


def test_tokenize_many_matches_tokenize() -> None:
    texts = ["Thành phố Huế", "The studies", "新冠"]
    languages = ["vi", "en", None]
    assert tokenize_many(texts, languages) == [
        tokenize(t, lang) for t, lang in zip(texts, languages, strict=True)
    ]
    assert tokenize_many(texts, "en") == [tokenize(t, "en") for t in texts]


def test_tokenize_many_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        tokenize_many(["a", "b"], ["vi"])


def test_tokenize_exposes_version_for_indexes() -> None:
    assert getattr(tokenize, "version", None) == TOKENIZER_VERSION


@given(st.text(), st.sampled_from(["vi", "en", None, "fr"]), st.booleans())
def test_tokenize_deterministic_any_text(text: str, language: str | None, accentless: bool) -> None:
    first = tokenize(text, language, accentless=accentless)
    assert first == tokenize(text, language, accentless=accentless)
    assert all(term and not any(ch.isspace() for ch in term) for term in first)
