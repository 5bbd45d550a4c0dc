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
