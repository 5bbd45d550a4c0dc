"""Vectors for grouping mentions: the static embedding, or hashed character n-grams.

Clustering needs one vector per mention. With the static multilingual table it is the
static embedding (shared English–Vietnamese space). Without it (artefact missing, the
fallback) hashed character 3-grams of the accent-kept, lower-cased text still group
near-duplicate wordings within a language, so detection degrades instead of failing.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect.static import StaticEmbedder

HASH_DIM = 1024


class MentionVectoriser:
    def __init__(self, embedder: StaticEmbedder | None):
        self.embedder = embedder
        self.dim = embedder.dim if embedder is not None else HASH_DIM
        self.kind = "static" if embedder is not None else "char-3gram"

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if self.embedder is not None:
            return self.embedder.encode(texts)
        return hashed_ngrams(texts, HASH_DIM)


def hashed_ngrams(texts: Sequence[str], dim: int = HASH_DIM, n: int = 3) -> npt.NDArray[np.float32]:
    """L2-normalised counts of hashed character n-grams (stable across processes)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        clean = " " + " ".join(unicodedata.normalize("NFC", text).lower().split()) + " "
        for i in range(max(len(clean) - n + 1, 0)):
            digest = hashlib.blake2b(clean[i : i + n].encode("utf-8"), digest_size=4).digest()
            out[row, int.from_bytes(digest, "little") % dim] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: npt.NDArray[np.float32] = out / norms
    return result


class CenteredDense:
    """A dense (transformer) encoder with its per-language mean direction removed.

    multilingual-e5 vectors all sit in a narrow cone (unrelated sentences score ~0.7-0.8),
    and each language adds its own offset. Subtracting the mean vector of each language
    (measured on the training sentences, shipped in ``scorer.json``) spreads the cosines and
    aligns the languages: Tatoeba vi->en P@1 0.911 -> 0.930 when measured during development.
    """

    def __init__(self, inner: Any, centers: dict[str, list[float]]):
        self.inner = inner
        self.dim = int(inner.dim)
        self.centers = {k: np.asarray(v, dtype=np.float32) for k, v in centers.items()}
        self.default = (
            np.mean(list(self.centers.values()), axis=0).astype(np.float32)
            if self.centers
            else np.zeros(self.dim, dtype=np.float32)
        )

    def encode(
        self, texts: Sequence[str], languages: Sequence[str | None]
    ) -> npt.NDArray[np.float32]:
        raw = np.asarray(self.inner.encode(list(texts), "query"), dtype=np.float32)
        shift = (
            np.stack([self.centers.get(lang or "", self.default) for lang in languages])
            if len(texts)
            else raw
        )
        out = raw - shift
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        result: npt.NDArray[np.float32] = out / norms
        return result
