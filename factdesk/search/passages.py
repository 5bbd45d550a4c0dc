"""Passage retrieval for the research desk: BM25 + dense vectors, fused by reciprocal rank.

The same engine as claim matching (:mod:`factdesk.search.bm25`, :mod:`factdesk.search.dense`,
the project tokeniser and embedder), without the learned ranker: evidence passages have no
training labels of their own, and reciprocal-rank fusion (Cormack et al., 2009) needs none.
It is robust to the two rankings' scores living on different scales, and it lets a passage
that only the dense ranking finds (a Vietnamese claim, an English passage) still rise. The
dense ranking is fused per passage language (see :meth:`PassageIndex._by_language`) and a
passage in another language than the query has its lexical share imputed (:data:`IMPUTE`),
so the best passages of each language reach the top, not only those in the claim's language.

Public surface (kept stable: the stance evaluation calls it too)::

    build_index(passages: Iterable[PassageText], embedder: Embedder | None = None,
                *, tokenize: Tokenizer | None = None) -> PassageIndex
    search(index: PassageIndex, query: str, k: int = 10, *,
           language: str | None = None) -> list[PassageHit]
    PassageIndex.add(passages, vectors=None) / .remove(keys) / .search(...)
    PassageIndex.to_arrays() / PassageIndex.from_arrays(arrays, embedder)

Incremental: :meth:`PassageIndex.add` appends postings and vectors (no rebuild);
re-adding a key replaces it; removed keys stop matching at once and their slots are
compacted away when they pile up. Pure: no I/O, the caller saves the arrays.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from factdesk.search.bm25 import BM25Index
from factdesk.search.dense import EXACT_LIMIT, VectorIndex
from factdesk.search.embed import Embedder
from factdesk.search.tokens import Tokenizer, WordTokens, default_tokenizer, word_tokenizer
from factdesk.types.research import PassageHit, PassageText

F32 = NDArray[np.float32]

#: Reciprocal-rank fusion constant: 60 as in the original paper and most engines since.
RRF_K = 60
#: How deep each ranking goes before fusion.
DEPTH = 100
#: A passage in another language than the query: the lexical ranking cannot see it, so its
#: missing lexical share is imputed as this fraction of its dense share (1.0: as if the two
#: rankings agreed). Without it the best passage of the other language never outranks
#: same-language passages that merely share words; measured on the sample library, claims
#: find their other-language evidence in the top 8 for 9/19 (0.0), 13/19 (0.5), 17/19
#: (0.75) and 19/19 (1.0), same-language evidence unchanged (36/36).
IMPUTE = 1.0
#: The dense search looks this many times deeper, to rank each language's passages apart.
DENSE_WIDEN = 4
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

LanguageDetector = Callable[[str], str | None]


class PassageIndex:
    """Passages addressed by the caller's keys, searched by BM25 and cosine, fused."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        tokenize: Tokenizer | None = None,
        tokenizer_name: str | None = None,
        detect_language: LanguageDetector | None = None,
        exact_limit: int = EXACT_LIMIT,
    ) -> None:
        default_name, default_tokenize = default_tokenizer()
        self.tokenize: Tokenizer = tokenize or default_tokenize
        self.tokenizer_name = tokenizer_name or (default_name if tokenize is None else "custom")
        self.embedder = embedder
        self.detect_language = detect_language
        self.lexical = BM25Index()
        self.dense: VectorIndex | None = (
            VectorIndex(embedder.dim, exact_limit=exact_limit) if embedder is not None else None
        )
        self.keys: list[str | None] = []  # by slot; None once removed
        self.texts: list[str] = []
        self.languages: list[str | None] = []
        self.slot_of: dict[str, int] = {}
        self._words: WordTokens = word_tokenizer(self.tokenize)

    # --- size ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.slot_of)

    def __contains__(self, key: object) -> bool:
        return key in self.slot_of

    @property
    def model_id(self) -> str | None:
        return self.embedder.model_id if self.embedder is not None else None

    # --- updates ------------------------------------------------------------------------

    def add(self, passages: Sequence[PassageText], vectors: F32 | None = None) -> None:
        """Append ``passages`` (a known key is replaced). ``vectors`` (one L2-normalised row
        per passage) skips encoding: the caller may have them cached or precomputed."""
        if not passages:
            return
        self.remove([p.key for p in passages if p.key in self.slot_of])
        slots = self.lexical.add([self.tokenize(p.text, p.language) for p in passages])
        for slot, p in zip(slots, passages, strict=True):
            self.keys.append(p.key)
            self.texts.append(p.text)
            self.languages.append(p.language)
            self.slot_of[p.key] = slot
        if self.dense is not None:
            if vectors is None:
                assert self.embedder is not None
                vectors = self.embedder.encode([p.text for p in passages], "passage")
            if len(vectors) != len(passages):
                raise ValueError(f"{len(vectors)} vectors for {len(passages)} passages")
            self.dense.add(np.arange(slots.start, slots.stop, dtype=np.int64), vectors)

    def remove(self, keys: Iterable[str]) -> None:
        """Forget passages (unknown keys are ignored)."""
        slots = [self.slot_of.pop(key) for key in keys if key in self.slot_of]
        for slot in slots:
            self.keys[slot] = None
            self.texts[slot] = ""
        self.lexical.remove(slots)
        if self.dense is not None:
            self.dense.remove(slots)
        self._maybe_compact()

    def optimize(self) -> None:
        """Fold recent postings into the main segment (after a large batch of adds)."""
        self.lexical.merge()
        if self.dense is not None:
            self.dense.trim()

    def _maybe_compact(self) -> None:
        size = len(self.keys)
        if size < 1000 or len(self.slot_of) > 0.75 * size:
            return
        old_to_new = self.lexical.compact()
        if self.dense is not None:
            self.dense.renumber(old_to_new)
        keep = np.flatnonzero(old_to_new >= 0).tolist()
        self.keys = [self.keys[i] for i in keep]
        self.texts = [self.texts[i] for i in keep]
        self.languages = [self.languages[i] for i in keep]
        self.slot_of = {key: i for i, key in enumerate(self.keys) if key is not None}

    # --- search -------------------------------------------------------------------------

    def vectors_of(self, keys: Sequence[str]) -> F32 | None:
        """The stored embeddings of ``keys``, row i for key i — so a caller that reads the same
        embeddings (the stance model) need not encode the passages again; ``None`` when the
        index has no dense side or any key has no vector."""
        if self.dense is None or any(key not in self.slot_of for key in keys):
            return None
        vectors = self.dense.get(np.asarray([self.slot_of[key] for key in keys], dtype=np.int64))
        if len(vectors) and not np.all(np.any(vectors != 0, axis=1)):
            return None
        return vectors

    def query_vector(self, query: str) -> F32 | None:
        """The query's embedding, or ``None`` without a model (lexical only)."""
        if self.embedder is None or self.dense is None:
            return None
        vector: F32 = self.embedder.encode([query], "query")[0]
        return vector

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        language: str | None = None,
        query_vector: F32 | None = None,
        depth: int = DEPTH,
    ) -> list[PassageHit]:
        """The ``k`` best passages for ``query``, best first, with the shared words marked.

        ``language`` picks the query's tokenisation (detected when the index has a
        detector and none is given); ``query_vector`` skips encoding the query."""
        if k <= 0 or not self.slot_of or not query.strip():
            return []
        if language is None and self.detect_language is not None:
            language = self.detect_language(query)
        tokens = self.tokenize(query, language)
        depth = max(depth, k)
        lex_slots, lex_scores = self._lexical_top(tokens, depth)
        dense_slots = np.zeros(0, dtype=np.int32)
        dense_scores = np.zeros(0, dtype=np.float32)
        if self.dense is not None and self.dense.size:
            if query_vector is None:
                query_vector = self.query_vector(query)
            if query_vector is not None:
                found = self.dense.search(query_vector, DENSE_WIDEN * depth)
                dense_slots, dense_scores = found.slots, found.scores
        fused: dict[int, float] = {}
        for rank, slot in enumerate(lex_slots[:depth].tolist()):
            fused[slot] = 1.0 / (RRF_K + rank + 1)
        for ranking in self._by_language(dense_slots, depth):
            for rank, slot in enumerate(ranking):
                share = 1.0 / (RRF_K + rank + 1)
                other = language is not None and self.languages[slot] not in (None, language)
                # the lexical ranking cannot see a passage in another language: impute it
                fused[slot] = fused.get(slot, 0.0) + share * (1.0 + (IMPUTE if other else 0.0))
        best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        lex_rank = {s: r for r, s in enumerate(lex_slots.tolist())}
        lex_score = dict(zip(lex_slots.tolist(), lex_scores.tolist(), strict=True))
        dense_rank = {s: r for r, s in enumerate(dense_slots.tolist())}
        dense_score = dict(zip(dense_slots.tolist(), dense_scores.tolist(), strict=True))
        query_terms = set(tokens)
        top = 2.0 / (RRF_K + 1) if len(dense_slots) else 1.0 / (RRF_K + 1)
        hits = []
        for rank, (slot, value) in enumerate(best):
            key = self.keys[slot]
            assert key is not None
            text = self.texts[slot]
            hits.append(
                PassageHit(
                    key=key,
                    text=text,
                    score=round(min(1.0, value / top), 6),
                    rank=rank + 1,
                    language=self.languages[slot],
                    bm25=lex_score.get(slot),
                    cosine=dense_score.get(slot),
                    lexical_rank=_plus_one(lex_rank.get(slot)),
                    dense_rank=_plus_one(dense_rank.get(slot)),
                    highlights=highlight_spans(
                        query_terms, text, self.languages[slot], self._words
                    ),
                )
            )
        return hits

    def _by_language(self, slots: NDArray[np.int32], depth: int) -> list[list[int]]:
        """The dense ranking cut into one ranking per passage language (each at most
        ``depth`` long, best first). Multilingual-e5 puts text in the query's language
        above a translation of the same meaning, so one shared ranking would bury the other
        language's best passages; ranked apart, each language's best counts as a first."""
        rankings: dict[str | None, list[int]] = {}
        for slot in slots.tolist():
            ranking = rankings.setdefault(self.languages[slot], [])
            if len(ranking) < depth:
                ranking.append(slot)
        return list(rankings.values())

    def _lexical_top(self, tokens: list[str], depth: int) -> tuple[NDArray[np.int32], F32]:
        hits = self.lexical.search(tokens)
        if not len(hits.slots):
            return hits.slots, hits.scores
        if len(hits.slots) > depth:
            part = np.argpartition(-hits.scores, depth - 1)[:depth]
        else:
            part = np.arange(len(hits.slots))
        order = part[np.lexsort((hits.slots[part], -hits.scores[part]))]
        return hits.slots[order], hits.scores[order]

    # --- persistence --------------------------------------------------------------------

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """Plain arrays (no pickles) that :meth:`from_arrays` turns back into this index."""
        self.lexical.merge()
        live = [i for i, key in enumerate(self.keys) if key is not None]
        arrays: dict[str, NDArray[Any]] = {
            f"lex_{name}": value for name, value in self.lexical.to_arrays().items()
        }
        arrays["keys"] = _pack([k or "" for k in self.keys])[0]
        arrays["keys_offsets"] = _pack([k or "" for k in self.keys])[1]
        arrays["texts"], arrays["texts_offsets"] = _pack(self.texts)
        arrays["languages"], arrays["languages_offsets"] = _pack(
            [lang or "" for lang in self.languages]
        )
        arrays["live"] = np.array(live, dtype=np.int64)
        arrays["tokenizer"] = np.frombuffer(self.tokenizer_name.encode(), dtype=np.uint8)
        if self.dense is not None:
            arrays.update({f"dense_{n}": v for n, v in self.dense.to_arrays().items()})
        return arrays

    @classmethod
    def from_arrays(
        cls,
        arrays: dict[str, NDArray[Any]],
        embedder: Embedder | None = None,
        *,
        detect_language: LanguageDetector | None = None,
    ) -> PassageIndex:
        """The index saved by :meth:`to_arrays`; ``ValueError`` when it was built with
        another tokeniser or without the embedder given (the caller then rebuilds)."""
        index = cls(embedder, detect_language=detect_language)
        saved_tokenizer = bytes(arrays["tokenizer"]).decode()
        if saved_tokenizer != index.tokenizer_name:
            raise ValueError(f"index built with tokeniser {saved_tokenizer}")
        has_dense = "dense_vectors" in arrays
        if has_dense != (embedder is not None):
            raise ValueError("index built with a different embedding setup")
        index.lexical = BM25Index.from_arrays(
            {n[4:]: v for n, v in arrays.items() if n.startswith("lex_")}
        )
        if has_dense:
            index.dense = VectorIndex.from_arrays(
                {n[6:]: v for n, v in arrays.items() if n.startswith("dense_")}
            )
        keys = _unpack(arrays["keys"], arrays["keys_offsets"])
        live = set(arrays["live"].tolist())
        index.keys = [k if i in live else None for i, k in enumerate(keys)]
        index.texts = _unpack(arrays["texts"], arrays["texts_offsets"])
        index.languages = [
            lang or None for lang in _unpack(arrays["languages"], arrays["languages_offsets"])
        ]
        index.slot_of = {k: i for i, k in enumerate(index.keys) if k is not None}
        return index


