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
        centers: dict[str, npt.NDArray[np.floating]] | None = None,
    ):
        if len(pieces) != table.shape[0]:
            raise ValueError("one table row per piece is required")
        self.tokenizer = PieceTokenizer(pieces, scores)
        self.table = np.asarray(table, dtype=np.float32)
        self.dim = int(self.table.shape[1])
        # The mean direction every sentence shares (the teacher's anisotropy, inherited by
        # distillation); removing it spreads cosines out so one threshold means something.
        self.center = None if center is None else np.asarray(center, dtype=np.float32)
        # Per-language mean directions: removing them puts English and Vietnamese sentences
        # around one origin, so a classifier trained on English does not see every
        # Vietnamese sentence as "unlike the training data" (and score it low).
        self.centers = {k: np.asarray(v, dtype=np.float32) for k, v in (centers or {}).items()}

    @classmethod
    def load(cls, path: Path) -> StaticEmbedder:
        """Read the ``static.npz`` artefact (no pickles: plain arrays only)."""
        with np.load(path, allow_pickle=False) as data:
            pieces = [str(p) for p in data["pieces"]]
            center = data["center"] if "center" in data.files else None
            centers = {k.split(":", 1)[1]: data[k] for k in data.files if k.startswith("center:")}
            return cls(pieces, data["scores"].tolist(), data["table"], center, centers)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "pieces": np.array(self.tokenizer.pieces),
            "scores": np.asarray(self.tokenizer._scores, dtype=np.float32),
            "table": self.table.astype(np.float16),
        }
        if self.center is not None:
            arrays["center"] = self.center
        for language, vector in self.centers.items():
            arrays[f"center:{language}"] = vector
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    def encode(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> Matrix:
        """(n, dim) L2-normalised vectors; a text with no known piece gets a zero vector.

        With ``languages``, each text's language centre is removed (the overall centre for a
        language without one)."""
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
        if languages is not None and self.centers:
            default = self.center if self.center is not None else np.zeros(self.dim, np.float32)
            shift = np.stack([self.centers.get(lang or "", default) for lang in languages])
            out[nonempty] = _unit(out[nonempty] - shift[nonempty])
        elif self.center is not None:
            out[nonempty] = _unit(out[nonempty] - self.center)
        return out

    def with_center(
        self, texts: Sequence[str], by_language: dict[str, Sequence[str]] | None = None
    ) -> StaticEmbedder:
        """A copy that removes the mean direction of ``texts`` (a reference corpus) and, for
        each language of ``by_language``, that language's mean direction."""
        plain = StaticEmbedder(self.tokenizer.pieces, self.tokenizer._scores, self.table)
        center = plain.encode(texts).mean(axis=0)
        centers = {k: plain.encode(v).mean(axis=0) for k, v in (by_language or {}).items() if v}
        return StaticEmbedder(
            self.tokenizer.pieces, self.tokenizer._scores, self.table, center, centers
        )


def _unit(m: Matrix) -> Matrix:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Matrix = (m / norms).astype(np.float32)
    return result
