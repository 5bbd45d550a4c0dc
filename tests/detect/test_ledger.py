from datetime import UTC, datetime, timedelta

import pytest

from factdesk.detect.ledger import daily_counts, is_false_rating, resurgences, spread_rank


def _d(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("label", "value", "best", "worst", "expected"),
    [
        ("False", None, None, None, True),
        ("Pants on Fire!", None, None, None, True),
        ("Sai sự thật", None, None, None, True),
        ("Tin giả", None, None, None, True),
        ("Mostly false", None, None, None, True),
        ("Không sai", None, None, None, False),
        ("Half true", None, None, None, False),
        ("Misleading", None, None, None, False),
        ("True", None, None, None, False),
        ("Sài Gòn", None, None, None, False),
        ("Rating 1", 1.0, 5.0, 1.0, True),
        ("Rating 2", 2.0, 5.0, 1.0, True),
        ("Rating 3", 3.0, 5.0, 1.0, False),
        ("", 1.0, 7.0, 1.0, True),
        (None, None, None, None, False),
    ],
)
def test_is_false_rating_rule(
    label: str | None, value: float | None, best: float | None, worst: float | None, expected: bool
) -> None:
    assert is_false_rating(label, value, best, worst) is expected


def test_resurgence_after_quiet_period_with_enough_mentions() -> None:
    times = [
        _d("2026-01-05"),
        _d("2026-01-20"),
        _d("2026-02-10"),
        _d("2026-11-02"),
        _d("2026-11-04"),
    ]
    (episode,) = resurgences(
        times, quiet=timedelta(days=30), window=timedelta(days=7), min_mentions=2
    )
    assert episode.key == "2026-11-02"
    assert episode.previous_at == _d("2026-02-10")
    assert episode.mentions_in_window == 2
    assert episode.quiet_days == pytest.approx(265)


def test_resurgence_needs_min_mentions_in_window() -> None:
    times = [_d("2026-01-05"), _d("2026-11-02"), _d("2026-11-20")]
    assert (
        resurgences(times, quiet=timedelta(days=30), window=timedelta(days=7), min_mentions=2) == []
    )


def test_resurgence_ignores_comebacks_before_the_rating() -> None:
    times = [_d("2025-01-01"), _d("2025-06-01"), _d("2025-06-02")]
    out = resurgences(
        times,
        quiet=timedelta(days=30),
        window=timedelta(days=7),
        min_mentions=2,
        rated_at=_d("2025-07-01"),
    )
    assert out == []


def test_resurgence_is_order_independent_and_needs_earlier_activity() -> None:
    times = [_d("2026-11-04"), _d("2026-11-02")]
    assert (
        resurgences(times, quiet=timedelta(days=30), window=timedelta(days=7), min_mentions=1) == []
    )


def test_daily_counts_groups_by_day() -> None:
    counts = daily_counts([_d("2026-01-01T10:00"), _d("2026-01-01T23:00"), _d("2026-01-03")])
    assert list(counts.values()) == [2, 1]


def test_spread_rank_grows_with_mentions_and_sources() -> None:
    assert spread_rank(0.8, 1) == pytest.approx(0.8)
    assert spread_rank(0.8, 10, 5) > spread_rank(0.8, 10, 1) > spread_rank(0.8, 1)
