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


# --- one field per analysis -----------------------------------------------------------------


def _two_analyses(seed: int = 7) -> tuple[list[list[str]], list[str]]:
    """Documents of two analyses: "a" words w0..w199, "b" words v0..v99 plus a few of the
    same spellings as "a" (w0..w9: names and numbers written alike)."""
    rng = random.Random(seed)
    docs = _corpus(seed=seed, n=200)
    b_docs = [
        [rng.choice([f"v{i}" for i in range(100)] + [f"w{i}" for i in range(10)])
         for _ in range(rng.randint(3, 40))]
        for _ in range(120)
    ]  # fmt: skip
    return docs + b_docs, ["a"] * len(docs) + ["b"] * len(b_docs)


def _shared_field_score(
    docs: list[list[str]], query: list[str], slot: int, group: list[int]
) -> float:
    """BM25 of one document by the whole collection's IDF and its own analysis's avgdl."""
    n = len(docs)
    avgdl = np.mean([len(docs[i]) for i in group])
    score = 0.0
    for term in set(query):
        df = sum(term in d for d in docs)
        tf = docs[slot].count(term)
        if not df or not tf:
            continue
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        norm = 1.2 * (1 - 0.75 + 0.75 * len(docs[slot]) / avgdl)
        score += query.count(term) * idf * tf / (tf + norm)
    return score


def test_bm25_each_analysis_has_its_own_statistics() -> None:
    docs, analyses = _two_analyses()
    index = BM25Index()
    index.add(docs[:150], analyses[:150])
    index.add(docs[150:], analyses[150:])
    a_docs = [d for d, g in zip(docs, analyses, strict=True) if g == "a"]
    for query in QUERIES:
        scores = np.zeros(index.size)
        hits = index.search(query, "a")
        scores[hits.slots] = hits.scores
        # documents of the query's analysis: exactly BM25 over that analysis alone
        np.testing.assert_allclose(scores[: len(a_docs)], _reference(a_docs, query), atol=1e-5)


def test_bm25_other_analysis_matches_by_shared_spellings_only() -> None:
    docs, analyses = _two_analyses()
    index = BM25Index()
    index.add(docs, analyses)
    b_slots = [i for i, g in enumerate(analyses) if g == "b"]
    query = ["w1", "w3", "w3", "w150", "v5"]  # v5 is only "b"'s; w150 only "a"'s
    hits = index.search(query, "a")
    scores = np.zeros(index.size)
    scores[hits.slots] = hits.scores
    expected = [_shared_field_score(docs, query, s, b_slots) for s in b_slots]
    assert max(expected) > 0
    np.testing.assert_allclose(scores[b_slots], expected, atol=1e-5)
    np.testing.assert_allclose(
        index.score_slots(query, np.array(b_slots, np.int32), "a"), expected, atol=1e-5
    )
    assert (hits.scores <= index.max_score(query, "a") + 1e-6).all()


def test_bm25_analyses_survive_removal_compaction_and_saving() -> None:
    docs, analyses = _two_analyses(seed=8)
    index = BM25Index()
    index.add(docs, analyses)
    b_slots = [i for i, g in enumerate(analyses) if g == "b"]
    index.remove(b_slots[::2])
    index.remove(range(0, 40))
    kept_a = [
        d for i, (d, g) in enumerate(zip(docs, analyses, strict=True)) if g == "a" and i >= 40
    ]
    for query in QUERIES:
        hits = index.search(query, "a")
        scores = np.zeros(index.size)
        scores[hits.slots] = hits.scores
        np.testing.assert_allclose(scores[40:200], _reference(kept_a, query), atol=1e-5)
    restored = BM25Index.from_arrays(index.to_arrays())
    old_to_new = restored.compact()
    query = ["w1", "w2", "v3"]
    for analysis in ("a", "b", None):
        before = index.search(query, analysis)
        after = np.zeros(restored.size)
        found = restored.search(query, analysis)
        after[found.slots] = found.scores
        np.testing.assert_allclose(after[old_to_new[before.slots]], before.scores, atol=1e-5)
    restored.add([["w1", "brand-new"]], ["b"])
    assert restored.search(["brand-new"], "b").slots.tolist() == [restored.size - 1]
