"""The incremental BM25 index agrees with bm25s and survives updates, compaction and saving."""

from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest

from factdesk.search.bm25 import BM25Index


def _corpus(seed: int = 0, n: int = 300) -> list[list[str]]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(200)]
    return [
        [rng.choice(vocab[: rng.randint(5, 200)]) for _ in range(rng.randint(1, 25))]
        for _ in range(n)
    ]


def _dense(index: BM25Index, query: list[str]) -> np.ndarray:
    hits = index.search(query)
    out = np.zeros(index.size)
    out[hits.slots] = hits.scores
    return out


def _reference(docs: list[list[str]], query: list[str]) -> np.ndarray:
    ref = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    ref.index(docs, show_progress=False)
    return np.asarray(ref.get_scores(query))


QUERIES = [["w1", "w2", "w3"], ["w5", "w5", "w150"], ["w199", "unknown"], ["w0"]]


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_search_matches_bm25s_lucene(query: list[str]) -> None:
    docs = _corpus()
    index = BM25Index()
    index.add(docs[:100])
    index.add(docs[100:250])
    for doc in docs[250:]:  # one at a time: exercises the unmerged tail
        index.add([doc])
    np.testing.assert_allclose(_dense(index, query), _reference(docs, query), atol=1e-5)


def test_bm25_remove_equals_index_without_the_document() -> None:
    docs = _corpus(seed=1)
    index = BM25Index()
    index.add(docs)
    gone = [3, 50, 51, 299]
    index.remove(gone)
    kept = [d for i, d in enumerate(docs) if i not in gone]
    query = ["w1", "w7", "w9"]
    scores = _dense(index, query)
    assert all(scores[i] == 0 for i in gone)
    np.testing.assert_allclose(np.delete(scores, gone), _reference(kept, query), atol=1e-5)
    assert index.live == len(kept)


def test_bm25_compact_renumbers_and_keeps_scores() -> None:
    docs = _corpus(seed=2)
    index = BM25Index()
    index.add(docs)
    index.remove(range(0, 300, 3))
    before = _dense(index, ["w2", "w4"])
    old_to_new = index.compact()
    after = _dense(index, ["w2", "w4"])
    assert index.size == 200 and index.live == 200
    for old, new in enumerate(old_to_new):
        if new >= 0:
            assert after[new] == pytest.approx(before[old], abs=1e-6)


def test_bm25_arrays_round_trip() -> None:
    docs = _corpus(seed=3)
    index = BM25Index()
    index.add(docs[:200])
    index.add([docs[200]])
    index.remove([5])
    restored = BM25Index.from_arrays(index.to_arrays())
    for query in QUERIES:
        np.testing.assert_allclose(_dense(restored, query), _dense(index, query))
    restored.add([["w1", "brand-new"]])
    assert restored.search(["brand-new"]).slots.tolist() == [restored.size - 1]


def test_bm25_empty_index_and_empty_query_return_nothing() -> None:
    index = BM25Index()
    assert len(index.search(["anything"]).slots) == 0
    index.add([["a", "b"]])
    assert len(index.search([]).slots) == 0
    assert index.max_score([]) == 0.0


def test_bm25_max_score_bounds_every_document() -> None:
    docs = _corpus(seed=4)
    index = BM25Index()
    index.add(docs)
    for query in QUERIES:
        hits = index.search(query)
        assert (hits.scores <= index.max_score(query) + 1e-6).all()


def test_bm25_score_slots_equals_search_for_those_slots() -> None:
    docs = _corpus(seed=5)
    index = BM25Index()
    index.add(docs[:250])
    index.add([docs[250]])
    index.remove([7])
    slots = np.array([0, 7, 250, 120, 3], dtype=np.int32)
    for query in QUERIES:
        full = _dense(index, query)
        np.testing.assert_allclose(index.score_slots(query, slots), full[slots], atol=1e-5)


def test_bm25_merge_into_existing_base_keeps_scores() -> None:
    docs = _corpus(seed=6)
    index = BM25Index()
    index.add(docs[:120])
    index.merge()
    index.add(docs[120:200])
    index.add(docs[200:])
    index.merge()  # base and tail both non-empty
    for query in QUERIES:
        np.testing.assert_allclose(_dense(index, query), _reference(docs, query), atol=1e-5)
    assert index.offsets[-1] == len(index.slots)
