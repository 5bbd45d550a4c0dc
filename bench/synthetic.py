"""What the index benchmarks (``match.py``, ``research.py``) share: the synthetic words their
texts are made of, latency percentiles, peak memory, and running one side in a fresh child.

The texts are pseudo-words drawn from a Zipf law over a fixed 50,000-word vocabulary, so
BM25 sees a realistic long tail without any dataset text; vectors are made by each script.
"""

from __future__ import annotations

import json
import resource
import socket
import subprocess
import sys
from typing import Any

import numpy as np

DIM = 384
TOPICS = 2000
VOCAB = 50_000


def _vocab() -> list[str]:
    rng = np.random.default_rng(12345)
    syll = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    out: set[str] = set()
    while len(out) < VOCAB:
        out.add("".join(rng.choice(syll, size=int(rng.integers(1, 4)))))
    return sorted(out)


_WORDS = _vocab()


def zipf_words(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` words of the vocabulary, frequent ones often (Zipf, s = 1.15)."""
    ranks = np.minimum(rng.zipf(1.15, size=n), VOCAB) - 1
    return [_WORDS[r] for r in ranks.tolist()]


def percentiles(times: list[float]) -> dict[str, float]:
    """p50 and p95 of ``times`` (seconds), in milliseconds."""
    ms = np.array(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_child(
    script: str, kind: str, n: int, count: int, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``script --child KIND`` in a fresh process (so its peak memory is its own) and
    return the JSON object on its last line."""
    proc = subprocess.run(
        [sys.executable, script, "--child", kind, "--sizes", str(n), "--queries", str(count)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} at {n} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def free_port() -> int:
    """A loopback port nothing listens on now (for a benchmark's own server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
