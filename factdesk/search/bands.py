"""From a calibrated match score to what the desk does with it: link, suggest or hide.

* ``auto``: confident enough to link the post to the fact-check without a person;
* ``suggest``: shown to a checker, who confirms or rejects;
* ``hidden``: kept out of the way.

Thresholds are per language of the query (``FACTDESK_MATCH_AUTO_THRESHOLD`` and
``FACTDESK_MATCH_SUGGEST_THRESHOLD``, "*" for every other language), because the model is
trained on English and is less sure of itself elsewhere. Four guards can only lower a band:
a very short post (fewer than ``short_text_words`` words of letters) has too little content to
link automatically; a long post (``long_text``: the caller passes
:func:`factdesk.search.segments.is_long`, the same test that decides its cleaning and
sentence windows, so the guard and the windowing never disagree) is only suggested outside
the languages in ``long_text_auto``, because taking the best window's cosine raises the
scores of wrong matches too, and only Vietnamese long posts were seen to stay calibrated
(docs/matching.md, "Noisy long posts"); a match across
languages is only suggested unless ``cross_lingual_auto`` is set, because no cross-lingual
pairs were available to calibrate its score; and with a recency window a fact-check older
than the window may no longer apply, so a person looks first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from factdesk.types import Band

BANDS: tuple[Band, ...] = ("auto", "suggest", "hidden")

DEFAULT_AUTO = {"en": 0.9, "vi": 0.95, "*": 0.95}
DEFAULT_SUGGEST = {"en": 0.4, "vi": 0.4, "*": 0.4}
LONG_TEXT_AUTO = frozenset({"vi"})


@dataclass(frozen=True, slots=True)
class BandPolicy:
    auto: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_AUTO))
    suggest: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SUGGEST))
    short_text_words: int = 6
    long_text_auto: frozenset[str] = LONG_TEXT_AUTO
    recency_days: int = 0  # 0: no window
    cross_lingual_auto: bool = False

    def threshold(self, table: Mapping[str, float], language: str | None) -> float:
        if language and language in table:
            return table[language]
        return table.get("*", 1.0)

    def band(
        self,
        score: float,
        *,
        language: str | None,
        words: int,
        long_text: bool = False,
        published: datetime | None = None,
        now: datetime | None = None,
        cross_lingual: bool = False,
    ) -> Band:
        """The band of one match; ``words`` is the length of the query in words of letters
        (numbers and symbols say nothing about a claim), ``long_text`` whether the query is a
        long post (:func:`factdesk.search.segments.is_long`)."""
        if score < self.threshold(self.suggest, language):
            return "hidden"
        if score < self.threshold(self.auto, language):
            return "suggest"
        if words < self.short_text_words:
            return "suggest"
        if long_text and (language or "") not in self.long_text_auto:
            return "suggest"
        if cross_lingual and not self.cross_lingual_auto:
            return "suggest"
        if self.recency_days and published is not None and now is not None:
            if published < now - timedelta(days=self.recency_days):
                return "suggest"
        return "auto"


def band_rank(band: Band) -> int:
    """0 for auto, 1 for suggest, 2 for hidden: lower is stronger."""
    return BANDS.index(band)
