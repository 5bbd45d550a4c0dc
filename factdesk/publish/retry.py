"""When to try a failed webhook delivery again: exponential backoff with jitter.

The n-th retry waits ``base * 2**(n-1)`` seconds, capped at ``cap``, then scaled by a
random factor in [0.5, 1.0] ("equal jitter"), so many deliveries that failed together —
a receiver down for an hour — do not all come back in the same second.
"""

from __future__ import annotations

import random
from collections.abc import Callable


def retry_delay(
    attempts: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after ``attempts`` failed attempts (``attempts`` >= 1)."""
    exponent = max(attempts - 1, 0)
    # 2**exponent grows fast; stop before it overflows a float.
    delay = cap if exponent > 60 else min(cap, base * (2**exponent))
    return delay * (0.5 + 0.5 * rand())
