"""Language identification of items and queries, restricted to the languages a desk works in.

Lingua (offline, models inside the wheel) does the statistics. Restricting it to the desk's
languages (``FACTDESK_LANGUAGES``, "vi" and "en" by default) makes it more accurate and
over ten times faster than letting it choose among all 75 languages it knows
(``python bench/text.py`` prints both). Around it:

1. The sample: URLs, e-mail addresses and @handles are dropped, and a long text is judged
   on its first ~400 characters (lingua's cost grows with length, its vi/en accuracy does
   not). Under three letters left (digits, URLs, emoji, "ok") means ``None``.
2. Vietnamese shortcuts, when "vi" is allowed. Proper names and headline capitals say
   little about a sentence's language, so the lower-case words are judged when there are
   at least two:

   - if half of them or more are spelled with Vietnamese letters and the text has a letter
     no other allowed language uses (ơ ư ă đ, ạ ả ấ ... ỹ), the answer is "vi", no model;
   - if Vietnamese-only letters appear but most lower-case words are plain ASCII, the text
     is English quoting Vietnamese names ("Nguyễn Xuân Phúc said ...") or Vietnamese
     typed partly without accents: if ≥70% of those words are well-formed Vietnamese
     syllables it is "vi", otherwise lingua judges those words alone. Plain lingua calls
     such English sentences Vietnamese half of the time;
   - with no Vietnamese-only letter (vi/en desks only): four or more lower-case words,
     ≥90% of them Vietnamese syllables without accents ("bo y te khang dinh ..."), is
     "vi" unless lingua is ≥95% sure of English ("I do not say that.").

Measured with ``python bench/text.py --langid-accuracy`` on public dev data (see
docs/text.md): equal to plain restricted lingua on ordinary vi and en text, better on
English with Vietnamese names (0.98 vs 0.48) and on unaccented Vietnamese (0.96 vs 0.69).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from factdesk.errors import ConfigError

__all__ = [
    "DEFAULT_LANGUAGES",
    "declared_language",
    "detect_language",
    "detect_languages_batch",
    "identify_language",
    "identify_languages_batch",
    "supported_languages",
]

DEFAULT_LANGUAGES: tuple[str, ...] = ("vi", "en")
_MIN_LETTERS = 3
# Lingua's cost grows with length (about 0.75 µs per character) while its accuracy on vi/en
# is saturated long before: long texts are judged on their first ~400 characters of words
# (a 5,000-character article costs what a tweet does).
_SAMPLE_CHARS = 400
_RAW_CHARS = 4 * _SAMPLE_CHARS

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Tokens with an "@": e-mail addresses and handles (not language, and never ours to keep).
_AT_TOKEN = re.compile(r"(?<!\S)[^\s@]*@\S*")
_LETTER = re.compile(r"[^\W\d_]")
# A Vietnamese syllable written without accents ("nguoi", "khong", "thuong").
_TONELESS_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnpqrstvx])?"
    r"(?:a|e|i|o|u|y|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uy|ieu|oai|oay|oeo|uay"
    r"|uoi|uya|uye|uyu|uou|yeu|ye)"
    r"(?:ch|nh|ng|[cmnpt])?"
)
_WORD = re.compile(r"[^\W\d_]+")

_VIETNAMESE_ONLY = "".join(chr(c) for c in range(0x1EA0, 0x1EFA)) + "ơƠưƯ"
# Letters Vietnamese shares with a language lingua knows, dropped from the fast path when
# that language is allowed too.
_SHARED = {"ro": "ăĂ", "hr": "đĐ", "bs": "đĐ", "sr": "đĐ", "yo": "ẹẸọỌ"}
_VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", base + mark)
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
    for mark in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
) | frozenset("đĐ")


def supported_languages() -> list[str]:
    """Return the ISO 639-1 codes :func:`detect_language` accepts, sorted."""
    return sorted(_code(language) for language in Language.all())


def detect_language(text: str, languages: Sequence[str] = DEFAULT_LANGUAGES) -> str | None:
    """Return the ISO 639-1 code of the language of ``text``, chosen among ``languages``.

    ``None`` when the text has too little language in it (only digits, URLs, emoji, one
    short word) or the model cannot decide. Codes are case-insensitive ("VI", "vi-VN");
    an unknown code raises :class:`~factdesk.errors.ConfigError` naming it.
    """
    allowed = _language_key(languages)
    cleaned = _clean(text)
    if cleaned is None:
        return None
    shortcut = _vietnamese_shortcut(cleaned, allowed)
    if shortcut == "vi":
        return "vi"
    detector = _detector(allowed)
    found = detector.detect_language_of(shortcut) if shortcut else None
    if found is None:
        found = detector.detect_language_of(cleaned)
    return None if found is None else _code(found)


def detect_languages_batch(
    texts: Sequence[str], languages: Sequence[str] = DEFAULT_LANGUAGES
) -> list[str | None]:
    """Like :func:`detect_language` for many texts; the model runs once, multi-threaded.

    Use it for ingest batches: the per-call overhead is paid once and lingua spreads the
    texts over the idle CPU cores (``python bench/text.py`` measures the gain).
    """
    allowed = _language_key(languages)
    detector = _detector(allowed)
    results: list[str | None] = [None] * len(texts)
    pending: list[tuple[int, str, str]] = []  # index, what lingua sees first, whole text
    for i, text in enumerate(texts):
        cleaned = _clean(text)
        if cleaned is None:
            continue
        shortcut = _vietnamese_shortcut(cleaned, allowed)
        if shortcut == "vi":
            results[i] = "vi"
        else:
            pending.append((i, shortcut or cleaned, cleaned))
    if pending:
        found = detector.detect_languages_in_parallel_of([first for _, first, _ in pending])
        for (i, first, cleaned), language in zip(pending, found, strict=True):
            if language is None and first != cleaned:
                language = detector.detect_language_of(cleaned)
            results[i] = None if language is None else _code(language)
    return results


def _language_key(languages: Sequence[str]) -> tuple[str, ...]:
    """Validate and canonicalise codes: lower case, region dropped, sorted, unique."""
    if isinstance(languages, str):
        languages = (languages,)
    if not languages:
        raise ConfigError("no language given for language detection", where="languages")
    codes = set()
    for raw in languages:
        code = raw.strip().lower().replace("_", "-").split("-")[0]
        try:
            IsoCode639_1.from_str(code)
        except ValueError:
            raise ConfigError(
                f"unknown or unsupported language code {raw!r} (use an ISO 639-1 code such as 'vi' or 'en')",
                where="languages",
            ) from None
        codes.add(code)
    return tuple(sorted(codes))


@lru_cache(maxsize=32)
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    """One detector per language set; lingua shares the loaded models between them."""
    members = [Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in languages]
    return LanguageDetectorBuilder.from_languages(*members).build()


@lru_cache(maxsize=32)
def _specific_letters(languages: tuple[str, ...]) -> re.Pattern[str] | None:
    """Pattern of letters only Vietnamese uses among ``languages``; None if vi not allowed."""
    if "vi" not in languages:
        return None
    letters = set(_VIETNAMESE_ONLY + "ăĂđĐ")
    for code in languages:
        letters -= set(_SHARED.get(code, ""))
    return re.compile("[" + "".join(sorted(letters)) + "]")


def _clean(text: str) -> str | None:
    """The sample to judge: URLs, addresses and handles removed, NFC, at most
    ``_SAMPLE_CHARS`` long (cut at a space); None if it has under three letters."""
    raw = text[:_RAW_CHARS]
    # Substring tests first: the regular expressions are the slow part, and most texts
    # have neither. Digits stay: lingua ignores them and they are not letters below.
    if "@" in raw:
        raw = _AT_TOKEN.sub(" ", raw)
    lowered = raw.lower()
    if "http" in lowered or "www." in lowered:
        raw = _URL.sub(" ", raw)
    cleaned = " ".join(raw.split())
    if len(cleaned) > _SAMPLE_CHARS:
        cut = cleaned.rfind(" ", 0, _SAMPLE_CHARS)
        cleaned = cleaned[: cut if cut > 0 else _SAMPLE_CHARS]
    letters = 0
    for _ in _LETTER.finditer(cleaned):
        letters += 1
        if letters >= _MIN_LETTERS:
            return unicodedata.normalize("NFC", cleaned)
    return None


def _vietnamese_shortcut(text: str, languages: tuple[str, ...]) -> str | None:
    """Answer "vi" (or pick the words lingua should see) before running the model.

    Returns "vi", or a string for lingua to judge, or None to let lingua judge ``text``.
    """
    specific = _specific_letters(languages)
    if specific is None:
        return None
    words = _WORD.findall(text)
    # Proper names and headline capitals say little about the language of a sentence
    # (an English report naming "Nguyễn Xuân Phúc"), so judge the lower-case running text
    # when there is some.
    lower = [w for w in words if w[0].islower()]
    basis = lower if len(lower) >= 2 else words
    if specific.search(text) is None:
        # No Vietnamese-only letter: still Vietnamese if typed without accents, which the
        # model handles badly. Measured only against English, so only when vi/en is the set.
        # A few plain English sentences are Vietnamese-shaped too ("I do not say that."),
        # but the model is then sure they are English: it has the last word.
        if (
            set(languages) <= {"vi", "en"}
            and _accentless_vietnamese(lower)
            and _detector(languages).compute_language_confidence(text, Language.ENGLISH) < 0.95
        ):
            return "vi"
        return None
    accented = sum(1 for w in basis if _is_vietnamese_word(w))
    if 2 * accented >= len(basis):
        return "vi"
    if basis is lower:
        rest = [w for w in lower if w.isascii()]
        if _syllable_share(rest) >= 0.7:
            return "vi"  # accented and unaccented Vietnamese mixed
        return " ".join(rest)
    return None


def _is_vietnamese_word(word: str) -> bool:
    return not word.isascii() and all(c.isascii() or c in _VIETNAMESE_LETTERS for c in word)


def _accentless_vietnamese(lower_words: list[str]) -> bool:
    ascii_words = [w for w in lower_words if w.isascii()]
    return len(ascii_words) >= 4 and _syllable_share(ascii_words) >= 0.9


def _syllable_share(ascii_words: list[str]) -> float:
    """Share of lower-case ASCII words that are well-formed Vietnamese syllables sans accents."""
    if not ascii_words:
        return 0.0
    return sum(1 for w in ascii_words if _TONELESS_SYLLABLE.fullmatch(w)) / len(ascii_words)


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


# --- a record's true language: declared, else identified among every language --------------

# How sure the all-language fast pass must be before its answer is taken as it is; below
# this the candidates are judged again by lingua's full models. Measured (bench/text.py
# --langid-accuracy): at 0.9 short English sentences lose 2 points to "sure" Dutch/Danish.
_SURE = 0.99
_CANDIDATES = 3  # languages the full models re-judge when the fast pass is unsure
# Below this many words an unsure fast pass means "unknown": two words rarely tell
# Spanish from Tswana, and a wrong language is worse than none.
_MIN_WORDS_UNSURE = 3
_CANDIDATE_FLOOR = 0.1  # ... each at least this likely (fewer full models loaded, same answers)
_VI_EN = ("en", "vi")
# Language names publishers write instead of codes (``inLanguage.name``, ``og:locale``
# spelled out), lower case, in English and in the language itself.
_NAMES = {
    "english": "en", "vietnamese": "vi", "tiếng việt": "vi", "french": "fr", "français": "fr",
    "spanish": "es", "español": "es", "castellano": "es", "german": "de", "deutsch": "de",
    "portuguese": "pt", "português": "pt", "italian": "it", "italiano": "it",
    "indonesian": "id", "bahasa indonesia": "id", "thai": "th", "chinese": "zh", "中文": "zh",
    "japanese": "ja", "日本語": "ja", "korean": "ko", "한국어": "ko", "arabic": "ar",
    "العربية": "ar", "hindi": "hi", "हिन्दी": "hi", "हिंदी": "hi", "bengali": "bn",
    "bangla": "bn", "বাংলা": "bn", "russian": "ru", "русский": "ru", "turkish": "tr",
    "türkçe": "tr", "swahili": "sw", "kiswahili": "sw", "dutch": "nl", "nederlands": "nl",
    "polish": "pl", "polski": "pl", "ukrainian": "uk", "українська": "uk", "urdu": "ur",
    "tamil": "ta", "telugu": "te", "marathi": "mr", "malay": "ms", "filipino": "tl",
    "tagalog": "tl", "greek": "el", "catalan": "ca", "català": "ca", "persian": "fa",
}  # fmt: skip
# English words no other language lingua knows uses as a common word ("in", "is", "was",
# "will", "on", "a", "no", "me" are left out: Dutch, German, French, Spanish have them).
_ENGLISH_ONLY = frozenset(
    "the and of to that it with for this are have be not from by they you he she we his her "
    "their has been were which would there what about said after than more can all who when "
    "our your its into only also just because does did how if or but them these those should "
    "could been being had any some other such most very many much over out between before "
    "during while where why people says new first".split()
    # More common English words (2026-12-04) that no other language lingua knows uses as a
    # common word: dates and quantities, reporting verbs, everyday adjectives. Left out as
    # shared: "will" (de), "want"/"even"/"week" (nl), "give"/"mine"/"rent" (da, nb, sv),
    # "put" (hr, bs), "home" (ca), "come" (it), "see" (et), "day"/"say"/"song"/"try"
    # (Vietnamese typed without accents), "sorry"/"fake"/"show" (loanwords everywhere).
    + """year years month months today yesterday tomorrow tonight morning evening night ago
    next percent every everyone everybody everything nothing something anything someone anyone
    never always again against already although though however without within through around
    whether whose whom whole both each either neither enough rather quite really actually
    probably maybe soon then now get gets getting got make makes made making take takes took
    taken know knows knew known think thought need needs needed going doing done told tell
    asked shown showed find found keep kept look looks looking seem seems become became came
    went gone goes seen saw use used using work works worked call called tried leave
    left buy bought sell sold rise rises rising raise raised grow grew increase increased cut
    cuts close closed kill killed died death deaths health women woman children family friends
    government officials official country countries city world news reported according claim
    claims claimed true prices price cost costs money food fuel bill bills fees good great
    better big small little old young high low right wrong free same different
    beautiful happy thanks thank please yes hello days hours life house road street
    town way thing things number since until off away back down up well too him yours himself
    herself itself themselves myself isn doesn didn wasn aren""".split()
)
_ENGLISH_SHARE = 0.25  # of the lower-case words, with at least _ENGLISH_WORDS of them
_ENGLISH_WORDS = 1
# "en" without a model: this many English-only words, and at most this share of the
# lower-case words shaped like Vietnamese syllables ("to", "the", "can" are both).
_SURELY_ENGLISH_WORDS = 2
_SURELY_ENGLISH_VI = 0.5
_DIGITS = re.compile(r"\d+")
_HAS_DIGIT = re.compile(r"\d")
_THREE_LETTER = {lang.iso_code_639_3.name.lower(): _code(lang) for lang in Language.all()}
_THREE_LETTER |= {"fil": "tl", "zho": "zh", "chi": "zh", "fre": "fr", "ger": "de", "por": "pt"}


def declared_language(value: object) -> str | None:
    """The ISO 639-1 code of a language as a document declares it, or None.

    Accepts tags (``"pt-BR"``, ``"zh_Hant_TW"``, ``"es_ES"`` as og:locale writes it),
    three-letter codes lingua knows (``"spa"``), and language names (``"Español"``). Any
    two-letter code is kept even when lingua cannot identify that language: a declaration
    is the publisher's word, and the identifier is only the fall-back.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not text or len(text) > 40:
        return None
    if text in _NAMES:
        return _NAMES[text]
    primary = text.replace("_", "-").split("-", 1)[0]
    if len(primary) == 2 and primary.isascii() and primary.isalpha():
        return "he" if primary == "iw" else primary  # "iw": Hebrew's withdrawn code
    if len(primary) == 3 and primary in _THREE_LETTER:
        return _THREE_LETTER[primary]
    return None


