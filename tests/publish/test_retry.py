from __future__ import annotations

from factdesk.publish.retry import retry_delay


def test_retry_delay_doubles_then_caps() -> None:
    exact = [retry_delay(n, base=30, cap=600, rand=lambda: 1.0) for n in range(1, 8)]
    assert exact == [30, 60, 120, 240, 480, 600, 600]


def test_retry_delay_jitter_stays_within_half_to_full() -> None:
    assert retry_delay(3, base=30, cap=600, rand=lambda: 0.0) == 60
    assert retry_delay(3, base=30, cap=600, rand=lambda: 0.5) == 90
    assert retry_delay(10_000, base=30, cap=600, rand=lambda: 1.0) == 600  # no overflow
