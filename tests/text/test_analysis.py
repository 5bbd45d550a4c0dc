"""Per-language lexical analysis: stems, stop words, segmentation, fallbacks."""

from __future__ import annotations

import importlib.util

import pytest

from factdesk.text import analysis
from factdesk.text.analysis import STEMMERS, STOPWORDS, analysis_name, analyze, is_stopword
from factdesk.text.tokenize import tokenize

HAS_THAI = importlib.util.find_spec("pythainlp") is not None
HAS_JIEBA = importlib.util.find_spec("jieba") is not None


@pytest.mark.parametrize(
    "text",
    ["Vaccines don't cause 1,000 cases in the U.S.", "Giá xăng sẽ tăng gấp đôi từ tháng sau"],
)
def test_vietnamese_and_english_keep_the_tokenizer(text: str) -> None:
    for code in ("vi", "en"):
        assert analyze(text, code) == tokenize(text, code)


def test_every_snowball_language_stems_inflections_together() -> None:
    pairs = {
        "de": ("Impfstoffe", "Impfstoff"),
        "fr": ("vaccinations", "vaccination"),
        "es": ("vacunas", "vacuna"),
        "nl": ("vaccins", "vaccin"),
        "ms": ("vaksinnya", "vaksin"),
        "ru": ("вакцины", "вакцина"),
        "pt": ("vacinas", "vacina"),
        "it": ("vaccini", "vaccino"),
    }
    for code, (inflected, base) in pairs.items():
        assert analyze(inflected, code)[0] == analyze(base, code)[0], code
    # every mapped algorithm exists in the installed PyStemmer
    for code in STEMMERS:
        assert analysis_name(code).startswith("snowball-")
        assert analyze("test words", code)


def test_stems_come_with_the_word_as_written() -> None:
    terms = analyze("Impfstoffe", "de")
    assert terms == ["impfstoff", "impfstoffe"]  # stem, then the rarer surface form
    assert analyze("nicht", "de") == ["nicht"]  # no twin when the stem is the word


def test_stop_words_kept_in_the_index_known_to_explanations() -> None:
    terms = analyze("Die Regierung hat das nicht gesagt", "de")
    assert "die" in terms and "nicht" in terms
    assert is_stopword("die", "de") and not is_stopword("nicht", "de")
    assert is_stopword("the", "en") and is_stopword("của", "vi")
    assert not is_stopword("die", None)
    negations = {
        "de": {"nicht", "kein", "keine", "nie"}, "fr": {"pas", "non", "jamais", "ne"},
        "es": {"no", "nunca"}, "pt": {"não", "nunca"}, "it": {"non", "mai"},
        "nl": {"niet", "geen", "nooit"}, "ms": {"tidak", "bukan", "tak"},
        "id": {"tidak", "bukan", "tak"}, "ru": {"не", "нет", "ни"}, "tr": {"değil", "yok"},
    }  # fmt: skip
    assert set(negations) == set(STOPWORDS)
    for code, words in STOPWORDS.items():
        assert not words & negations[code], code


def test_numbers_and_acronyms_spelled_one_way_in_every_language() -> None:
    assert "1000" in analyze("1.000 Fälle in der E.U.", "de")
    assert "eu" in analyze("1.000 Fälle in der E.U.", "de")
    assert "3.5" in analyze("3,5 millions", "fr")


def test_unknown_language_keeps_folded_words() -> None:
    assert analysis_name("tl") == "plain"
    assert analysis_name(None) == "plain"
    assert analyze("Ang Bakuna ay ligtas", "tl") == ["ang", "bakuna", "ay", "ligtas"]


def test_hangul_words_add_character_bigrams() -> None:
    terms = analyze("백신은 위험하다", "ko")
    assert "백신은" in terms and "백신" in terms


@pytest.mark.skipif(not HAS_THAI, reason="needs the languages extra (pythainlp)")
def test_thai_dictionary_segmentation() -> None:
    terms = analyze("วัคซีนทำให้เป็นหมัน", "th")
    assert "วัคซีน" in terms
    assert "ทำให้" in terms  # SARA AM recomposed after NFKC


@pytest.mark.skipif(not HAS_JIEBA, reason="needs the languages extra (jieba)")
def test_chinese_dictionary_segmentation() -> None:
    terms = analyze("新冠疫苗会导致不孕", "zh")
    assert "疫苗" in terms and "导致" in terms


def test_without_segmenters_unspaced_scripts_fall_back_to_bigrams(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analysis, "_optional_segmenters", lambda: {})
    assert analyze("疫苗导致", "zh") == ["疫苗", "苗导", "导致"]
    thai = analyze("วัคซีน", "th")
    assert all(len(t) == 2 for t in thai) and len(thai) == 5
    real = importlib.util.find_spec
    monkeypatch.setattr(
        analysis.importlib.util,
        "find_spec",
        lambda name: None if name == "pythainlp" else real(name),
    )
    assert analysis.segmenters()["thai"] == "character bigrams"


def test_japanese_is_always_bigrams() -> None:
    assert analyze("ワクチン", "ja") == ["ワク", "クチ", "チン"]


def test_deterministic_and_version_named() -> None:
    text = "Les vaccins à ARNm modifient l'ADN"
    assert analyze(text, "fr") == analyze(text, "fr")
    assert analyze.version == analysis.ANALYSIS_VERSION  # type: ignore[attr-defined]


def test_language_families_join_codes_an_identifier_confuses() -> None:
    from factdesk.text.analysis import language_family

    assert language_family("id") == language_family("ms") == "ms"
    assert language_family("nb") == language_family("nn") == "no"
    assert language_family("pt-BR") == "pt"
    assert language_family("de") != language_family("nl")
    assert language_family(None) is None
    assert analyze("Kerajaan", "id") == analyze("Kerajaan", "ms")


def test_clean_post_drops_platform_noise_and_repeated_lines() -> None:
    from factdesk.text.analysis import clean_post

    post = (
        "Breaking!! #Vaccine kills https://t.co/abc @who\n"
        "Breaking!!  #vaccine kills\n"
        "See pic.twitter.com/xyz — Jane Doe (@jd) January 14, 2020"
    )
    assert clean_post(post) == "Breaking!! Vaccine kills\nSee"
    assert clean_post("") == ""