def identify_language(text: str, *, declared: object = None) -> str | None:
    """The true language of ``text``: the declared one when there is one, else identified.

    Unlike :func:`detect_language`, the answer is never forced into a configured set:

    1. a usable declaration (see :func:`declared_language`) wins;
    2. the Vietnamese shortcuts of :func:`detect_language` answer "vi" without a model; when
       they single out the running text of a sentence that quotes Vietnamese names, that
       text is what the next steps judge. Plain ASCII text where ≥ 25% of the lower-case
       words are words only English uses commonly ("the", "with", "they", "year") is
       English or Vietnamese: "en" with no model when at least two such words are there
       and at most half of the words are shaped like Vietnamese syllables (English is
       rarely so), else the tuned vi/en detector decides. English posts, most of a vi/en
       desk's input, skip the all-language models;
    3. lingua's fast (trigram) models rank all 75 languages it knows. Only a near-certain
       ranking (≥ 0.99: a script of its own, a long text) is taken as it is: on a short
       sentence the fast models are often sure and wrong ("I will open the door." → Dutch);
    4. otherwise lingua's full models judge the fast pass's top three *and* English and
       Vietnamese, the desk's usual languages — candidates, not a forced answer: a Spanish
       sentence stays Spanish. Full models for a handful of languages cost a fraction of
       all 75 (over 1 GB);
    5. an answer of English or Vietnamese is settled by the tuned vi/en detector
       (:func:`detect_language`), so vi/en desks lose nothing of it;
    6. None when the text has too little language in it: under three letters, or under
       three words that the fast pass is unsure about and that are not English or
       Vietnamese ("hola amigo" could be Spanish or Tswana as far as two words go).

    Digits are judged as "0" (lingua ignores them; it makes the answer a function of the
    words, which the batch call's cache relies on).
    """
    found = declared_language(declared)
    if found is not None:
        return found
    cleaned = _clean(text)
    if cleaned is None:
        return None
    key = _cache_key(cleaned)
    done, answer, sample, shortcut = _before_models(key)
    if done:
        return answer
    ranked = _fast_detector().compute_language_confidence_values(sample)
    return _decide(sample, shortcut, [(_code(v.language), v.value) for v in ranked[:_CANDIDATES]])


