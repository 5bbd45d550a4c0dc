"""How well a ClaimReview import reads what real publishers write.

The data: a folder of ClaimReview documents (one per ``*.json`` file, any shape
:func:`~factdesk.ingest.claimreview.parse_claimreview` accepts, one review each) and a truth
file mapping each file name to what a careful reader finds in it::

    {"es_01.json": {"language": "es", "date_published": "2017-03-01T20:30:17+00:00",
                    "appearances": ["https://..."], "publisher": "Verifica ES"}}

``date_published`` is the date *as the publisher wrote it*: ``YYYY-MM-DD`` (the calendar
day in the publisher's own zone), a wall-clock time without a zone, or a time with its
UTC offset — then the stored date must be that instant *and* keep that offset, because a
review published at 00:30 in Delhi is dated the 1st there, not the 30th as UTC says.
Each figure is the share of reviews right; ``appearances`` is the share of true appearance
URLs found (recall), ``appearance_sets`` the share of reviews whose set is exactly right;
``date_day`` is the laxer share whose stored calendar day is the day as written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from factdesk.types import FactCheck

__all__ = ["ClaimReviewScore", "date_matches", "day_matches", "evaluate_claimreview", "read_truth"]

# (file name, bytes) -> the fact-checks the import would store (language filled in).
Importer = Callable[[str, bytes], list[FactCheck]]


@dataclass
class ClaimReviewScore:
    """Counts over the reviews scored, and one line per miss for a person to read."""

    reviews: int = 0
    parsed: int = 0
    language: int = 0
    date: int = 0
    date_day: int = 0
    publisher: int = 0
    appearance_sets: int = 0
    appearances_found: int = 0
    appearances_total: int = 0
    misses: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        n = max(self.reviews, 1)
        return {
            "reviews": self.reviews,
            "parsed": self.parsed,
            "language": round(self.language / n, 4),
            "date": round(self.date / n, 4),
            "date_day": round(self.date_day / n, 4),
            "appearances": round(self.appearances_found / max(self.appearances_total, 1), 4),
            "appearance_sets": round(self.appearance_sets / n, 4),
            "publisher": round(self.publisher / n, 4),
        }


def read_truth(path: Path) -> dict[str, dict[str, Any]]:
    """The truth file: file name → expected language, date, appearances, publisher."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of file name → truth")
    return data


def date_matches(found: datetime | None, truth: str | None) -> bool:
    """Whether ``found`` is the date as written (see the module docstring)."""
    if truth is None or found is None:
        return truth is None and found is None
    if len(truth) == 10:
        return found.date() == date.fromisoformat(truth)
    expected = datetime.fromisoformat(truth)
    if expected.tzinfo is None:
        return found.replace(tzinfo=None) == expected
    return found == expected and found.utcoffset() == expected.utcoffset()


def day_matches(found: datetime | None, truth: str | None) -> bool:
    """Whether the calendar day of ``found`` (in the zone it carries) is the day written."""
    if truth is None or found is None:
        return truth is None and found is None
    return found.date() == date.fromisoformat(truth[:10])


def evaluate_claimreview(
    data: Path, truth: dict[str, dict[str, Any]], importer: Importer
) -> ClaimReviewScore:
    """Score ``importer`` on every file named in ``truth`` (a missing file is a miss)."""
    score = ClaimReviewScore()
    for name in sorted(truth):
        expected = truth[name]
        score.reviews += 1
        wanted = [str(u) for u in expected.get("appearances") or []]
        score.appearances_total += len(wanted)
        path = data / name
        records = importer(name, path.read_bytes()) if path.is_file() else []
        if not records:
            score.misses.append(f"{name}: not imported")
            continue
        score.parsed += 1
        fc = records[0]
        checks = {
            "language": fc.language == expected.get("language"),
            "date": date_matches(fc.date_published, expected.get("date_published")),
            "date_day": day_matches(fc.date_published, expected.get("date_published")),
            "publisher": fc.publisher == expected.get("publisher"),
        }
        found = [a.url for a in fc.appearances]
        score.appearances_found += sum(1 for url in wanted if url in found)
        checks["appearance_sets"] = sorted(set(found)) == sorted(set(wanted))
        for key, ok in checks.items():
            if ok:
                setattr(score, key, getattr(score, key) + 1)
        got = {
            "language": fc.language,
            "date": fc.date_published.isoformat() if fc.date_published else None,
            "date_day": fc.date_published.isoformat() if fc.date_published else None,
            "publisher": fc.publisher,
            "appearance_sets": found,
        }
        want = {
            "language": expected.get("language"),
            "date": expected.get("date_published"),
            "date_day": expected.get("date_published"),
            "publisher": expected.get("publisher"),
            "appearance_sets": wanted,
        }
        for key, ok in checks.items():
            if not ok:
                score.misses.append(f"{name}: {key} {got[key]!r}, expected {want[key]!r}")
    return score