def build_index(
    passages: Iterable[PassageText],
    embedder: Embedder | None = None,
    *,
    tokenize: Tokenizer | None = None,
    vectors: F32 | None = None,
    detect_language: LanguageDetector | None = None,
) -> PassageIndex:
    """An index over ``passages`` (lexical only when ``embedder`` is ``None``)."""
    index = PassageIndex(embedder, tokenize=tokenize, detect_language=detect_language)
    items = list(passages)
    index.add(items, vectors)
    index.optimize()
    return index


def search(
    index: PassageIndex, query: str, k: int = 10, *, language: str | None = None
) -> list[PassageHit]:
    """The ``k`` best passages of ``index`` for ``query`` (see :meth:`PassageIndex.search`)."""
    return index.search(query, k, language=language)


def highlight_spans(
    query_terms: set[str], text: str, language: str | None, word_tokens: WordTokens
) -> tuple[tuple[int, int], ...]:
    """Character spans of the words of ``text`` whose tokens occur among the query's.

    Each word is tokenised alone (memoised by ``word_tokens``) so stems and syllable pairs,
    unreadable on their own, are shown as the words the reader sees. Two adjacent
    Vietnamese syllables that form a shared bigram ("thành phố") are marked as one span."""
    if not query_terms:
        return ()
    words = list(_WORD.finditer(text))
    marked = [bool(word_tokens(m.group(), language) & query_terms) for m in words]
    for i in range(len(words) - 1):
        pair = f"{words[i].group()} {words[i + 1].group()}"
        if not (marked[i] and marked[i + 1]) and word_tokens(pair, language) & query_terms:
            if any("_" in t for t in word_tokens(pair, language) & query_terms):
                marked[i] = marked[i + 1] = True
    spans: list[tuple[int, int]] = []
    for m, on in zip(words, marked, strict=True):
        if not on or len(m.group()) < 2 and not m.group().isdigit():
            continue
        if spans and text[spans[-1][1] : m.start()].isspace() and _joined(spans, m, text):
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append((m.start(), m.end()))
    return tuple(spans)


def _joined(spans: list[tuple[int, int]], m: re.Match[str], text: str) -> bool:
    # Merge runs of marked words separated by one space into a single highlight.
    return m.start() - spans[-1][1] == 1


def _plus_one(rank: int | None) -> int | None:
    return None if rank is None else rank + 1


def _pack(texts: Sequence[str]) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(b) for b in encoded]) if encoded else []
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets


def _unpack(data: NDArray[Any], offsets: NDArray[Any]) -> list[str]:
    raw = bytes(data)
    bounds = offsets.tolist()
    return [raw[bounds[i] : bounds[i + 1]].decode("utf-8") for i in range(len(bounds) - 1)]
