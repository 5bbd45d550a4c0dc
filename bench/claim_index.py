"""The claim index's assign step as the index grows: mentions/s against banks of exemplars.

Detection compares every new mention with the exemplars of every known claim (same
language). At 200,000 items the index holds tens of thousands of exemplars, and the
per-item rate of ``bench/pipeline.py`` fell by half against the 5,000-item run: each
mention's comparison read the whole bank from memory (a matrix-vector product,
memory-bound) — all languages' exemplars, though only the mention's own language can match.
``ClaimIndex.assign`` now keeps one bank per language and compares ``ASSIGN_BLOCK`` mentions
at once with their language's bank (one matrix product: the bank is read once per block).

Per bank size, the same mentions are assigned by:
  * baseline "before": one bank for every language, one matrix-vector product per mention
    (``ASSIGN_BLOCK = 1`` with every language the same: the code before 2026-12-04 read
    exactly this much);
  * "per language": a bank per language, ``ASSIGN_BLOCK = 1``;
  * "blocked": a bank per language, the shipped ``ASSIGN_BLOCK``.
The last two must give the same assignments (checked). Vectors are random unit vectors around
random centres in the shipped static embedding's dimension (256), half Vietnamese, half
English; nothing is read from disk.

Usage: OMP_NUM_THREADS=1 .venv/bin/python bench/claim_index.py [--sizes 10000,50000,100000]
       [--mentions 2000]
Prints one line per size and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from factdesk.detect import cluster
from factdesk.detect.cluster import ClaimIndex

DIM = 256


def _unit(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)


def _index(bank: np.ndarray, langs: list[str | None]) -> ClaimIndex:
    index = ClaimIndex(dim=DIM, thresholds=0.8)
    for start in range(0, len(bank), 1000):  # a claim per exemplar: the worst case
        for j in range(start, min(start + 1000, len(bank))):
            index.add(j, bank[j : j + 1], [langs[j]])
    return index


def _assign(
    bank: np.ndarray, langs: list[str | None], mentions: np.ndarray, block: int
) -> tuple[float, list[object]]:
    cluster.ASSIGN_BLOCK = block
    index = _index(bank, langs)
    one_bank = langs[0] is None
    mention_langs = [None if one_bank else "vi" if i % 2 else "en" for i in range(len(mentions))]
    started = time.perf_counter()
    out = index.assign(mentions, mention_langs)
    seconds = time.perf_counter() - started
    return seconds, [a.key for a in out]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--mentions", type=int, default=2000)
    args = parser.parse_args()
    shipped = cluster.ASSIGN_BLOCK
    rng = np.random.default_rng(0)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        centres = rng.normal(size=(size // 4 + 1, DIM))
        bank = _unit(
            centres[rng.integers(0, len(centres), size)] + rng.normal(scale=0.5, size=(size, DIM))
        )
        langs: list[str | None] = ["vi" if i % 2 else "en" for i in range(size)]
        near = centres[rng.integers(0, len(centres), args.mentions)]
        mentions = _unit(near + rng.normal(scale=0.5, size=(args.mentions, DIM)))
        base_s, _ = _assign(bank, [None] * size, mentions, 1)
        split_s, split_keys = _assign(bank, langs, mentions, 1)
        new_s, new_keys = _assign(bank, langs, mentions, shipped)
        same = split_keys == new_keys
        row = {
            "exemplars": size,
            "mentions": args.mentions,
            "before_per_s": round(args.mentions / base_s, 1),
            "per_language_per_s": round(args.mentions / split_s, 1),
            "blocked_per_s": round(args.mentions / new_s, 1),
            "speedup": round(base_s / new_s, 2),
            "same_assignments": same,
        }
        results.append(row)
        print(
            f"{size:>7} exemplars: before {row['before_per_s']:>8} /s, per language "
            f"{row['per_language_per_s']:>8} /s, blocked ({shipped}) {row['blocked_per_s']:>8} /s,"
            f" x{row['speedup']} (same assignments: {same})",
            flush=True,
        )
    cluster.ASSIGN_BLOCK = shipped
    print(json.dumps({"block": shipped, "results": results}))


if __name__ == "__main__":
    main()
