"""Claim-type signals: the reasons a journalist would give for checking a sentence.

Each signal is a small hand-written list of English and Vietnamese cues (words, phrases and
patterns). They serve twice: as features of the check-worthiness model, where they carry the
TYPE of a claim rather than its topic (topic words are what made the n-gram baseline fall
from 0.85 on debates it had seen to 0.50 on new ones), and as the explanation shown next to
every score ("numbers / statistics: 50 percent; comparison: more than").

Cues are matched on lower-cased, NFC text with word boundaries; Vietnamese cues are written
with their diacritics, so "luật" (law) never matches "lười" (lazy).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# The signals a journalist sees, in display order, with their labels in each language.
SIGNALS: tuple[str, ...] = (
    "number",
    "comparison",
    "causal",
    "prediction",
    "quote",
    "law",
    "personal",
)
SIGNAL_LABELS: dict[str, dict[str, str]] = {
    "number": {"en": "numbers / statistics", "vi": "số liệu / thống kê"},
    "comparison": {"en": "comparison", "vi": "so sánh"},
    "causal": {"en": "cause and effect", "vi": "quan hệ nhân quả"},
    "prediction": {"en": "prediction", "vi": "dự đoán"},
    "quote": {"en": "quote / attribution", "vi": "trích dẫn / nguồn tin"},
    "law": {"en": "law / policy", "vi": "luật / chính sách"},
    "personal": {"en": "personal experience", "vi": "trải nghiệm cá nhân"},
}

_NUMBER_WORDS_EN = (
    r"percent|per cent|percentage|million|millions|billion|billions|trillion|thousand|"
    r"thousands|hundreds|dozens|twice|double|doubled|triple|tripled|half|quarter|"
    r"one in (?:two|three|four|five|ten)|majority|average|rate|ratio|statistics?|census|"
    r"number of|figures?|dollars?|cents?"
)
_NUMBER_WORDS_VI = (
    r"phần trăm|triệu|tỷ|tỉ|nghìn|ngàn|vạn|hàng trăm|hàng nghìn|hàng ngàn|hàng triệu|"
    r"gấp đôi|gấp ba|một nửa|phân nửa|đa số|trung bình|tỷ lệ|tỉ lệ|thống kê|số liệu|"
    r"con số|đồng|usd|lượt"
)
_CUES: dict[str, tuple[str, ...]] = {
    "number": (
        r"\d+(?:[.,]\d+)*",
        r"[%$€£¥₫]",
        _NUMBER_WORDS_EN,
        _NUMBER_WORDS_VI,
    ),
    "comparison": (
        r"more than|less than|fewer than|higher than|lower than|greater than|bigger than|"
        r"compared (?:to|with)|as (?:much|many|high|low) as|than ever|"
        r"most|least|largest|biggest|highest|lowest|fastest|worst|best|"
        r"record|increased?|decreased?|increasing|decreasing|rose|risen|rising|fell|fallen|"
        r"falling|dropped|declined?|grew|grown|doubles?|doubled|triples?|tripled|halved?|cut|"
        r"first time|ever before|only country|more|fewer|less|than",
        r"hơn|so với|nhất|kỷ lục|kỉ lục|tăng|giảm|gấp|vượt|lần đầu tiên|"
        r"cao hơn|thấp hơn|nhiều hơn|ít hơn|đứng đầu|dẫn đầu",
    ),
    "causal": (
        r"because|caused?|causes|causing|due to|leads? to|led to|results? in|resulted|"
        r"as a result|responsible for|blames?|blamed|thanks to|therefore|"
        r"cures?|cured|prevents?|prevented|kills?|killed|linked to|created|destroyed|"
        r"made it|so that",
        r"vì|bởi vì|do|gây ra|gây|dẫn đến|dẫn tới|khiến|làm cho|nguyên nhân|hậu quả|nhờ|"
        r"chữa khỏi|chữa được|chữa|ngăn ngừa|phòng ngừa|giết chết|tạo ra|phá hủy|phá huỷ",
    ),
    "prediction": (
        r"will|won't|going to|gonna|would|is set to|are set to|expected to|projected|"
        r"forecasts?|predicts?|predicted|next (?:year|month|week|decade)|by 20\d\d|"
        r"in the future|soon",
        r"sẽ|sắp|dự báo|dự kiến|dự đoán|trong tương lai|năm tới|tháng tới|tuần tới|"
        r"năm sau|tháng sau|tuần sau|sớm|tới đây",
    ),
    "quote": (
        r"[\"“”«»]\s*\w",
        r"said|says|told|according to|claimed|claims|stated|states that|announced|"
        r"reported|confirmed|admitted|quoted|wrote|tweeted|declared",
        r"cho biết|nói|phát biểu|tuyên bố|khẳng định|theo|trích|thông báo|công bố|cho rằng|"
        r"xác nhận|thừa nhận|viết|chia sẻ",
    ),
    "law": (
        r"law|laws|bill|bills|legislation|legal|illegal|tax|taxes|regulations?|polic(?:y|ies)|"
        r"act|ban|banned|bans|constitution|court|supreme court|vote|voted|votes|budget|"
        r"program|programs|mandate|decree|ministry|government|congress|senate|"
        r"treaty|sanctions?|fined?|penalt(?:y|ies)|subsid(?:y|ies)|welfare|medicare|"
        r"social security",
        r"luật|bộ luật|dự luật|nghị định|thông tư|nghị quyết|quy định|chính sách|thuế|"
        r"ngân sách|quốc hội|chính phủ|bộ|cấm|xử phạt|phạt|hiến pháp|tòa án|toà án|"
        r"quyết định|trợ cấp|bảo hiểm xã hội|bảo hiểm y tế",
    ),
    "personal": (
        r"i|i'm|i've|i was|me|my|mine|myself|we|our|us",
        r"tôi|mình|tớ|chúng tôi|gia đình tôi|bản thân|chồng tôi|vợ tôi|con tôi|mẹ tôi|bố tôi",
    ),
}


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for pattern in patterns:
        # Symbol/quote patterns stand as they are; word lists get word boundaries.
        if pattern.startswith(("\\d", "[")):
            parts.append(f"(?:{pattern})")
        else:
            parts.append(rf"(?<!\w)(?:{pattern})(?!\w)")
    return re.compile("|".join(parts), re.IGNORECASE)


_PATTERNS: dict[str, re.Pattern[str]] = {name: _compile(cues) for name, cues in _CUES.items()}

# Extra surface cues used as model features but not shown as claim types.
_QUESTION = re.compile(
    r"\?\s*$|^(?:who|what|why|how|when|where|is|are|do|does|did|can|could|should)\b|(?<!\w)(?:không|chưa|sao|gì|nào)\s*\??\s*$",
    re.IGNORECASE,
)
_OPINION = re.compile(
    r"(?<!\w)(?:i think|i believe|i feel|in my opinion|i hope|i want|we need|we must|we should|"
    r"let me|thank you|thanks|tôi nghĩ|tôi tin|tôi cảm thấy|theo tôi|tôi mong|tôi muốn|"
    r"chúng ta cần|chúng ta phải|cảm ơn|xin cảm ơn)(?!\w)",
    re.IGNORECASE,
)
_PROPER = re.compile(r"(?<=\w\s)[A-ZĐÂĂÊÔƠƯ][\wÀ-ỹ]+")
_YEAR = re.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)")
_URL = re.compile(r"https?://\S+|www\.\S+")


@dataclass(frozen=True, slots=True)
class SignalHit:
    """One claim-type signal found in a sentence, with the words that triggered it."""

    name: str
    cues: tuple[str, ...]


@lru_cache(maxsize=8192)
def _cue_matches(clean: str) -> tuple[tuple[str, ...], ...]:
    """The cues each signal matched in ``clean`` (``_prepare``d text), in :data:`SIGNALS`
    order.

    Cached because every sentence is matched once for its score and, if it becomes a
    mention, again for its explanation - a third of detection's time before the cache.
    """
    return tuple(tuple(_PATTERNS[name].findall(clean)) for name in SIGNALS)


def clear_cache() -> None:
    """Forget the matched cues (benchmarks start each run cold)."""
    _cue_matches.cache_clear()


def find_signals(text: str) -> list[SignalHit]:
    """The claim-type signals present in ``text``, in :data:`SIGNALS` order."""
    hits: list[SignalHit] = []
    for name, found in zip(SIGNALS, _cue_matches(_prepare(text)), strict=True):
        if found:
            cues = tuple(dict.fromkeys(f.strip().lower() for f in found if f.strip()))
            hits.append(SignalHit(name, cues[:5] or (name,)))
    return hits


def signal_features(text: str) -> list[float]:
    """Numeric features of the claim type and surface form, in a fixed order.

    Per signal: present (0/1) and log(1 + count); then question, opinion phrase, proper
    names, years, URL and log length. Order matters: the shipped model's weights follow it.
    """
    clean = _prepare(text)
    out: list[float] = []
    for found in _cue_matches(clean):
        n = len(found)
        out.append(1.0 if n else 0.0)
        out.append(_log1p(n))
    words = clean.split()
    out.append(1.0 if _QUESTION.search(clean.strip()) else 0.0)
    out.append(1.0 if _OPINION.search(clean) else 0.0)
    out.append(_log1p(len(_PROPER.findall(unicodedata.normalize("NFC", text)))))
    out.append(1.0 if _YEAR.search(clean) else 0.0)
    out.append(1.0 if _URL.search(text) else 0.0)
    out.append(_log1p(len(words)))
    out.append(1.0 if len(words) < 6 else 0.0)
    return out


SIGNAL_FEATURE_NAMES: tuple[str, ...] = tuple(
    f"{name}:{kind}" for name in SIGNALS for kind in ("present", "count")
) + ("question", "opinion", "proper_names", "year", "url", "log_words", "short")


def describe(hits: list[SignalHit], language: str | None = "en") -> str:
    """A one-line explanation: "numbers / statistics (50, percent); comparison (more than)"."""
    lang = "vi" if language == "vi" else "en"
    return "; ".join(f"{SIGNAL_LABELS[h.name][lang]} ({', '.join(h.cues[:3])})" for h in hits)


def _prepare(text: str) -> str:
    # URLs are not claims: strip them so "t.co/abc123" does not count as a number.
    return _URL.sub(" ", unicodedata.normalize("NFC", text)).lower()


def _log1p(n: int) -> float:
    import math

    return math.log1p(n)
