"""Grouping mentions into claims, incrementally, as items arrive — in two stages.

Each claim keeps a few exemplars (distinct wordings: an English one, a Vietnamese one, a
reworded one...). Exemplars rather than one centroid, because a claim that lives in two
languages, or that an editor merged, has two centres and their mean is close to neither.

1. **Assign** (every mention, as it arrives): the static embedding, compared with exemplars
   *of the same language* only. A mention joins the claim of its most similar exemplar, else
   it opens a new claim that later mentions of the same batch can join. It is fast and good
   at rewordings within a language, but its English and Vietnamese vectors are not aligned
   well enough to call translations (Tatoeba vi->en P@1 0.61 against multilingual-e5's 0.93).
2. **Link** (per claim, not per mention, when a dense encoder is installed): a claim's
   wording is encoded once by multilingual-e5 and compared with the dense exemplars of every
   linked claim — one threshold within a language, another across languages; a match means
   the two claims are one, and the caller merges them. The transformer costs ~25 ms a text
   on two cores, a hundred times the static stage, so it runs once per new claim, most
   important first, and what a run cannot afford waits for the next (see ``detection``).

Single-pass and order dependent in theory, but it never rewrites history: claim ids stay put
for editors, whose merge and split correct what it gets wrong.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]

MAX_EXEMPLARS = 20  # per claim and stage
REDUNDANT = 0.97  # a wording this close to an exemplar adds nothing new
ASSIGN_BLOCK = 64  # mentions compared with the exemplars in one matrix product
# A claim this far under a linking threshold is shown to editors as possibly the same claim
# (about the 1-in-100 random-pair level of Tatoeba, where 1 in 1,000 sets the thresholds).
SUGGEST_MARGIN = 0.1


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
    stage: str  # "static" | "new"


@dataclass(frozen=True, slots=True)
class Link:
    """What linking decided for a claim: ``target`` is the claim it is the same as, if any;
    else ``nearest`` is the most similar claim within ``SUGGEST_MARGIN`` of the thresholds,
    for an editor to judge."""

    key: Hashable
    target: Hashable | None
    similarity: float
    nearest: Hashable | None = None


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
        if old not in self.rows:
            return
        rows = self.rows.pop(old)
        self.rows.setdefault(new, []).extend(rows)
        for i in rows:
            self.owner[i] = new

    def merge(self, source: Hashable, target: Hashable) -> None:
        """The source's exemplars now stand for the target (beyond MAX_EXEMPLARS too: they
        are real wordings of the merged claim)."""
        for i in self.rows.pop(source, []):
            self.owner[i] = target
            self.rows.setdefault(target, []).append(i)

    def best(
        self,
        v: Matrix,
        start: int,
        language: str | None,
        *,
        same_only: bool,
        thresholds: tuple[float, float] = (0.0, 0.0),
        skip: set[int] | frozenset[int] = frozenset(),
        known: Matrix | None = None,
    ) -> tuple[int, float]:
        """Best exemplar from row ``start`` on passing its threshold (same, cross language).
        ``known``: the similarities to rows ``0 .. len(known)`` already computed (by
        :meth:`ClaimIndex.assign` for a block of mentions at once); only later rows are
        compared here."""
        end = len(self.owner)
        if end <= start or float(np.linalg.norm(v)) == 0.0:
            return -1, -1.0
        if known is None:
            sims = self.vectors[start:end] @ v
        else:
            sims = np.concatenate([known[start:], self.vectors[len(known) : end] @ v])
        langs = self.language[start:end]
        best, best_sim = -1, -1.0
        k = 20 + len(skip)
        top = np.argpartition(-sims, k)[:k] if len(sims) > k else np.arange(len(sims))
        for j in top:
            if start + int(j) in skip:
                continue
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
        self._dim = dim
        # one static bank per language: a mention is only ever compared with exemplars of its
        # own language, so the others need not be read at all
        self._static: dict[str | None, _Bank] = {}
        self._dense = _Bank(dense_dim) if dense_dim else None
        self._claims: set[Hashable] = set()
        self._next_new = 0

    def __len__(self) -> int:
        """Number of claims."""
        return len(self._claims)

    def add(
        self, key: Hashable, vectors: Matrix, languages: Sequence[str | None] | None = None
    ) -> None:
        """Register (more of) a claim's mentions as static exemplars."""
        self._claims.add(key)
        langs = list(languages) if languages is not None else [None] * len(vectors)
        for v, language in zip(vectors, langs, strict=True):
            self._add_static(key, v, language)

    def _bank(self, language: str | None) -> _Bank:
        bank = self._static.get(language)
        if bank is None:
            bank = self._static[language] = _Bank(self._dim)
        return bank

    def _add_static(self, key: Hashable, v: Matrix, language: str | None) -> None:
        """An exemplar in its language's bank; ``MAX_EXEMPLARS`` counts all languages."""
        if sum(len(b.rows.get(key, ())) for b in self._static.values()) >= MAX_EXEMPLARS:
            return
        self._bank(language).add(key, v, language)

    def add_dense(self, key: Hashable, vector: Matrix, language: str | None) -> None:
        """Register a dense exemplar of a claim that is already linked."""
        if self._dense is None:
            raise ValueError("this index has no dense stage (dense_dim=0)")
        self._claims.add(key)
        self._dense.add(key, vector, language)

    def assign(
        self, vectors: Matrix, languages: Sequence[str | None] | None = None
    ) -> list[Assignment]:
        """Assign each mention in order (static stage); new claims get keys ("new", 0), ...."""
        n = len(vectors)
        langs = list(languages) if languages is not None else [None] * n
        t = self.thresholds.static
        out: list[Assignment] = []
        known: dict[int, Matrix] = {}
        for i in range(n):
            if i % ASSIGN_BLOCK == 0:
                known = self._block_similarities(vectors, langs, i)
            v, language = vectors[i], langs[i]
            bank = self._bank(language)
            row, sim = bank.best(
                v, 0, language, same_only=True, thresholds=(t, 1.1), known=known[i]
            )
            if row >= 0:
                key = bank.owner[row]
                self._add_static(key, v, language)
                out.append(Assignment(key, sim, _is_new(key), "static"))
                continue
            key = ("new", self._next_new)
            self._next_new += 1
            self._claims.add(key)
            self._add_static(key, v, language)
            out.append(Assignment(key, 1.0, True, "new"))
        return out

    def _block_similarities(
        self, vectors: Matrix, langs: Sequence[str | None], start: int
    ) -> dict[int, Matrix]:
        """Similarities of mentions ``start .. start + ASSIGN_BLOCK`` to the exemplars their
        language's bank holds now, one matrix product per language: each bank is read once
        per block, not once per mention (a matrix-vector product per mention is bound by
        memory bandwidth, and the bank grows with every claim)."""
        by_language: dict[str | None, list[int]] = {}
        for i in range(start, min(start + ASSIGN_BLOCK, len(vectors))):
            by_language.setdefault(langs[i], []).append(i)
        out: dict[int, Matrix] = {}
        for language, rows in by_language.items():
            bank = self._bank(language)
            sims = vectors[rows] @ bank.vectors[: len(bank)].T
            out.update(zip(rows, sims, strict=True))
        return out

    def link(
        self,
        keys: Sequence[Hashable],
        dense: Matrix,
        languages: Sequence[str | None],
        movable: Sequence[bool] | None = None,
    ) -> list[Link]:
        """Link claims (in the order given: most important first) by their dense vectors.

        Each claim is compared with the dense exemplars of every other linked claim; the best
        one passing its threshold (same or cross language) is its ``target`` and the claim's
        exemplars move there (the caller merges the two in the database). Otherwise - or if
        the claim is not ``movable`` (an editor is working on it) - the claim is linked on its
        own and later claims can join it, and the most similar claim within
        ``SUGGEST_MARGIN`` of the thresholds is reported as ``nearest``.
        """
        if self._dense is None:
            raise ValueError("this index has no dense stage (dense_dim=0)")
        t = self.thresholds
        out: list[Link] = []
        can_move = list(movable) if movable is not None else [True] * len(keys)
        for key, v, language, free in zip(keys, dense, languages, can_move, strict=True):
            own = set(self._dense.rows.get(key, ()))
            strict = (t.dense_same, t.dense_cross)
            row, sim = self._dense.best(
                v, 0, language, same_only=False, thresholds=strict, skip=own
            )
            if free and row >= 0:
                target = self._dense.owner[row]
                self._merge(key, target)
                self._dense.add(target, v, language)
                out.append(Link(key, target, sim))
                continue
            loose = (t.dense_same - SUGGEST_MARGIN, t.dense_cross - SUGGEST_MARGIN)
            row, sim = self._dense.best(v, 0, language, same_only=False, thresholds=loose, skip=own)
            self._claims.add(key)
            self._dense.add(key, v, language)
            if row >= 0:
                out.append(Link(key, None, sim, self._dense.owner[row]))
            else:
                out.append(Link(key, None, 0.0))
        return out

    def absorb(self, source: Hashable, target: Hashable) -> None:
        """Move ``source``'s exemplars to ``target``: a merge another process made."""
        if source in self._claims and source != target:
            self._merge(source, target)
            self._claims.add(target)

    def _merge(self, source: Hashable, target: Hashable) -> None:
        self._claims.discard(source)
        for bank in (*self._static.values(), self._dense):
            if bank is not None:
                bank.merge(source, target)

    def rename(self, old: Hashable, new: Hashable) -> None:
        """Give a new claim its database id once it has one."""
        self._claims.discard(old)
        self._claims.add(new)
        for bank in self._static.values():
            bank.rename(old, new)
        if self._dense is not None:
            self._dense.rename(old, new)


def _is_new(key: Hashable) -> bool:
    return isinstance(key, tuple) and key[:1] == ("new",)
