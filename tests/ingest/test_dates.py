from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.ingest.dates import parse_datetime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-03-05T10:20:00+07:00", datetime(2024, 3, 5, 3, 20, tzinfo=UTC)),
        ("2024-03-05T10:20:00Z", datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        ("2024-03-05 10:20:00", datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        ("20240305", datetime(2024, 3, 5, tzinfo=UTC)),
        ("1709634000", datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        ("1709634000000", datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        (1709634000, datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        (1709634000000, datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        ("03/05/2024", datetime(2024, 5, 3, tzinfo=UTC)),
        ("03/05/2024 14:30", datetime(2024, 5, 3, 14, 30, tzinfo=UTC)),
        ("3-5-2024 14:30:15", datetime(2024, 5, 3, 14, 30, 15, tzinfo=UTC)),
        ("03.05.2024", datetime(2024, 5, 3, tzinfo=UTC)),
        ("03/05/2024 2:30 PM", datetime(2024, 5, 3, 14, 30, tzinfo=UTC)),
        ("03/05/2024 2:30 CH", datetime(2024, 5, 3, 14, 30, tzinfo=UTC)),
        ("03/05/2024 12:10 SA", datetime(2024, 5, 3, 0, 10, tzinfo=UTC)),
        ("2024/03/05 08:00", datetime(2024, 3, 5, 8, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 10:20:00 +0700", datetime(2024, 3, 5, 3, 20, tzinfo=UTC)),
        ("Tue Mar 05 10:20:00 +0000 2024", datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        (
            datetime(2024, 3, 5, 17, 0, tzinfo=timezone(timedelta(hours=7))),
            datetime(2024, 3, 5, 10, tzinfo=UTC),
        ),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_datetime_known_forms(value: object, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "13/13/2024",
        "05/13/2024",
        "32/01/2024",
        "1800-01-01",
        "2024-02-30",
        True,
        float("nan"),
        "1e400",
        [2024],
    ],
)
def test_parse_datetime_rejects_nonsense(value: object) -> None:
    with pytest.raises(ValueError):
        parse_datetime(value)


def test_parse_datetime_is_always_utc() -> None:
    moment = parse_datetime("2024-03-05T23:30:00-05:00")
    assert moment is not None and moment.tzinfo is UTC and moment.day == 6


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none()))
def test_parse_datetime_never_raises_other_errors(value: object) -> None:
    try:
        moment = parse_datetime(value)
    except ValueError:
        return
    assert moment is None or moment.tzinfo is UTC


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1901, 1, 1), max_value=datetime(2199, 1, 1), timezones=st.just(UTC)
    )
)
def test_parse_datetime_round_trips_isoformat(moment: datetime) -> None:
    assert parse_datetime(moment.isoformat()) == moment


# --- dates as written (ClaimReview) --------------------------------------------------------

from datetime import timedelta, timezone  # noqa: E402

from factdesk.ingest.dates import (  # noqa: E402
    as_written,
    parse_datetime_as_written,
    utc_offset_minutes,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-03-01 20:30:17 UTC", "2017-03-01T20:30:17+00:00"),
        ("2022-12-01T00:30:00+05:30", "2022-12-01T00:30:00+05:30"),
        ("2019-07-01 12:00:00 +0200", "2019-07-01T12:00:00+02:00"),
        ("2024-03-06 01:30:00 +07:00", "2024-03-06T01:30:00+07:00"),
        ("2023-02-15T09:30:00.000Z", "2023-02-15T09:30:00+00:00"),
        ("2020-03-03 10:00 CET", "2020-03-03T10:00:00+01:00"),
        ("Mar. 3, 2020, 5:30 PM EST", "2020-03-03T17:30:00-05:00"),
        ("March 3, 2020", "2020-03-03T00:00:00+00:00"),
        ("3 de marzo de 2020", "2020-03-03T00:00:00+00:00"),
        ("15 janvier 2021 à 14h30", "2021-01-15T14:30:00+00:00"),
        ("Tue, 05 Mar 2024 10:20:00 +0700", "2024-03-05T10:20:00+07:00"),
        ("04/05/2023 14:10", "2023-05-04T14:10:00+00:00"),
        ("2021-11-22", "2021-11-22T00:00:00+00:00"),
    ],
)
def test_parse_datetime_as_written_keeps_the_zone(text: str, expected: str) -> None:
    assert parse_datetime_as_written(text).isoformat() == expected  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text", ["yesterday", "2024-13-01", "3 Foo 2020", "2024-01-01 10:00 XYZ", "2024-01-01 IST"]
)
def test_parse_datetime_as_written_refuses_nonsense_and_ambiguous_zones(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_datetime_as_written(text)


def test_offset_round_trip_through_utc() -> None:
    delhi = parse_datetime_as_written("2022-12-01T00:30:00+05:30")
    assert delhi is not None and utc_offset_minutes(delhi) == 330
    stored = delhi.astimezone(UTC)  # what the database keeps
    assert stored.date().day == 30
    back = as_written(stored, 330)
    assert back == delhi and back is not None and back.utcoffset() == timedelta(minutes=330)
    assert as_written(stored, None) is stored and utc_offset_minutes(None) is None