def identify_languages_batch(texts: Sequence[str]) -> list[str | None]:
    """:func:`identify_language` for many undeclared texts; the fast pass runs
    multi-threaded over the batch (lingua spreads it over the idle cores).

    Answers are remembered per sample (digits as "0") for the process's next batches:
    feeds repeat their wordings (a feed polled again brings the same entries back, and
    synthetic or templated posts differ in numbers only). ``_IDENTIFIED`` holds the last
    ``_CACHE_SIZE`` samples; a repeat costs a dictionary look-up instead of the models.
    """
    results: list[str | None] = [None] * len(texts)
    pending: dict[str, list[int]] = {}  # sample key → indexes of the texts that have it
    quick: dict[str, tuple[str, str | None]] = {}  # key → (sample, vi/en shortcut text)
    for i, text in enumerate(texts):
        cleaned = _clean(text)
        if cleaned is None:
            continue
        key = _cache_key(cleaned)
        if key in pending:
            pending[key].append(i)
            continue
        hit, answer = _IDENTIFIED.get(key)
        if hit:
            results[i] = answer
            continue
        done, answer, sample, shortcut = _before_models(key)
        if done:
            results[i] = answer
            _IDENTIFIED.put(key, answer)
        else:
            pending[key] = [i]
            quick[key] = (sample, shortcut)
    if pending:
        keys = list(pending)
        ranked_all = _fast_detector().compute_language_confidence_values_in_parallel(
            [quick[key][0] for key in keys]
        )
        for key, ranked in zip(keys, ranked_all, strict=True):
            sample, shortcut = quick[key]
            top = [(_code(v.language), v.value) for v in ranked[:_CANDIDATES]]
            answer = _decide(sample, shortcut, top)
            _IDENTIFIED.put(key, answer)
            for i in pending[key]:
                results[i] = answer
    return results


