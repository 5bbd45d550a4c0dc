"""Grouping mentions into claims, incrementally, as items arrive.

Each claim keeps a few exemplar vectors (distinct wordings of it: an English one, a
Vietnamese one, a reworded one...). A new mention joins the claim of its most similar
exemplar if the cosine reaches the threshold, else it opens a new claim that later mentions
of the same batch can join. Exemplars rather than one centroid, because a claim that lives in
two languages, or that an editor merged from two groups, has two centres, and their mean
would be close to neither.

This is single-pass nearest-exemplar clustering: cheap (one matrix product per batch), and
it never rewrites history, so claim ids stay put for editors; an editor's merge and split
correct what it gets wrong. The threshold is a setting; ``factdesk eval paraphrase``
measures the similarity on vnPara.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
MAX_EXEMPLARS = 20  # per claim
REDUNDANT = 0.97  # a wording this close to an exemplar adds nothing new


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where a mention went: an existing claim key, or a new claim (``new=True``)."""

    key: Hashable
    similarity: float
    new: bool


class ClaimIndex:
    """Exemplar vectors of known claims; assign vectors to them or open new claims."""

    def __init__(self, dim: int, threshold: float):
        self.dim = dim
        self.threshold = threshold
        self._vectors = np.zeros((64, dim), dtype=np.float32)
        self._owner: list[Hashable] = []  # claim key of each exemplar row
        self._rows: dict[Hashable, list[int]] = {}
        self._next_new = 0

    def __len__(self) -> int:
        """Number of claims."""
        return len(self._rows)

    def add(self, key: Hashable, vectors: Matrix) -> None:
        """Register (more of) a claim's mentions; near-repeats of an exemplar are skipped."""
        rows = self._rows.setdefault(key, [])
        for v in vectors:
            if float(np.linalg.norm(v)) == 0.0 or len(rows) >= MAX_EXEMPLARS:
                continue
            if rows and float(np.max(self._vectors[rows] @ v)) >= REDUNDANT:
                continue
            self._append(key, v)

    def assign(self, vectors: Matrix) -> list[Assignment]:
        """Assign each row in order; new claims get keys ("new", 0), ("new", 1), ..."""
        out: list[Assignment] = []
        if len(vectors) == 0:
            return out
        # One product against the exemplars known before the batch; exemplars added within
        # the batch are few and checked one by one.
        base_n = len(self._owner)
        base = self._vectors[:base_n] @ vectors.T
        for i, v in enumerate(vectors):
            best, best_sim = -1, -1.0
            if base_n:
                j = int(np.argmax(base[:, i]))
                best, best_sim = j, float(base[j, i])
            if len(self._owner) > base_n:
                extra = self._vectors[base_n : len(self._owner)] @ v
                j = int(np.argmax(extra))
                if float(extra[j]) > best_sim:
                    best, best_sim = base_n + j, float(extra[j])
            if best >= 0 and best_sim >= self.threshold and float(np.linalg.norm(v)) > 0:
                key = self._owner[best]
                if best_sim < REDUNDANT:
                    self.add(key, v[None, :])
                out.append(Assignment(key, best_sim, _is_new(key)))
            else:
                key = ("new", self._next_new)
                self._next_new += 1
                self._rows[key] = []
                self._append(key, v)
                out.append(Assignment(key, 1.0, True))
        return out

    def rename(self, old: Hashable, new: Hashable) -> None:
        """Give a new claim its database id once it has one."""
        rows = self._rows.pop(old)
        self._rows[new] = rows
        for i in rows:
            self._owner[i] = new

    def _append(self, key: Hashable, v: npt.NDArray[np.floating]) -> None:
        n = len(self._owner)
        if n == len(self._vectors):  # grow by doubling: many new claims per batch stay linear
            self._vectors = np.vstack([self._vectors, np.zeros_like(self._vectors)])
        self._vectors[n] = v
        self._owner.append(key)
        self._rows.setdefault(key, []).append(n)


def _is_new(key: Hashable) -> bool:
    return isinstance(key, tuple) and key[:1] == ("new",)
