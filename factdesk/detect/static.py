"""A static multilingual sentence embedding: look pieces up in a table, average, normalise.

The table is distilled from multilingual-e5 (see ``distil.py``), so English and Vietnamese
pieces live in one space: "lũ lụt" and "flood" land near each other without translation.
It is hundreds of times faster than running the transformer, which is what lets every
sentence of a stream be scored and clustered; the transformer is kept for the few texts
where precision matters more (claim matching).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from factdesk.detect.pieces import PieceTokenizer

Matrix = npt.NDArray[np.float32]


class StaticEmbedder:
    """Sentence vectors from a piece table (rows already frequency-weighted)."""

    def __init__(
        self,
        pieces: Sequence[str],
        scores: Sequence[float],
        table: npt.NDArray[np.floating],
        center: npt.NDArray[np.floating] | None = None,
    ):
        if len(pieces) != table.shape[0]:
            raise ValueError("one table row per piece is required")
        self.tokenizer = PieceTokenizer(pieces, scores)
        self.table = np.asarray(table, dtype=np.float32)
        self.dim = int(self.table.shape[1])
        # The mean direction every sentence shares (the teacher's anisotropy, inherited by
        # distillation); removing it spreads cosines out so one threshold means something.
        self.center = None if center is None else np.asarray(center, dtype=np.float32)

    @classmethod
    def load(cls, path: Path) -> StaticEmbedder:
        """Read the ``static.npz`` artefact (no pickles: plain arrays only)."""
        with np.load(path, allow_pickle=False) as data:
            pieces = [str(p) for p in data["pieces"]]
            center = data["center"] if "center" in data.files else None
            return cls(pieces, data["scores"].tolist(), data["table"], center)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "pieces": np.array(self.tokenizer.pieces),
            "scores": np.asarray(self.tokenizer._scores, dtype=np.float32),
            "table": self.table.astype(np.float16),
        }
        if self.center is not None:
            arrays["center"] = self.center
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    def encode(self, texts: Sequence[str]) -> Matrix:
        """(n, dim) L2-normalised vectors; a text with no known piece gets a zero vector."""
        ids: list[int] = []
        starts: list[int] = []
        for text in texts:
            starts.append(len(ids))
            ids.extend(self.tokenizer.encode(text))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not ids:
            return out
        rows = self.table[np.asarray(ids, dtype=np.int64)]
        lengths = np.diff(np.asarray([*starts, len(ids)]))
        nonempty = lengths > 0
        sums = np.add.reduceat(rows, np.asarray(starts)[nonempty], axis=0)
        out[nonempty] = sums
        out = _unit(out)
        if self.center is not None:
            out[nonempty] = _unit(out[nonempty] - self.center)
        return out

    def with_center(self, texts: Sequence[str]) -> StaticEmbedder:
        """A copy that removes the mean direction of ``texts`` (a reference corpus)."""
        plain = StaticEmbedder(self.tokenizer.pieces, self.tokenizer._scores, self.table)
        center = plain.encode(texts).mean(axis=0)
        return StaticEmbedder(self.tokenizer.pieces, self.tokenizer._scores, self.table, center)


def _unit(m: Matrix) -> Matrix:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Matrix = (m / norms).astype(np.float32)
    return result