def _before_models(cleaned: str) -> tuple[bool, str | None, str, str | None]:
    """Step 2 of :func:`identify_language`: ``(done, answer, sample, shortcut)``, where
    ``done`` says ``answer`` is final without the all-language pass."""
    shortcut = _vietnamese_shortcut(cleaned, _VI_EN)
    if shortcut == "vi":
        return True, "vi", cleaned, shortcut
    sample = _sample(cleaned, shortcut)
    if not sample.isascii():
        return False, None, sample, shortcut
    lower = [w for w in _WORD.findall(sample) if w[0].islower()]
    hits = sum(1 for w in lower if w in _ENGLISH_ONLY)
    if hits < _ENGLISH_WORDS or hits < _ENGLISH_SHARE * len(lower):
        return False, None, sample, shortcut
    if hits >= _SURELY_ENGLISH_WORDS and _syllable_share(lower) <= _SURELY_ENGLISH_VI:
        return True, "en", sample, shortcut
    return True, _vi_or_en(sample, shortcut), sample, shortcut


def _sample(cleaned: str, shortcut: str | None) -> str:
    """What identification judges: the running text the Vietnamese shortcut singled out
    (names removed) when it has enough letters, else the cleaned text."""
    if shortcut and _clean(shortcut) is not None:
        return shortcut
    return cleaned


