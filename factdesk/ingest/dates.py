"""Dates and times as sources write them, to aware UTC datetimes.

The rule, in the order tried (documented in docs/ingestion.md):

1. ISO 8601 (``2024-03-05``, ``2024-03-05T10:20:00+07:00``, ``...Z``, ``20240305``);
2. a bare number: Unix time in seconds, or in milliseconds when its magnitude is 10^11 or
   more (10^11 seconds would be the year 5138);
3. day first: ``dd/mm/yyyy``, ``dd-mm-yyyy`` or ``dd.mm.yyyy``, optionally followed by
   ``HH:MM[:SS]`` and AM/PM (or the Vietnamese SA/CH). Always day first, as Vietnamese and
   most non-US exports write it: ``03/05/2024`` is 3 May. A "month" above 12 is an error,
   not a hint to swap — a silent swap would mis-date half a US-format file;
4. ``yyyy/mm/dd [HH:MM[:SS]]``;
5. RFC 2822 (``Tue, 05 Mar 2024 10:20:00 +0700``, e-mail and RSS) and the Twitter export
   form (``Tue Mar 05 10:20:00 +0000 2024``).

A time without a zone is taken as UTC. Years outside 1900–2200 are refused as nonsense.
This module is on the hot path of large imports: the common ISO case costs one
``fromisoformat`` call, and every pattern is compiled once.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["parse_datetime", "to_utc"]

_MIN_YEAR, _MAX_YEAR = 1900, 2200
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_FIRST = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPpSsCc][MmAaHh])?)?"
)
_YEAR_FIRST = re.compile(
    r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_TWITTER = "%a %b %d %H:%M:%S %z %Y"


def parse_datetime(value: object) -> datetime | None:
    """Return ``value`` as an aware UTC datetime, None when empty; raise ValueError when it
    is not a date in any form the module docstring lists."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked(value)
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int | float):
        return _from_number(float(value))
    if not isinstance(value, str):
        raise ValueError(f"not a date: {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if len(text) >= 8 and text[:4].isdigit() and (text[4] == "-" or len(text) == 8):
        try:
            return _checked(datetime.fromisoformat(text))
        except ValueError:
            pass
    if _NUMBER.fullmatch(text):
        return _from_number(float(text))
    match = _DAY_FIRST.fullmatch(text)
    if match:
        day, month, year, hour, minute, second, half = match.groups()
        return _build(year, month, day, hour, minute, second, half)
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        year, month, day, hour, minute, second = match.groups()
        return _build(year, month, day, hour, minute, second, None)
    return _checked(_textual(text))


def to_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _textual(text: str) -> datetime:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        return datetime.strptime(text, _TWITTER)
    except ValueError:
        pass
    raise ValueError(f"not a date: {text[:60]!r}")


def _from_number(number: float) -> datetime:
    if not math.isfinite(number):
        raise ValueError("not a date: non-finite number")
    if abs(number) >= 1e11:
        number /= 1000.0
    try:
        moment = _EPOCH + timedelta(seconds=number)
    except OverflowError:
        raise ValueError(f"not a date: {number!r} is out of range") from None
    return _checked(moment)


def _build(
    year: str,
    month: str,
    day: str,
    hour: str | None,
    minute: str | None,
    second: str | None,
    half: str | None,
) -> datetime:
    h = int(hour or 0)
    if half:
        marker = half.upper()
        if h > 12 or h == 0:
            raise ValueError(f"not a date: hour {h} with {marker}")
        if marker in ("PM", "CH"):  # CH: chiều, afternoon
            h = h % 12 + 12
        elif marker in ("AM", "SA"):  # SA: sáng, morning
            h = h % 12
        else:
            raise ValueError(f"not a date: unknown marker {half!r}")
    moment = datetime(int(year), int(month), int(day), h, int(minute or 0), int(second or 0))
    return _checked(moment)


def _checked(moment: datetime) -> datetime:
    """Refuse absurd years first (which also keeps the zone conversion from overflowing)."""
    if not _MIN_YEAR <= moment.year <= _MAX_YEAR:
        raise ValueError(f"not a date: year {moment.year} is out of range")
    return to_utc(moment)
