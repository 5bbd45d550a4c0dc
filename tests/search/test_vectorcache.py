"""The vector cache returns what was stored, across instances, and tolerates a torn write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factdesk.search.vectorcache import VectorCache


def test_vectorcache_round_trip_across_instances(tmp_path: Path) -> None:
    keys = [VectorCache.key("m", "passage", t) for t in ("a", "b")]
    vectors = np.arange(8, dtype=np.float32).reshape(2, 4)
    VectorCache(tmp_path, 4).put_many(keys, vectors)
    found = VectorCache(tmp_path, 4).get_many(keys + [VectorCache.key("m", "passage", "c")])
    assert set(found) == set(keys)
    np.testing.assert_array_equal(found[keys[1]], vectors[1])


def test_vectorcache_key_depends_on_model_kind_and_text() -> None:
    base = VectorCache.key("m", "query", "x")
    assert base != VectorCache.key("m2", "query", "x")
    assert base != VectorCache.key("m", "passage", "x")
    assert base != VectorCache.key("m", "query", "y")


def test_vectorcache_ignores_a_torn_tail(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, 2)
    cache.put_many([b"k" * 16], np.ones((1, 2), np.float32))
    with open(tmp_path / "vectors.f32", "ab") as fh:
        fh.write(b"\x00\x00\x80")  # half a row from an interrupted writer
    again = VectorCache(tmp_path, 2)
    assert len(again) == 1
    again.put_many([b"j" * 16], np.full((1, 2), 2.0, np.float32))
    third = VectorCache(tmp_path, 2)
    np.testing.assert_array_equal(third.get_many([b"j" * 16])[b"j" * 16], [2.0, 2.0])


def test_vectorcache_rejects_mismatched_lengths(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        VectorCache(tmp_path, 2).put_many([b"k" * 16], np.ones((2, 2), np.float32))
