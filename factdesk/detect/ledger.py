"""The recurrence ledger's rules: daily counts, "rated false", and resurgence.

Pure functions over mention times and ratings, so the same history always gives the same
alerts: importing a historical export reproduces what a live desk would have seen.

Rated false — a fact-check counts as rating its claim false when either

1. it has a numeric rating with a scale, and the value sits in the worst quarter of the
   scale: ``(value - worst) / (best - worst) <= 0.25`` (so 1 on 1–5, 1–2 on 1–7 — "at or
   near worst"); or
2. its label, lower-cased and with Vietnamese accents kept, contains an entry of
   :data:`FALSE_LABELS` and no entry of :data:`NOT_FALSE_LABELS` (which catches "not false",
   "không sai", "half true").

Resurgence — a claim rated false reappears after a quiet period: a mention comes at least
``quiet`` after the mention before it, and at least ``min_mentions`` mentions (that one
included) fall within ``window`` of it. Each such episode is one alert, keyed by the day it
began, so re-running detection never raises it twice. Only episodes that begin after the
fact-check was published count (the claim was *already* rated false).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

FALSE_LABELS: tuple[str, ...] = (
    # English
    "false",
    "mostly false",
    "pants on fire",
    "fake",
    "hoax",
    "incorrect",
    "untrue",
    "not true",
    "wrong",
    "fabricated",
    "baseless",
    "debunked",
    "scam",
    "four pinocchios",
    # Vietnamese
    "sai",
    "sai sự thật",
    "tin giả",
    "giả mạo",
    "tin đồn sai",
    "bịa đặt",
    "không đúng",
    "không đúng sự thật",
    "sai lệch",
    "xuyên tạc",
    "lừa đảo",
    "vô căn cứ",
    "không có căn cứ",
)
NOT_FALSE_LABELS: tuple[str, ...] = (
    "not false",
    "half true",
    "half-true",
    "mostly true",
    "không sai",
    "không phải tin giả",
    "đúng một phần",
)
WORST_QUARTER = 0.25


def is_false_rating(
    label: str | None,
    value: float | None = None,
    best: float | None = None,
    worst: float | None = None,
) -> bool:
    """Does this rating say the claim is false? (rule in the module docstring)"""
    if value is not None and best is not None and worst is not None and best != worst:
        position = (value - worst) / (best - worst)
        if 0.0 <= position <= WORST_QUARTER:
            return True
    text = " ".join((label or "").lower().split())
    if not text:
        return False
    if any(_contains(text, neg) for neg in NOT_FALSE_LABELS):
        return False
    return any(_contains(text, cue) for cue in FALSE_LABELS)


def _contains(text: str, phrase: str) -> bool:
    # Whole words only: "sai" must not match "saigon", "false" not "falsetto".
    import re

    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def daily_counts(times: Iterable[datetime]) -> dict[date, int]:
    """Mentions per UTC day, in date order."""
    counts = Counter(t.date() for t in times)
    return dict(sorted(counts.items()))


@dataclass(frozen=True, slots=True)
class Resurgence:
    """One comeback of a claim: when it began, how long it had been quiet, how strong."""

    started_at: datetime
    quiet_days: float
    previous_at: datetime
    mentions_in_window: int

    @property
    def key(self) -> str:
        return self.started_at.date().isoformat()


def resurgences(
    times: Sequence[datetime],
    *,
    quiet: timedelta,
    window: timedelta,
    min_mentions: int,
    rated_at: datetime | None = None,
) -> list[Resurgence]:
    """Every resurgence episode in a claim's mention history (``times`` in any order)."""
    ordered = sorted(times)
    out: list[Resurgence] = []
    j = 0
    for i in range(1, len(ordered)):
        gap = ordered[i] - ordered[i - 1]
        if gap < quiet:
            continue
        start = ordered[i]
        if rated_at is not None and start < rated_at:
            continue
        j = max(j, i)
        while j < len(ordered) and ordered[j] - start <= window:
            j += 1
        in_window = j - i
        if in_window >= min_mentions:
            out.append(Resurgence(start, gap.total_seconds() / 86400, ordered[i - 1], in_window))
    return out


def spread_rank(score: float, mention_count: int, source_count: int = 1) -> float:
    """Worthiness x spread: the check-worthiness of the claim times a log of how far it
    travelled (mentions, and distinct sources counted double), so one loud source does not
    outrank a claim that many outlets repeat."""
    import math

    return score * (
        1.0 + math.log1p(max(mention_count - 1, 0)) + math.log1p(max(source_count - 1, 0))
    )
