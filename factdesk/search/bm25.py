"""BM25 over one text field, with documents added and removed one at a time.

Why not ``bm25s`` directly: bm25s precomputes every (term, document) score with the corpus's
IDF and average length baked in, which makes retrieval fast but means one new fact-check
changes every stored score, so it can only be rebuilt, not updated. This index keeps raw term
frequencies instead and applies BM25 at query time (as Lucene does), so adding or replacing a
document touches only its own postings. Scores agree with bm25s's ``lucene`` variant on the
same tokens (a test checks it).

Layout (arrays, so the index saves to ``.npz`` and loads without unpickling):

* documents live in *slots* ``0..n-1``; a removed document's slot is marked dead and skipped,
  and :meth:`BM25Index.compact` drops dead slots when they pile up;
* postings are grouped by term in a *base* segment (CSR: ``offsets``, ``slots``, ``tfs``) plus
  a small *tail* of postings added since the last :meth:`merge`, so an update costs a few
  array appends rather than a rebuild.

**One field per analysis.** Each document belongs to an *analysis* (the lexical analysis its
language gets, :func:`factdesk.text.analysis.analysis_name`; ``""`` when the caller names
none). A term is kept per analysis (``"snowball-german\x1fimpfung"``), so every analysis has
its own document frequencies, document count and average length, as a BM25 field of its own:
German IDF is counted over German fact-checks only, not diluted by (or diluting) English.
A query analysed as A scores the documents of A with A's statistics and every query term;
it scores a document of another analysis only by the terms the two spell alike (numbers,
acronyms, names, loan words: whatever the other analysis also produced), weighted by the
IDF of the whole collection (the *shared field*), so a word that is a function word in any
language of the collection weighs little across languages, and a name or a number still
matches. An index whose documents all share one analysis scores exactly as plain BM25.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

K1 = 1.2
B = 0.75
SEP = "\x1f"  # between an analysis name and a term in the vocabulary

F32 = NDArray[np.float32]
I32 = NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class Hits:
    """Scores of the documents a query touched: slots and scores, unordered."""

    slots: I32
    scores: F32


class BM25Index:
    """An incrementally updatable BM25 index whose documents are addressed by slot number."""

    def __init__(self, k1: float = K1, b: float = B, *, postings: bool = True) -> None:
        self.k1 = k1
        self.b = b
        # Without postings the index can only score given slots (score_slots): enough for
        # a field that is a ranking feature but not a first stage, at half the memory.
        self.postings = postings
        # per analysis: term -> term id (saved as "analysis<SEP>term", plain for analysis "")
        self._group_vocab: list[dict[str, int]] = []
        self.df = np.zeros(0, dtype=np.int32)  # live documents containing each term
        # analyses: names, each slot's analysis, each one's live documents and tokens
        self.analyses: list[str] = []
        self._analysis_id: dict[str, int] = {}
        self.groups = np.zeros(0, dtype=np.int16)
        self.group_live = np.zeros(0, dtype=np.int64)
        self.group_len = np.zeros(0, dtype=np.int64)
        # per term id: its analysis and its plain term's id; per plain term: live df over
        # every analysis (the shared field) and the term ids spelling it in each analysis
        self._term_group: list[int] = []
        self._term_plain: list[int] = []
        self.plain_vocab: dict[str, int] = {}
        self._plain_terms: list[str] = []
        self.plain_df = np.zeros(0, dtype=np.int32)
        self._plain_cache = np.zeros(0, dtype=np.int32)
        self._group_cache = np.zeros(0, dtype=np.int64)
        self._version = 0  # bumped on every change of the statistics
        self.doc_len = np.zeros(0, dtype=np.int32)  # tokens per slot
        self.alive = np.zeros(0, dtype=bool)
        # forward index (slot -> its distinct term ids and counts), to undo a document's df
        self.fwd_offsets = np.zeros(1, dtype=np.int64)
        self.fwd_terms = np.zeros(0, dtype=np.int32)
        self.fwd_tfs = np.zeros(0, dtype=np.uint16)
        self._fwd_pending: list[tuple[NDArray[np.int64], I32, NDArray[np.uint16]]] = []
        # base postings, grouped by term
        self.offsets = np.zeros(1, dtype=np.int64)
        self.slots = np.zeros(0, dtype=np.int32)
        self.tfs = np.zeros(0, dtype=np.uint16)  # capped at 65535
        # tail postings since the last merge: parallel arrays (term, slot, tf)
        self._tail: list[tuple[I32, I32, F32]] = []
        self._tail_terms = np.zeros(0, dtype=np.int32)
        self._tail_slots = np.zeros(0, dtype=np.int32)
        self._tail_tfs = np.zeros(0, dtype=np.float32)
        self._tail_dirty = False
        self._live_count = 0
        self._live_len = 0
        self._norm_state = -1
        self._norm_cache = np.zeros(0, dtype=np.float32)
        # tf / (tf + norm) for every base posting: BM25 minus the IDF, recomputed when the
        # collection's statistics change, so a query only multiplies and adds
        self._impact_state: tuple[int, int] = (-1, -1)
        self._impact = np.zeros(0, dtype=np.float32)

    # --- size ---------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """Number of slots, dead ones included."""
        return int(self.doc_len.shape[0])

    @property
    def live(self) -> int:
        return self._live_count

    @property
    def avgdl(self) -> float:
        return self._live_len / self._live_count if self._live_count else 1.0

    # --- updates ------------------------------------------------------------------------

    def add(self, docs: Sequence[Sequence[str]], analyses: Sequence[str] | None = None) -> range:
        """Append documents (token lists), each of ``analyses`` (default ``""``: one field
        for all), and return the slots they got."""
        start = self.size
        term_rows: list[I32] = []
        tf_rows: list[I32] = []
        lengths = np.zeros(len(docs), dtype=np.int32)
        doc_groups = np.zeros(len(docs), dtype=np.int16)
        for i, tokens in enumerate(docs):
            counts = Counter(tokens)
            group = self._group_id(analyses[i] if analyses is not None else "")
            doc_groups[i] = group
            known = self._group_vocab[group]
            ids = np.fromiter(
                (
                    tid if (tid := known.get(t)) is not None else self._term_id(t, group)
                    for t in counts
                ),
                dtype=np.int32,
                count=len(counts),
            )
            term_rows.append(ids)
            tf_rows.append(np.fromiter(counts.values(), dtype=np.int32, count=len(counts)))
            lengths[i] = len(tokens)
        if len(self.df) < self.n_terms:
            self.df = np.concatenate([self.df, np.zeros(self.n_terms - len(self.df), np.int32)])
        terms = np.concatenate(term_rows) if term_rows else np.zeros(0, np.int32)
        tfs = np.concatenate(tf_rows) if tf_rows else np.zeros(0, np.int32)
        sizes = np.fromiter((len(r) for r in term_rows), dtype=np.int64, count=len(term_rows))
        slots = np.repeat(np.arange(start, start + len(docs), dtype=np.int32), sizes)
        np.add.at(self.df, terms, 1)
        if len(self.plain_df) < len(self.plain_vocab):
            grow = len(self.plain_vocab) - len(self.plain_df)
            self.plain_df = np.concatenate([self.plain_df, np.zeros(grow, np.int32)])
        self.plain_df += np.bincount(self._plain_ids()[terms], minlength=len(self.plain_df)).astype(
            np.int32
        )
        np.add.at(self.group_live, doc_groups, 1)
        np.add.at(self.group_len, doc_groups, lengths)
        self.groups = np.concatenate([self.groups, doc_groups])
        self._version += 1
        # appended lazily: a rebuild of many small batches copies the forward index once
        self._fwd_pending.append((sizes, terms, np.minimum(tfs, 65535).astype(np.uint16)))
        self.doc_len = np.concatenate([self.doc_len, lengths])
        self.alive = np.concatenate([self.alive, np.ones(len(docs), dtype=bool)])
        self._live_count += len(docs)
        self._live_len += int(lengths.sum())
        if self.postings:
            self._tail.append((terms, slots, tfs.astype(np.float32)))
        self._tail_dirty = True
        if self._tail and (
            len(self._tail) > 64 or self._tail_postings() > max(50_000, len(self.slots) // 8)
        ):
            self.merge()
        return range(start, start + len(docs))

    def _flush_fwd(self) -> None:
        """Append the forward postings added since the last call, in one copy."""
        if not self._fwd_pending:
            return
        sizes = np.concatenate([p[0] for p in self._fwd_pending])
        self.fwd_offsets = np.concatenate(
            [self.fwd_offsets, self.fwd_offsets[-1] + np.cumsum(sizes)]
        )
        self.fwd_terms = np.concatenate([self.fwd_terms, *(p[1] for p in self._fwd_pending)])
        self.fwd_tfs = np.concatenate([self.fwd_tfs, *(p[2] for p in self._fwd_pending)])
        self._fwd_pending = []

    def remove(self, slots: Iterable[int]) -> None:
        """Mark slots dead: they stop matching and stop counting in IDF and average length."""
        slots = list(slots)
        if slots:
            self._flush_fwd()
        for slot in slots:
            if not (0 <= slot < self.size) or not self.alive[slot]:
                continue
            lo, hi = self.fwd_offsets[slot], self.fwd_offsets[slot + 1]
            terms = self.fwd_terms[lo:hi]
            np.subtract.at(self.df, terms, 1)
            np.subtract.at(self.plain_df, self._plain_ids()[terms], 1)
            group = int(self.groups[slot])
            self.group_live[group] -= 1
            self.group_len[group] -= int(self.doc_len[slot])
            self._version += 1
            self.alive[slot] = False
            self._live_count -= 1
            self._live_len -= int(self.doc_len[slot])

    def _group_id(self, analysis: str) -> int:
        gid = self._analysis_id.get(analysis)
        if gid is None:
            gid = self._analysis_id[analysis] = len(self.analyses)
            self.analyses.append(analysis)
            self.group_live = np.concatenate([self.group_live, [0]])
            self.group_len = np.concatenate([self.group_len, [0]])
            self._group_vocab.append({})
        return gid

    @property
    def n_terms(self) -> int:
        """Distinct (analysis, term) pairs seen."""
        return len(self._term_group)

    def _term_id(self, term: str, group: int) -> int:
        known = self._group_vocab[group]
        tid = known.get(term)
        if tid is None:
            tid = known[term] = self.n_terms
            pid = self.plain_vocab.get(term)
            if pid is None:
                pid = self.plain_vocab[term] = len(self.plain_vocab)
                self._plain_terms.append(term)
            self._term_group.append(group)
            self._term_plain.append(pid)
        return tid

    def _group_ids(self) -> NDArray[np.int64]:
        """Each term id's analysis, as an array (cached until the vocabulary grows)."""
        if len(self._group_cache) != len(self._term_group):
            self._group_cache = np.asarray(self._term_group, dtype=np.int64)
        return self._group_cache

    def _plain_ids(self) -> I32:
        """Each term id's plain-term id, as an array (cached until the vocabulary grows)."""
        if len(self._plain_cache) != len(self._term_plain):
            self._plain_cache = np.asarray(self._term_plain, dtype=np.int32)
        return self._plain_cache

    def _tail_postings(self) -> int:
        return sum(len(t[0]) for t in self._tail)

    def merge(self) -> None:
        """Fold the tail postings into the term-grouped base segment.

        Every tail slot is newer than every base slot, so each term's merged postings are
        its base postings followed by its tail postings (sorted by term, stably): both are
        written straight to their new places, with no sort of the whole index."""
        if not self._tail:
            return
        n_terms = self.n_terms
        tail_terms = np.concatenate([t[0] for t in self._tail])
        tail_slots = np.concatenate([t[1] for t in self._tail])
        tail_tfs = np.concatenate([t[2] for t in self._tail])
        order = np.argsort(tail_terms, kind="stable")
        tail_terms, tail_slots, tail_tfs = tail_terms[order], tail_slots[order], tail_tfs[order]
        base_counts = np.zeros(n_terms, dtype=np.int64)
        base_counts[: len(self.offsets) - 1] = np.diff(self.offsets)
        tail_counts = np.bincount(tail_terms, minlength=n_terms)
        offsets = np.concatenate([[0], np.cumsum(base_counts + tail_counts)]).astype(np.int64)
        total = int(offsets[-1])
        slots = np.empty(total, dtype=np.int32)
        tfs = np.empty(total, dtype=np.uint16)
        # base posting i of term t goes to offsets[t] + (i - old_offsets[t])
        shift = (offsets[:-1] - np.concatenate([[0], np.cumsum(base_counts)[:-1]])).astype(np.int64)
        n_base = len(self.slots)
        for lo in range(0, n_base, 1 << 22):  # in blocks: the index arrays stay small
            hi = min(n_base, lo + (1 << 22))
            owner = np.searchsorted(self.offsets, np.arange(lo, hi), side="right") - 1
            dest = np.arange(lo, hi) + shift[owner]
            slots[dest] = self.slots[lo:hi]
            tfs[dest] = self.tfs[lo:hi]
        tail_dest = (
            offsets[tail_terms]
            + base_counts[tail_terms]
            + np.arange(len(tail_terms))
            - (np.cumsum(tail_counts) - tail_counts)[tail_terms]
        )
        slots[tail_dest] = tail_slots
        tfs[tail_dest] = np.minimum(tail_tfs, 65535)
        self.slots, self.tfs, self.offsets = slots, tfs, offsets
        self._tail = []
        self._tail_dirty = True

    def compact(self) -> NDArray[np.int64]:
        """Drop dead slots; returns ``old_to_new`` (``-1`` for dropped) so callers renumber."""
        self.merge()
        old_to_new = np.full(self.size, -1, dtype=np.int64)
        keep = np.flatnonzero(self.alive)
        old_to_new[keep] = np.arange(len(keep))
        mask = self.alive[self.slots]
        term_of = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))[mask]
        self.slots = old_to_new[self.slots[mask]].astype(np.int32)
        self.tfs = self.tfs[mask]
        self.offsets = np.concatenate(
            [[0], np.cumsum(np.bincount(term_of, minlength=self.n_terms))]
        ).astype(np.int64)
        self._flush_fwd()
        sizes = np.diff(self.fwd_offsets)
        fwd_mask = np.repeat(self.alive, sizes)
        self.fwd_terms = self.fwd_terms[fwd_mask]
        self.fwd_tfs = self.fwd_tfs[fwd_mask]
        self.fwd_offsets = np.concatenate([[0], np.cumsum(sizes[keep])]).astype(np.int64)
        self.doc_len = self.doc_len[keep]
        self.groups = self.groups[keep]
        self.alive = np.ones(len(keep), dtype=bool)
        self._version += 1
        return old_to_new

    # --- queries ------------------------------------------------------------------------

    def idf(self, term_ids: I32) -> F32:
        """Lucene's BM25 IDF, always positive: ln(1 + (N - df + 0.5) / (df + 0.5)), with N
        and df those of each term's own analysis."""
        df = self.df[term_ids].astype(np.float64)
        groups = self._group_ids()[term_ids]
        n = self.group_live[groups].astype(np.float64) if len(groups) else np.zeros(0)
        return np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)

    def _shared_idf(self, plain_ids: I32) -> F32:
        """IDF over the whole collection (the shared field, for terms across analyses)."""
        df = self.plain_df[plain_ids].astype(np.float64)
        n = float(self._live_count)
        return np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)

    def query_weights(
        self, tokens: Sequence[str], analysis: str | None = None
    ) -> tuple[I32, F32, float]:
        """Term ids a query scores and each one's weight (qtf·IDF), and the query's upper
        bound (sum over its tokens of the largest weight any of its spellings gets).

        A token weighs with its own analysis's IDF in that analysis's field, and with the
        shared field's IDF in every other analysis that spells it alike."""
        group = self._analysis_id.get(analysis or "", -1)
        own: list[int] = []
        own_qtf: list[float] = []
        other: list[int] = []
        other_plain: list[int] = []
        other_qtf: list[float] = []
        for token, n in Counter(tokens).items():
            pid = self.plain_vocab.get(token)
            if pid is None or self.plain_df[pid] <= 0:
                continue
            # one dict look-up per analysis: a handful on a desk, ~40 on a world-wide one
            for g, known in enumerate(self._group_vocab):
                tid = known.get(token)
                if tid is None or self.df[tid] <= 0:
                    continue
                if g == group:
                    own.append(tid)
                    own_qtf.append(n)
                else:
                    other.append(tid)
                    other_plain.append(pid)
                    other_qtf.append(n)
        ids = np.array(own + other, dtype=np.int32)
        if not len(ids):
            return ids, np.zeros(0, np.float32), 0.0
        own_w = self.idf(np.array(own, dtype=np.int32)) * np.array(own_qtf, np.float32)
        other_pids = np.array(other_plain, dtype=np.int32)
        other_w = self._shared_idf(other_pids) * np.array(other_qtf, np.float32)
        weights = np.concatenate([own_w, other_w]).astype(np.float32)
        if not other:  # every token in the query's own analysis: one weight each
            return ids, weights, float(own_w.sum())
        best: dict[int, float] = {}
        for pid, w in zip(self._plain_ids()[ids].tolist(), weights.tolist(), strict=True):
            best[pid] = max(w, best.get(pid, 0.0))
        return ids, weights, float(sum(best.values()))

    def max_score(self, tokens: Sequence[str], analysis: str | None = None) -> float:
        """An upper bound of any document's score for this query (sum of qtf·idf),
        used to turn scores into a 0–1 "how much of the query matched" figure."""
        return self.query_weights(tokens, analysis)[2]

    def _norm(self) -> F32:
        if self._norm_state != self._version:
            dl = self.doc_len.astype(np.float32)
            live = np.maximum(self.group_live, 1).astype(np.float64)
            avg = np.where(self.group_live > 0, self.group_len / live, 1.0)
            avgdl = avg[self.groups].astype(np.float32) if len(self.groups) else np.ones(0)
            avgdl = np.where(avgdl > 0, avgdl, 1.0).astype(np.float32)
            self._norm_cache = (self.k1 * (1.0 - self.b + self.b * dl / avgdl)).astype(np.float32)
            self._norm_state = self._version
        return self._norm_cache

    def _impacts(self) -> F32:
        state = (self._version, len(self.slots))
        if self._impact_state != state:
            tf = self.tfs.astype(np.float32)
            self._impact = tf / (tf + self._norm()[self.slots])
            self._impact_state = state
        return self._impact

    def search(self, tokens: Sequence[str], analysis: str | None = None) -> Hits:
        """BM25 of every live document sharing a term with ``tokens`` (repeated query terms
        count as often as they appear, as in bm25s and Lucene), the query analysed as
        ``analysis`` (see the module docstring for documents of other analyses)."""
        if not self.postings:
            raise ValueError("this BM25 index keeps no postings: use score_slots")
        ids, weights, _ = self.query_weights(tokens, analysis)
        if not len(ids) or not self._live_count:
            return Hits(np.zeros(0, np.int32), np.zeros(0, np.float32))
        norm = self._norm()
        impact = self._impacts()
        parts_slots: list[I32] = []
        parts_scores: list[F32] = []
        n_base = len(self.offsets) - 1
        for tid, weight in zip(ids.tolist(), weights.tolist(), strict=True):
            if tid >= n_base:
                continue
            lo, hi = self.offsets[tid], self.offsets[tid + 1]
            if hi > lo:
                parts_slots.append(self.slots[lo:hi])
                parts_scores.append(weight * impact[lo:hi])
        if self._tail:
            tail_terms, tail_slots, tail_tfs = self._tail_arrays()
            mask = np.isin(tail_terms, ids)
            if mask.any():
                lookup = np.zeros(self.n_terms, dtype=np.float32)
                lookup[ids] = weights
                s, tf = tail_slots[mask], tail_tfs[mask]
                parts_slots.append(s)
                parts_scores.append(lookup[tail_terms[mask]] * tf / (tf + norm[s]))
        if not parts_slots:
            return Hits(np.zeros(0, np.int32), np.zeros(0, np.float32))
        all_slots = np.concatenate(parts_slots)
        totals = np.bincount(all_slots, weights=np.concatenate(parts_scores), minlength=self.size)
        touched = np.flatnonzero((totals > 0) & self.alive)
        return Hits(touched.astype(np.int32), totals[touched].astype(np.float32))

    def score_slots(self, tokens: Sequence[str], slots: I32, analysis: str | None = None) -> F32:
        """BM25 of the given documents only, from their forward postings: cheap for the
        hundred-odd candidates a query keeps, whatever the size of the collection."""
        out = np.zeros(len(slots), dtype=np.float32)
        ids, all_weights, _ = self.query_weights(tokens, analysis)
        if not len(ids) or not len(slots) or not self._live_count:
            return out
        order = np.argsort(ids)
        sorted_ids, weights = ids[order], all_weights[order]
        self._flush_fwd()
        starts = self.fwd_offsets[slots]
        lengths = self.fwd_offsets[slots + 1] - starts
        owner = np.repeat(np.arange(len(slots)), lengths)
        flat = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        flat += np.repeat(starts, lengths)
        terms = self.fwd_terms[flat]
        where = np.searchsorted(sorted_ids, terms)
        where[where == len(sorted_ids)] = 0
        hit = sorted_ids[where] == terms
        tf = self.fwd_tfs[flat][hit].astype(np.float32)
        norm = self._norm()[slots][owner[hit]]
        contrib = weights[where[hit]] * tf / (tf + norm)
        out += np.bincount(owner[hit], weights=contrib, minlength=len(slots)).astype(np.float32)
        return out * self.alive[slots]

    def _tail_arrays(self) -> tuple[I32, I32, F32]:
        if self._tail_dirty:
            self._tail_terms = np.concatenate([t[0] for t in self._tail])
            self._tail_slots = np.concatenate([t[1] for t in self._tail])
            self._tail_tfs = np.concatenate([t[2] for t in self._tail])
            self._tail_dirty = False
        return self._tail_terms, self._tail_slots, self._tail_tfs

    def doc_terms(self, slot: int) -> set[int]:
        """The distinct term ids of one document."""
        self._flush_fwd()
        lo, hi = self.fwd_offsets[slot], self.fwd_offsets[slot + 1]
        return set(self.fwd_terms[lo:hi].tolist())

    # --- persistence --------------------------------------------------------------------

    def to_arrays(self) -> dict[str, NDArray[np.generic]]:
        """Everything needed to rebuild the index, as named arrays (for ``np.savez``)."""
        self.merge()
        self._flush_fwd()
        return {
            "vocab": np.array(self._saved_terms(), dtype=object).astype(str),
            "df": self.df,
            "doc_len": self.doc_len,
            "alive": self.alive,
            "fwd_offsets": self.fwd_offsets,
            "fwd_terms": self.fwd_terms,
            "fwd_tfs": self.fwd_tfs,
            "offsets": self.offsets,
            "slots": self.slots,
            "tfs": self.tfs,
            "params": np.array([self.k1, self.b, float(self.postings)], dtype=np.float64),
            "analyses": np.array(self.analyses or [""], dtype=object).astype(str),
            "groups": self.groups,
        }

    def _saved_terms(self) -> list[str]:
        """Each term id's saved name: ``analysis<SEP>term``, or the term for analysis ``""``."""
        names = [f"{a}{SEP}" if a else "" for a in self.analyses]
        return [
            names[g] + self._plain_terms[p]
            for g, p in zip(self._term_group, self._term_plain, strict=True)
        ]

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[np.generic]]) -> BM25Index:
        params = [float(x) for x in arrays["params"]]
        index = cls(k1=params[0], b=params[1], postings=len(params) < 3 or bool(params[2]))
        index.df = arrays["df"].astype(np.int32)
        index.doc_len = arrays["doc_len"].astype(np.int32)
        index.alive = arrays["alive"].astype(bool)
        # an index saved before analyses existed: one field, the default one
        for name in arrays["analyses"].tolist() if "analyses" in arrays else [""]:
            index._group_id(str(name))
        index.groups = (
            arrays["groups"].astype(np.int16)
            if "groups" in arrays
            else np.zeros(len(index.doc_len), dtype=np.int16)
        )
        for key in arrays["vocab"].tolist():
            head, sep, tail = str(key).partition(SEP)
            analysis, term = (head, tail) if sep else ("", head)
            index._term_id(term, index._analysis_id[analysis])
        index.plain_df = np.zeros(len(index.plain_vocab), dtype=np.int32)
        np.add.at(index.plain_df, index._plain_ids(), index.df)
        live = index.alive
        index.group_live = np.bincount(index.groups[live], minlength=len(index.analyses)).astype(
            np.int64
        )
        index.group_len = np.bincount(
            index.groups[live], weights=index.doc_len[live], minlength=len(index.analyses)
        ).astype(np.int64)
        index.fwd_offsets = arrays["fwd_offsets"].astype(np.int64)
        index.fwd_terms = arrays["fwd_terms"].astype(np.int32)
        index.fwd_tfs = arrays["fwd_tfs"].astype(np.uint16)
        index.offsets = arrays["offsets"].astype(np.int64)
        index.slots = arrays["slots"].astype(np.int32)
        index.tfs = arrays["tfs"].astype(np.uint16)
        index._live_count = int(index.alive.sum())
        index._live_len = int(index.doc_len[index.alive].sum())
        return index
