"""Language identification: restricted lingua, the Vietnamese fast path, too-little-text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.errors import ConfigError
from factdesk.text import langid
from factdesk.text.langid import detect_language, detect_languages_batch, supported_languages

VIETNAMESE = [
    "Hôm nay trời mưa to ở Hà Nội, nhiều tuyến đường bị ngập.",
    "Bộ Y tế khẳng định thông tin uống nước chanh chữa khỏi bệnh là sai sự thật.",
    "Giá xăng tăng 1.000 đồng mỗi lít từ 15 giờ chiều nay",
    "Mọi người chia sẻ giúp mình nhé!!! 😭😭",
    "Thủ tướng yêu cầu các bộ, ngành rà soát lại toàn bộ quy hoạch.",
]
ENGLISH = [
    "The government announced new measures to curb inflation on Tuesday.",
    "Drinking lemon water does not cure the disease, health officials said.",
    "Prime Minister Nguyễn Xuân Phúc said on Tuesday that the economy grew 7 percent.",
    "Share this before they delete it!!! 😡",
    "Fuel prices rose by 5% last month, according to the statistics office.",
]


@pytest.mark.parametrize("text", VIETNAMESE)
def test_detect_language_vietnamese(text: str) -> None:
    assert detect_language(text) == "vi"


@pytest.mark.parametrize("text", ENGLISH)
def test_detect_language_english(text: str) -> None:
    assert detect_language(text) == "en"


def test_detect_language_english_quoting_vietnamese_names() -> None:
    # Plain lingua answers "vi" here: the names' letters outvote the English words.
    text = "Nguyễn Thị Ánh said the report by Trần Quốc Vượng was wrong about the figures."
    plain = langid._detector(("en", "vi")).detect_language_of(text)
    assert plain is not None and langid._code(plain) == "vi"
    assert langid._vietnamese_shortcut(text, ("en", "vi")) != "vi"
    assert detect_language(text) == "en"


def test_detect_language_vietnamese_quoting_english_names() -> None:
    assert detect_language("Tom chạy sang giúp Mary dọn nhà.") == "vi"
    assert detect_language("Japan không to bằng Canada.") == "vi"


def test_detect_language_shortcut_agrees_with_model() -> None:
    allowed = ("en", "vi")
    for text in VIETNAMESE:
        assert langid._vietnamese_shortcut(text, allowed) == "vi"
        model = langid._detector(allowed).detect_language_of(text)
        assert model is not None and langid._code(model) == "vi"


@pytest.mark.parametrize(
    "text",
    [
        "hom nay troi mua to qua, moi nguoi nho mang ao mua nhe",
        "bo y te khang dinh thong tin nay la sai su that",
        "toi khong tin chuyen nay dau, ai kiem chung giup voi",
    ],
)
def test_detect_language_unaccented_vietnamese(text: str) -> None:
    assert detect_language(text) == "vi"


def test_detect_language_unaccented_rule_only_for_vi_en() -> None:
    text = "bo y te khang dinh thong tin nay la sai su that"
    assert langid._vietnamese_shortcut(text, ("en", "vi")) == "vi"
    assert langid._vietnamese_shortcut(text, ("en", "id", "vi")) is None


def test_detect_language_partly_unaccented_vietnamese() -> None:
    assert detect_language("hom nay troi mua to qua, mọi người nho mang ao mua nhe") == "vi"


def test_detect_language_long_text_judged_on_a_sample() -> None:
    long_text = " ".join([ENGLISH[0]] * 400)
    sample = langid._clean(long_text)
    assert sample is not None and len(sample) <= langid._SAMPLE_CHARS
    assert detect_language(long_text) == "en"


def test_detect_language_decomposed_vietnamese() -> None:
    assert detect_language(unicodedata.normalize("NFD", VIETNAMESE[0])) == "vi"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12345",
        "1.000.000 đ",
        "https://example.com/path?q=1",
        "😀😀🔥",
        "@someone",
        "ok",
        "#1",
    ],
)
def test_detect_language_too_little_text_is_none(text: str) -> None:
    assert detect_language(text) is None


def test_detect_language_ignores_urls_and_handles() -> None:
    text = "@abc https://t.co/xyz Bộ Y tế bác bỏ tin đồn https://moh.gov.vn/tin-tuc"
    assert detect_language(text) == "vi"


def test_detect_language_restricted_to_given_languages() -> None:
    french = "Le gouvernement a annoncé de nouvelles mesures contre l'inflation mardi."
    assert detect_language(french, ("fr", "en")) == "fr"
    assert detect_language(french, ("vi", "en")) in ("en", "vi", None)
    assert detect_language(french) != "fr"


def test_detect_language_single_language() -> None:
    assert detect_language(VIETNAMESE[1], ["vi"]) == "vi"


def test_detect_language_fast_path_respects_shared_letters() -> None:
    romanian = "Guvernul a anunțat măsuri noi pentru că prețurile au crescut în această lună."
    assert detect_language(romanian, ("vi", "en", "ro")) == "ro"
    assert langid._specific_letters(("ro", "vi")) is not None
    assert langid._specific_letters(("en", "fr")) is None


@pytest.mark.parametrize("codes", [("VI", "EN"), ("vi-VN", "en_US"), ["en", "vi", "vi"]])
def test_detect_language_codes_case_and_region_insensitive(codes: list[str]) -> None:
    assert detect_language(VIETNAMESE[0], codes) == "vi"


def test_detect_language_unknown_code_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="'xx'"):
        detect_language("hello world", ("vi", "xx"))


def test_detect_language_empty_language_list_raises_config_error() -> None:
    with pytest.raises(ConfigError):
        detect_language("hello world", ())


def test_supported_languages_lists_iso_codes() -> None:
    codes = supported_languages()
    assert "vi" in codes and "en" in codes
    assert codes == sorted(codes) and all(len(c) == 2 for c in codes)


def test_detect_languages_batch_matches_single_calls() -> None:
    texts = [*VIETNAMESE, *ENGLISH, "12345", "", "😀"]
    assert detect_languages_batch(texts) == [detect_language(t) for t in texts]


def test_detect_languages_batch_empty() -> None:
    assert detect_languages_batch([]) == []


@given(st.text(max_size=200))
def test_detect_language_any_text_no_crash(text: str) -> None:
    assert detect_language(text) in ("vi", "en", None)


# --- true languages: identify_language ----------------------------------------------------

from factdesk.text.langid import (  # noqa: E402
    declared_language,
    identify_language,
    identify_languages_batch,
)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("pt-BR", "pt"),
        ("es_ES", "es"),  # og:locale
        ("zh_Hant_TW", "zh"),
        ("SPA", "es"),
        ("fil", "tl"),
        ("Español", "es"),
        ("Tiếng Việt", "vi"),
        ("ml", "ml"),  # a declaration is kept even when lingua cannot identify the language
        ("iw", "he"),
        ("Klingon", None),
        ("", None),
        (None, None),
        ("x" * 50, None),
    ],
)
def test_declared_language_normalises_tags_codes_and_names(value: object, code: str | None) -> None:
    assert declared_language(value) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Las vacunas no contienen microchips que se conecten a las antenas.", "es"),
        ("O governo não vai taxar o Pix a partir do mês que vem.", "pt"),
        ("Le maire n'a pas annoncé la fermeture des piscines cet été.", "fr"),
        ("Die Regierung will keine Dieselautos in den Innenstädten verbieten.", "de"),
        ("यह वीडियो पुराना है और हाल की बाढ़ से इसका कोई संबंध नहीं है।", "hi"),
        ("ভিডিওটি পুরনো, সাম্প্রতিক বন্যার সঙ্গে এর কোনো সম্পর্ক নেই।", "bn"),
        ("الفيديو قديم ولا علاقة له بالفيضانات الأخيرة في المدينة.", "ar"),
        ("这段视频是旧的，与最近的洪水没有关系。", "zh"),
        ("Video này đã cũ và không liên quan đến trận lũ vừa qua.", "vi"),
        ("bo y te khang dinh thong tin nay la sai su that", "vi"),
        ("The video is old and has nothing to do with the floods.", "en"),
        ("Nguyễn Xuân Phúc said the economy grew by six percent last year.", "en"),
        ("I will open the door.", "en"),  # the fast models alone say Dutch
    ],
)
def test_identify_language_finds_the_true_language(text: str, code: str) -> None:
    assert identify_language(text) == code


def test_identify_language_is_never_forced_and_may_say_unknown() -> None:
    assert identify_language("hola amigo") is None  # two words: Spanish or Tswana?
    assert identify_language("https://x.example/a 12345 🙂") is None
    assert identify_language("anything at all", declared="pt-BR") == "pt"
    assert identify_language("The claim is false.", declared="Klingon") == "en"


def test_identify_languages_batch_agrees_with_one_by_one() -> None:
    texts = [
        "Las vacunas no contienen microchips que se conecten a las antenas.",
        "Video này đã cũ và không liên quan đến trận lũ vừa qua.",
        "The video is old and has nothing to do with the floods.",
        "这段视频是旧的，与最近的洪水没有关系。",
        "ok",
        "I will open the door.",
    ]
    assert identify_languages_batch(texts) == [identify_language(t) for t in texts]
    assert identify_languages_batch([]) == []


# --- identify: the English fast path and the batch cache -------------------------------------


def _no_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any use of a lingua model fail the test."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a model was used")

    monkeypatch.setattr(langid, "_fast_detector", refuse)
    monkeypatch.setattr(langid, "_detector", refuse)
    monkeypatch.setattr(langid, "_vi_or_en", refuse)


@pytest.mark.parametrize(
    "text",
    [
        "Petrol prices will rise by 5 percent next month.",
        "Good morning everyone!",
        "Thanks for watching, see you tomorrow.",
        "The government said fuel prices would rise again next year.",
        # English quoting Vietnamese names: judged on the running text, names left out.
        "Nguyễn Xuân Phúc said the economy grew by six percent last year.",
        "Officials in Đà Nẵng said the claim about Trần Quốc Vượng was not true.",
        # Mixed post, the English part the larger: the English words are what is judged.
        "Petrol prices will rise by 5 percent next month. Chúc mọi người buổi sáng tốt lành.",
    ],
)
def test_identify_surely_english_needs_no_model(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cleaned = langid._clean(text) or ""
    shortcut = langid._vietnamese_shortcut(cleaned, ("en", "vi"))
    # What the tuned vi/en model says of the same words, before it is taken away.
    assert langid._vi_or_en(langid._sample(cleaned, shortcut), shortcut) == "en"
    _no_models(monkeypatch)
    assert identify_language(text) == "en"
    langid._IDENTIFIED.clear()
    assert identify_languages_batch([text]) == ["en"]


def test_identify_vietnamese_shaped_words_still_go_to_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Unaccented Vietnamese shares "the", "can", "that", "to" with English: when most words
    # are Vietnamese syllables the vi/en model decides, never the word list alone.
    monkeypatch.setattr(langid, "_vi_or_en", lambda sample, shortcut: "model")
    assert identify_language("ong ay can the money de mua nha") == "model"
    assert identify_language("I do not say that.") == "model"  # every word syllable-shaped
    # ... and fully unaccented Vietnamese is "vi" before any English rule.
    assert identify_language("toi nghi the nay la khong dung, can phai kiem tra lai") == "vi"
    assert identify_language("anh ay noi that su la toi can tien gap") == "vi"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Het kabinet wil de belasting op brandstof in 2024 verhogen, zegt de minister.", "nl"),
        ("Dit is echt fake news, zegt de minister van volksgezondheid.", "nl"),
        ("Er will nicht mehr warten, sagt die Regierung in Berlin.", "de"),
        ("El gobierno dice que la inflacion bajara este ano.", "es"),
        ("Pemerintah akan menaikkan harga bahan bakar bulan depan.", "id"),
        ("Giá xăng sẽ tăng 5 phần trăm vào tháng tới. Good morning everyone!", "vi"),
    ],
)
def test_identify_english_words_do_not_capture_other_languages(text: str, code: str) -> None:
    assert identify_language(text) == code
    langid._IDENTIFIED.clear()
    assert identify_languages_batch([text]) == [code]


def test_identify_batch_remembers_samples_digits_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    langid._IDENTIFIED.clear()
    first = [
        "Drinking garlic tea cures cancer in 3 days.",
        "Las vacunas no contienen microchips que se conecten a las antenas.",
        "Video này đã cũ và không liên quan đến trận lũ vừa qua.",
    ]
    found = identify_languages_batch(first)
    assert found == [identify_language(t) for t in first]
    # The same wordings again, with other numbers: answered from memory, no model.
    _no_models(monkeypatch)
    again = [
        "Drinking garlic tea cures cancer in 7 days.",
        "Las vacunas no contienen microchips que se conecten a las antenas.",
        "Drinking garlic tea cures cancer in 30 days.",
    ]
    assert identify_languages_batch(again) == [found[0], found[1], found[0]]


def test_identify_batch_repeats_within_a_batch_run_once(monkeypatch: pytest.MonkeyPatch) -> None:
    langid._IDENTIFIED.clear()
    seen: list[list[str]] = []
    fast = langid._fast_detector()

    class Counting:
        def compute_language_confidence_values_in_parallel(self, texts: list[str]) -> object:
            seen.append(list(texts))
            return fast.compute_language_confidence_values_in_parallel(texts)

    monkeypatch.setattr(langid, "_fast_detector", lambda: Counting())
    texts = ["Drinking garlic tea cures cancer in 3 days."] * 3 + ["Hanoi", "ok"]
    found = identify_languages_batch(texts)
    assert found[0] == found[1] == found[2] and found[4] is None
    assert seen == [["Drinking garlic tea cures cancer in 0 days.", "Hanoi"]]


def test_identify_digits_do_not_change_the_answer() -> None:
    for a, b in [
        ("Rice prices rose 5 percent in 2024.", "Rice prices rose 50 percent in 1999."),
        ("Giá xăng tăng 1.000 đồng", "Giá xăng tăng 25.500 đồng"),
        ("hola 2024 amigo", "hola 7 amigo"),
    ]:
        assert identify_language(a) == identify_language(b)


def test_remembered_is_bounded() -> None:
    memory = langid._Remembered(16)
    for n in range(100):
        memory.put(f"text {n}", "en")
    assert len(memory._answers) <= 16
    assert memory.get("text 99") == (True, "en")
    assert memory.get("text 0") == (False, None)
    memory.put("none", None)
    assert memory.get("none") == (True, None)  # "no language" is remembered too


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(ENGLISH + VIETNAMESE + ["ok", "12 34", "Hanoi 2024"])
        | st.text(max_size=80),
        max_size=6,
    )
)
def test_identify_batch_agrees_with_one_by_one_any_input(texts: list[str]) -> None:
    assert identify_languages_batch(texts) == [identify_language(t) for t in texts]