def _decide(sample: str, shortcut: str | None, top: list[tuple[str, float]]) -> str | None:
    """Steps 3–6 of :func:`identify_language` on the fast pass's top candidates."""
    if not top or top[0][1] <= 0.0:
        return None
    best, confidence = top[0]
    sure = confidence >= _SURE
    if not sure:
        likely = (code for code, value in top if value >= _CANDIDATE_FLOOR)
        candidates = tuple(sorted({best, *_VI_EN, *likely}))
        found = _detector(candidates).detect_language_of(sample)
        best = best if found is None else _code(found)
    if best in _VI_EN:
        return _vi_or_en(sample, shortcut)
    if not sure and len(_WORD.findall(sample)) < _MIN_WORDS_UNSURE:
        return None
    return best


def _vi_or_en(sample: str, shortcut: str | None) -> str | None:
    """The tuned vi/en detector's answer (English quoting Vietnamese names stays English)."""
    detector = _detector(_VI_EN)
    found = detector.detect_language_of(shortcut) if shortcut else None
    found = found or detector.detect_language_of(sample)
    return None if found is None else _code(found)


def _cache_key(cleaned: str) -> str:
    """The sample as identification judges it: digit runs as "0" (not language)."""
    return _DIGITS.sub("0", cleaned) if _HAS_DIGIT.search(cleaned) else cleaned


class _Remembered:
    """A bounded map of sample → answer, shared by the threads of a worker (a lock around
    each step; the oldest entries go first when it is full)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, str | None]:
        with self._lock:
            if key in self._answers:
                return True, self._answers[key]
        return False, None

    def put(self, key: str, answer: str | None) -> None:
        with self._lock:
            if key not in self._answers and len(self._answers) >= self.size:
                for old in list(self._answers)[: max(1, self.size // 8)]:
                    del self._answers[old]
            self._answers[key] = answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


_CACHE_SIZE = 8192  # samples of at most _SAMPLE_CHARS: a few MB at most
_IDENTIFIED = _Remembered(_CACHE_SIZE)


@lru_cache(maxsize=1)
def _fast_detector() -> LanguageDetector:
    """Every language lingua knows, trigram models only: ~0.25 ms a claim and ~100 MB,
    where the full models of all 75 languages take over 1 GB (``bench/text.py``)."""
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
