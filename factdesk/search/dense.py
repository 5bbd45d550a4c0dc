"""Nearest-neighbour search over unit vectors: exact when small, an IVF index when large.

Up to ``exact_limit`` vectors (50,000 by default) a single matrix-vector product over all of
them is both exact and fast enough (a few milliseconds). Beyond that the vectors are grouped
around k-means centroids (an inverted-file index, as in FAISS's ``IndexIVFFlat``) and a query
scans only the ``nprobe`` groups whose centroids are nearest, plus the small unsorted tail of
vectors added since the groups were last laid out.

Vectors are kept in memory as float32, laid out group by group so each probed group is one
contiguous slice (numpy's BLAS reads it at memory speed; converting int8 or float16 rows on
the fly costs more CPU than the smaller footprint saves). On disk they are float16.
Slots are the caller's document numbers; removed slots are masked, never returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
I64 = NDArray[np.int64]

EXACT_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Neighbours:
    slots: NDArray[np.int32]
    scores: F32


class VectorIndex:
    """Unit vectors addressed by slot, searched by inner product (= cosine)."""

    def __init__(
        self,
        dim: int,
        *,
        exact_limit: int = EXACT_LIMIT,
        nprobe: int = 32,
        seed: int = 0,
        dtype: type[np.floating[Any]] = np.float32,
    ) -> None:
        self.dim = dim
        # float16 halves the memory of vectors that are only looked up, never scanned
        self.dtype = dtype
        self.exact_limit = exact_limit
        self.nprobe = nprobe
        self.seed = seed
        self._buf = np.zeros((0, dim), dtype=dtype)  # capacity; rows past len(vectors) unused
        self.vectors = self._buf  # in position order
        self.pos_of = np.zeros(0, dtype=np.int64)  # slot -> position (-1: no vector)
        self.slot_at = np.zeros(0, dtype=np.int64)  # position -> slot
        self.alive = np.zeros(0, dtype=bool)  # by position
        self.centroids = np.zeros((0, dim), dtype=np.float32)
        self.list_offsets = np.zeros(1, dtype=np.int64)  # group g = positions [o[g], o[g+1])
        self.sorted_upto = 0  # positions >= this are the unsorted tail

    def _reserve(self, rows: int) -> None:
        """Grow the vector buffer geometrically, so adding one vector at a time stays cheap."""
        if rows <= len(self._buf):
            return
        used = len(self.vectors)
        capacity = max(rows, int(len(self._buf) * 1.25), 1024)
        try:
            # realloc in place (mremap for large blocks): no second copy of the index at
            # any moment; the view is dropped first so no reference dangles
            self.vectors = np.zeros((0, self.dim), self.dtype)
            self._buf.resize((capacity, self.dim), refcheck=False)
        except ValueError:  # the buffer does not own its memory: copy instead
            grown = np.zeros((capacity, self.dim), self.dtype)
            grown[:used] = self._buf[:used]
            self._buf = grown
        self.vectors = self._buf[:used]

    def _set_vectors(self, vectors: NDArray[np.floating[Any]]) -> None:
        self._buf = np.ascontiguousarray(vectors, dtype=self.dtype)
        self.vectors = self._buf

    def trim(self) -> None:
        """Give back the buffer's spare capacity (after a bulk load)."""
        if len(self._buf) > 1.05 * len(self.vectors) + 1024:
            self._set_vectors(self.vectors.copy())

    @property
    def size(self) -> int:
        return int(self.alive.sum())

    @property
    def is_ivf(self) -> bool:
        return len(self.centroids) > 0

    def add(self, slots: NDArray[np.int64] | list[int], vectors: F32) -> None:
        """Add (or replace) the vectors of ``slots``; rows must be L2-normalised."""
        slots_arr = np.asarray(slots, dtype=np.int64)
        block = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(slots_arr), self.dim)
        if not len(slots_arr):
            return
        self.remove(slots_arr)
        needed = int(slots_arr.max()) + 1
        if needed > len(self.pos_of):
            self.pos_of = np.concatenate(
                [self.pos_of, np.full(needed - len(self.pos_of), -1, dtype=np.int64)]
            )
        start = len(self.vectors)
        self._reserve(start + len(slots_arr))
        self._buf[start : start + len(slots_arr)] = block
        self.vectors = self._buf[: start + len(slots_arr)]
        self.slot_at = np.concatenate([self.slot_at, slots_arr])
        self.alive = np.concatenate([self.alive, np.ones(len(slots_arr), dtype=bool)])
        self.pos_of[slots_arr] = np.arange(start, start + len(slots_arr))
        self._maybe_reorganise()

    def remove(self, slots: NDArray[np.int64] | list[int]) -> None:
        slots_arr = np.asarray(slots, dtype=np.int64)
        slots_arr = slots_arr[slots_arr < len(self.pos_of)]
        pos = self.pos_of[slots_arr]
        pos = pos[pos >= 0]
        self.alive[pos] = False
        self.pos_of[slots_arr] = -1

    def renumber(self, old_to_new: I64) -> None:
        """Follow a slot renumbering (after the lexical index compacted its dead slots)."""
        live = self.alive & (old_to_new[self.slot_at] >= 0)
        keep = np.flatnonzero(live)
        self.alive = self.alive[keep]
        self._set_vectors(self.vectors[keep])
        self.slot_at = old_to_new[self.slot_at[keep]]
        self.pos_of = np.full(int(old_to_new.max()) + 1 if len(old_to_new) else 0, -1, np.int64)
        self.pos_of[self.slot_at] = np.arange(len(keep))
        self.centroids = np.zeros((0, self.dim), dtype=np.float32)
        self.list_offsets = np.zeros(1, dtype=np.int64)
        self.sorted_upto = 0
        self._maybe_reorganise(force=True)

    def get(self, slots: NDArray[np.int64] | NDArray[np.int32]) -> F32:
        """The vectors of ``slots`` (zero rows for slots without one)."""
        slots_arr = np.asarray(slots, dtype=np.int64)
        out = np.zeros((len(slots_arr), self.dim), dtype=np.float32)
        inside = slots_arr < len(self.pos_of)
        pos = np.full(len(slots_arr), -1, dtype=np.int64)
        pos[inside] = self.pos_of[slots_arr[inside]]
        have = pos >= 0
        out[have] = self.vectors[pos[have]].astype(np.float32)
        return out

    # --- layout -------------------------------------------------------------------------

    def _maybe_reorganise(self, force: bool = False) -> None:
        n = len(self.vectors)
        live = int(self.alive.sum())
        if live <= self.exact_limit:
            if self.is_ivf:
                self.centroids = np.zeros((0, self.dim), dtype=np.float32)
                self.list_offsets = np.zeros(1, dtype=np.int64)
            if force or n > 2 * max(live, 1):
                self._drop_dead()
            self.sorted_upto = 0
            return
        tail = n - self.sorted_upto
        grown = not self.is_ivf or live > 2 * self._trained_on
        if force or grown:
            self._train()
            self._layout()
        elif n > 2 * live:
            self._layout()
        elif tail > max(2_000, n // 20):
            self._merge_tail()

    def _drop_dead(self) -> None:
        if self.alive.all():
            return
        keep = np.flatnonzero(self.alive)
        self._set_vectors(self.vectors[keep])
        self.slot_at = self.slot_at[keep]
        self.alive = np.ones(len(keep), dtype=bool)
        self.pos_of[:] = -1
        self.pos_of[self.slot_at] = np.arange(len(keep))

    _trained_on = 0

    def _train(self) -> None:
        """k-means (spherical, on a sample) to place ~sqrt(n) centroids."""
        live = np.flatnonzero(self.alive)
        n_lists = max(16, int(np.sqrt(len(live))))
        rng = np.random.default_rng(self.seed)
        sample = self.vectors[rng.choice(live, size=min(len(live), 64 * n_lists), replace=False)]
        centroids = sample[rng.choice(len(sample), size=n_lists, replace=False)].copy()
        for _ in range(12):
            assign = np.argmax(sample @ centroids.T, axis=1)
            sums = np.zeros_like(centroids)
            np.add.at(sums, assign, sample)
            empty = np.bincount(assign, minlength=n_lists) == 0
            sums[empty] = sample[rng.choice(len(sample), size=int(empty.sum()), replace=False)]
            centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        self.centroids = centroids.astype(np.float32)
        self._trained_on = len(live)

    def _assign(self, vectors: F32) -> I64:
        out = np.empty(len(vectors), dtype=np.int64)
        for i in range(0, len(vectors), 8192):
            out[i : i + 8192] = np.argmax(vectors[i : i + 8192] @ self.centroids.T, axis=1)
        return out

    def _layout(self) -> None:
        """Sort live vectors group by group so each group is one contiguous slice."""
        self._drop_dead()
        groups = self._assign(self.vectors)
        order = np.argsort(groups, kind="stable")
        # one exact-size copy; the old buffer (and its spare capacity) is freed right after
        sorted_vectors = np.take(self.vectors, order, axis=0)
        self._buf = self.vectors = np.zeros((0, self.dim), self.dtype)
        self._set_vectors(sorted_vectors)
        self.slot_at = self.slot_at[order]
        self.pos_of[self.slot_at] = np.arange(len(order))
        counts = np.bincount(groups, minlength=len(self.centroids))
        self.list_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.sorted_upto = len(self.vectors)

    def _merge_tail(self) -> None:
        """Fold the unsorted tail into its groups in place.

        From the last group to the first, each group's block moves right by the number of
        tail vectors that belong to earlier groups, and its own tail vectors drop in right
        after it. Only the tail is copied, so bringing a large index up to date needs memory
        for the new vectors, not for a second copy of the whole index."""
        start, n = self.sorted_upto, len(self.vectors)
        groups = self._assign(self.vectors[start:n])
        order = np.argsort(groups, kind="stable")
        tail_vectors = self.vectors[start:n][order]  # the one copy: the tail
        tail_slots = self.slot_at[start:n][order]
        tail_alive = self.alive[start:n][order]
        groups = groups[order]
        added = np.bincount(groups, minlength=len(self.centroids))
        old = self.list_offsets
        new = np.concatenate([[0], np.cumsum(np.diff(old) + added)]).astype(np.int64)
        tail_at = np.concatenate([[0], np.cumsum(added)]).astype(np.int64)
        for g in range(len(self.centroids) - 1, -1, -1):
            lo, hi, dst = int(old[g]), int(old[g + 1]), int(new[g])
            if hi > lo and dst != lo:  # overlapping move to the right: numpy copies safely
                self.vectors[dst : dst + hi - lo] = self.vectors[lo:hi]
                self.slot_at[dst : dst + hi - lo] = self.slot_at[lo:hi]
                self.alive[dst : dst + hi - lo] = self.alive[lo:hi]
            a, b = int(tail_at[g]), int(tail_at[g + 1])
            if b > a:
                at = dst + hi - lo
                self.vectors[at : at + b - a] = tail_vectors[a:b]
                self.slot_at[at : at + b - a] = tail_slots[a:b]
                self.alive[at : at + b - a] = tail_alive[a:b]
        self.list_offsets = new
        self.sorted_upto = n
        live = np.flatnonzero(self.alive)
        self.pos_of[self.slot_at[live]] = live

    # --- search -------------------------------------------------------------------------

    def search(self, query: F32, k: int) -> Neighbours:
        """The ``k`` best live slots by inner product with ``query``, best first."""
        if not len(self.vectors) or k <= 0:
            return Neighbours(np.zeros(0, np.int32), np.zeros(0, np.float32))
        q = np.asarray(query, dtype=self.dtype).reshape(self.dim)
        if not self.is_ivf:
            positions = np.arange(len(self.vectors))
            scores = self.vectors @ q
        else:
            nprobe = min(self.nprobe, len(self.centroids))
            probe = np.argpartition(-(self.centroids @ q), nprobe - 1)[:nprobe]
            probe.sort()  # scan the groups in memory order
            los = np.append(self.list_offsets[probe], self.sorted_upto)
            his = np.append(self.list_offsets[probe + 1], len(self.vectors))
            lengths = his - los
            starts = np.cumsum(lengths) - lengths
            positions = np.arange(int(lengths.sum())) + np.repeat(los - starts, lengths)
            scores = np.empty(len(positions), dtype=np.float32)
            for lo, hi, at in zip(los.tolist(), his.tolist(), starts.tolist(), strict=True):
                if hi > lo:
                    scores[at : at + hi - lo] = self.vectors[lo:hi] @ q
        scores = np.where(self.alive[positions], scores, -np.inf)
        k = min(k, int(np.isfinite(scores).sum()))
        if k == 0:
            return Neighbours(np.zeros(0, np.int32), np.zeros(0, np.float32))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return Neighbours(self.slot_at[positions[top]].astype(np.int32), scores[top])

    def search_best(self, query: F32, k: int, excluded: I64) -> NDArray[np.int32]:
        """The ``k`` best live slots not in ``excluded``, best first; a query of several
        rows (a long post's windows) ranks each slot by its best inner product over the
        rows, ties broken by slot."""
        if query.ndim == 1:
            found = self.search(query, k + len(excluded))
            return found.slots[~np.isin(found.slots, excluded)][:k]
        best: dict[int, float] = {}
        for row in np.atleast_2d(query):
            found = self.search(row, k + len(excluded))
            for slot, score in zip(found.slots.tolist(), found.scores.tolist(), strict=True):
                if score > best.get(slot, -np.inf):
                    best[slot] = score
        for slot in excluded.tolist():
            best.pop(slot, None)
        ranked = sorted(best, key=lambda slot: (-best[slot], slot))[:k]
        return np.asarray(ranked, dtype=np.int32)

    # --- persistence --------------------------------------------------------------------

    def to_arrays(self) -> dict[str, NDArray[np.generic]]:
        self._drop_dead() if not self.is_ivf else self._layout()
        return {
            "vectors": self.vectors.astype(np.float16),
            "slot_at": self.slot_at,
            "centroids": self.centroids.astype(np.float16),
            "list_offsets": self.list_offsets,
            "params": np.array(
                [
                    self.dim,
                    self.exact_limit,
                    self.nprobe,
                    self.seed,
                    self._trained_on,
                    int(self.dtype == np.float16),
                ],
                np.int64,
            ),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[np.generic]]) -> VectorIndex:
        params = [int(x) for x in arrays["params"]]
        dim, exact_limit, nprobe, seed, trained_on = params[:5]
        half = len(params) > 5 and bool(params[5])
        index = cls(
            dim,
            exact_limit=exact_limit,
            nprobe=nprobe,
            seed=seed,
            dtype=np.float16 if half else np.float32,
        )
        index._set_vectors(np.asarray(arrays["vectors"], dtype=index.dtype))
        index.slot_at = arrays["slot_at"].astype(np.int64)
        index.alive = np.ones(len(index.vectors), dtype=bool)
        size = int(index.slot_at.max()) + 1 if len(index.slot_at) else 0
        index.pos_of = np.full(size, -1, dtype=np.int64)
        index.pos_of[index.slot_at] = np.arange(len(index.slot_at))
        index.centroids = arrays["centroids"].astype(np.float32)
        index.list_offsets = arrays["list_offsets"].astype(np.int64)
        index.sorted_upto = len(index.vectors) if len(index.centroids) else 0
        index._trained_on = trained_on
        return index
