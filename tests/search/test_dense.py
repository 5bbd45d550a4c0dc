"""Exact and IVF vector search: right neighbours, updates in place, saving and loading."""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.search.dense import VectorIndex


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _clustered(n: int, dim: int = 32, topics: int = 40, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((topics, dim))
    return _unit(centres[rng.integers(0, topics, n)] + 0.35 * rng.standard_normal((n, dim)))


def test_vector_index_exact_search_returns_true_top_k() -> None:
    vectors = _clustered(500)
    index = VectorIndex(32)
    index.add(np.arange(500), vectors)
    query = vectors[7]
    found = index.search(query, 10)
    expected = np.argsort(-(vectors @ query))[:10]
    assert found.slots.tolist() == expected.tolist()
    assert found.scores[0] == np.float32(1.0) or abs(found.scores[0] - 1.0) < 1e-5


def test_vector_index_ivf_recall_is_high_on_clustered_vectors() -> None:
    vectors = _clustered(4000)
    index = VectorIndex(32, exact_limit=1000, nprobe=8)
    index.add(np.arange(4000), vectors)
    assert index.is_ivf
    hits = 0
    for q in range(0, 4000, 40):
        truth = set(np.argsort(-(vectors @ vectors[q]))[:10].tolist())
        hits += len(truth & set(index.search(vectors[q], 10).slots.tolist()))
    assert hits / (100 * 10) >= 0.9


def test_vector_index_replace_and_remove() -> None:
    vectors = _clustered(300, seed=1)
    index = VectorIndex(32, exact_limit=100, nprobe=4)
    index.add(np.arange(300), vectors)
    index.add([5], vectors[[200]])  # slot 5 now holds a copy of 200
    assert set(index.search(vectors[200], 2).slots.tolist()) == {5, 200}
    index.remove([200])
    assert index.search(vectors[200], 1).slots.tolist() == [5]
    assert 200 not in index.search(vectors[200], 300).slots.tolist()
    assert index.size == 299


def test_vector_index_added_one_at_a_time_is_searchable_in_ivf_tail() -> None:
    vectors = _clustered(1200, seed=2)
    index = VectorIndex(32, exact_limit=1000)
    index.add(np.arange(1100), vectors[:1100])
    for slot in range(1100, 1200):
        index.add([slot], vectors[[slot]])
    assert index.search(vectors[1150], 1).slots.tolist() == [1150]


def test_vector_index_renumber_follows_new_slots() -> None:
    vectors = _clustered(50, seed=3)
    index = VectorIndex(32)
    index.add(np.arange(50), vectors)
    index.remove([0, 1])
    old_to_new = np.array([-1, -1] + list(range(48)))
    index.renumber(old_to_new)
    assert index.search(vectors[10], 1).slots.tolist() == [8]
    np.testing.assert_allclose(index.get(np.array([8])), vectors[[10]])


def test_vector_index_round_trip_keeps_results() -> None:
    vectors = _clustered(2000, seed=4)
    index = VectorIndex(32, exact_limit=500)
    index.add(np.arange(2000), vectors)
    index.remove([3])
    restored = VectorIndex.from_arrays(index.to_arrays())
    for q in (0, 3, 999):
        a, b = index.search(vectors[q], 5), restored.search(vectors[q], 5)
        assert a.slots.tolist() == b.slots.tolist()
        np.testing.assert_allclose(a.scores, b.scores, atol=2e-3)  # float16 on disk


def test_vector_index_empty_returns_nothing() -> None:
    index = VectorIndex(8)
    assert len(index.search(np.ones(8, np.float32), 5).slots) == 0
    assert index.get(np.array([3])).shape == (1, 8)


def test_vector_index_tail_merge_keeps_every_vector_findable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vectors = _clustered(11000, seed=5)
    index = VectorIndex(32, exact_limit=500, nprobe=64)
    index.add(np.arange(6000), vectors[:6000])
    merges = []
    original = VectorIndex._merge_tail
    monkeypatch.setattr(VectorIndex, "_merge_tail", lambda self: merges.append(original(self)))
    index.add([3], vectors[[9000]])  # a replacement: slot 3's old vector dies in place
    for start in range(6000, 11000, 100):  # tails big enough to be folded in, in place
        index.add(np.arange(start, start + 100), vectors[start : start + 100])
    assert len(merges) >= 2
    for slot in range(0, 11000, 97):
        want = vectors[9000] if slot == 3 else vectors[slot]
        assert slot in index.search(want, 3).slots.tolist()
    np.testing.assert_allclose(index.get(np.array([1500, 3])), vectors[[1500, 9000]])
    assert index.size == 11000
