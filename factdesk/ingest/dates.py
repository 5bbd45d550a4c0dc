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

:func:`parse_datetime_as_written` reads the same forms and a few more that publishers put
in ClaimReview (a zone name after the time, ``2017-03-01 20:30:17 UTC``; a spaced offset,
``2019-07-01 12:00:00 +0200``; month names, ``March 3, 2020`` / ``3 de marzo de 2020``)
and keeps the time *in the zone it was written in*: a review dated 00:30 in Delhi is dated
the 1st there, although it is still the 30th in UTC.
This module is on the hot path of large imports: the common ISO case costs one
``fromisoformat`` call, and every pattern is compiled once.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

__all__ = [
    "as_written",
    "parse_datetime",
    "parse_datetime_as_written",
    "to_utc",
    "utc_offset_minutes",
]

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


# Zone names publishers write after a time. Only unambiguous ones: "IST" (India, Israel or
# Ireland) or "CST" (China or the US) would be a guess, and a guess mis-dates silently.
_ZONE_NAMES = {
    "utc": 0, "gmt": 0, "z": 0, "ut": 0, "cet": 60, "cest": 120, "wet": 0, "west": 60,
    "eet": 120, "eest": 180, "msk": 180, "ict": 420, "wib": 420, "wita": 480, "wit": 540,
    "hkt": 480, "jst": 540, "kst": 540, "sgt": 480, "pht": 480, "brt": -180, "art": -180,
    "est": -300, "edt": -240, "pst": -480, "pdt": -420, "sast": 120, "eat": 180, "wat": 60,
}  # fmt: skip
_TRAILING_ZONE = re.compile(
    r"^(?P<moment>.*?(?:\d|[AaPp]\.?[Mm]\.?))\s*(?:(?P<name>[A-Za-z]{1,4})|(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2}))$"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan enero ene janvier janv januar janeiro gennaio gen",
            "february feb febrero février févr fevrier februar fevereiro fev febbraio",
            "march mar marzo mars märz marz março marco",
            "april apr abril avril aprile",
            "may mayo mai maio maggio mag",
            "june jun junio juin juni junho giugno giu",
            "july jul julio juillet juil juli julho luglio lug",
            "august aug agosto août aout ago",
            "september sep sept septiembre septembre setembro settembre set",
            "october oct octubre octobre oktober outubro ottobre ott okt out",
            "november nov noviembre novembre novembro",
            "december dec diciembre décembre dezember dezembro dicembre dic dez",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH_FIRST = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:[ ,T]+(.+))?")
_DAY_MONTH = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?([^\W\d_]+)\.?,?\s+(?:de\s+)?(\d{4})(?:[ ,T]+(.+))?"
)
_CLOCK = re.compile(
    r"(?:[aà]s\s+|at\s+|à\s+)?(\d{1,2})[:h.](\d{2})(?::(\d{2}))?\s*([AaPp])?\.?(?:[Mm]\.?)?"
)


def parse_datetime_as_written(value: object) -> datetime | None:
    """Like :func:`parse_datetime` (same forms, same errors) but aware in the zone the
    value was written in; a value without a zone is taken as UTC, as there."""
    if isinstance(value, datetime):
        _checked(value)
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return parse_datetime(value)
    text = value.strip()
    if not text:
        return None
    zone: timezone | None = None
    match = _TRAILING_ZONE.match(text)
    if match and (match["sign"] or match["name"].lower() in _ZONE_NAMES):
        if match["sign"]:
            minutes = int(match["hh"]) * 60 + int(match["mm"])
            minutes = -minutes if match["sign"] == "-" else minutes
        else:
            minutes = _ZONE_NAMES[match["name"].lower()]
        if minutes <= 14 * 60 and minutes >= -12 * 60:
            zone = timezone(timedelta(minutes=minutes))
            text = match["moment"].strip()
    moment = _written(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    _checked(moment)
    return moment


def _written(text: str) -> datetime:
    """A datetime as written: aware when the text carries its offset, else naive."""
    if len(text) >= 8 and text[:4].isdigit() and (text[4] == "-" or len(text) == 8):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    for pattern, month_at, day_at in ((_MONTH_FIRST, 1, 2), (_DAY_MONTH, 2, 1)):
        named = pattern.fullmatch(text)
        if named and named.group(month_at).lower() in _MONTHS:
            month = _MONTHS[named.group(month_at).lower()]
            day, year, rest = int(named.group(day_at)), int(named.group(3)), named.group(4)
            hour = minute = second = 0
            if rest:
                clock = _CLOCK.fullmatch(rest.strip())
                if clock is None:
                    raise ValueError(f"not a date: {text[:60]!r}")
                hour, minute, second = int(clock[1]), int(clock[2]), int(clock[3] or 0)
                if clock[4]:
                    hour = hour % 12 + (12 if clock[4].lower() == "p" else 0)
            return datetime(year, month, day, hour, minute, second)
    if _NUMBER.fullmatch(text):
        return _from_number(float(text))
    try:
        return _textual(text)  # RFC 2822 and the Twitter form keep their offsets
    except ValueError:
        pass
    moment = parse_datetime(text)  # day-first and year-first forms (naive: UTC there)
    if moment is None:
        raise ValueError("not a date: empty")
    return moment.replace(tzinfo=None)


def utc_offset_minutes(moment: datetime | None) -> int | None:
    """The offset a datetime was written in, in minutes (None: unknown or naive).

    The store keeps timestamps in UTC and this beside them, so :func:`as_written` can give
    the date back in its own zone."""
    if moment is None:
        return None
    offset = moment.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def as_written(moment: datetime | None, offset_minutes: int | None) -> datetime | None:
    """``moment`` shown in the offset it was written in (as it is when the offset is None)."""
    if moment is None or offset_minutes is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone(timedelta(minutes=offset_minutes)))


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
