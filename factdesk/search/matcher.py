"""Claim matching: find the earlier fact-checks that answer a post, in any of the desk's languages.

Pipeline for one query:

1. **First stage.** BM25 over each fact-check's claim, title and summary together (with the
   per-language analysis of :mod:`factdesk.text.analysis`) gives the top ``lexical_depth``
   candidates; when an embedding model is available, cosine between the query's vector and
   each fact-check's claim vector gives the top ``dense_depth`` (exact search, or an IVF
   index past 50,000 fact-checks). The union goes on.
2. **Reranking.** Each candidate gets a row of features (BM25 per field, cosine per field,
   ranks, reciprocal-rank fusion, dates: :mod:`factdesk.search.features`) and a score from a
   small ranker trained on CheckThat! 2022 (``factdesk train matcher``), then a calibrated
   probability that it answers the query. Candidates written in another language than the
   query are scored by the dense-only head, since shared words mean little across languages;
   without an embedding model the lexical head scores everything.
3. **Bands.** The probability, the query's language and length, and optionally the
   fact-check's age give each match a band: ``auto``, ``suggest`` or ``hidden``
   (:mod:`factdesk.search.bands`).

The matcher is plain data in memory: built from ``(id, FactCheck)`` records, updated in place
(:meth:`Matcher.upsert`, :meth:`Matcher.remove`) and turned into arrays for saving
(:meth:`Matcher.to_arrays`). Saving, loading and keeping it in step with the database is the
shell's business (``factdesk.services.match``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from factdesk.search.background import (
    BackgroundSample,
    background_levels,
    build_sample,
    query_background,
    sample_slots,
)
from factdesk.search.bands import BandPolicy
from factdesk.search.bm25 import BM25Index
from factdesk.search.dense import EXACT_LIMIT, VectorIndex
from factdesk.search.embed import Embedder
from factdesk.search.features import (
    BACKGROUND_RULES,
    DENSE_FIELDS,
    LEX_FIELDS,
    CandidateSignals,
    OffsetRule,
    feature_table,
    offset_groups,
    rank_of,
)
from factdesk.search.longpost import (
    LONG_FUSION,
    LongFusion,
    LongPost,
    check_long,
    fuse_long,
)
from factdesk.search.model import MatcherModel, default_model
from factdesk.search.ranker import margins
from factdesk.search.segments import is_long, query_texts
from factdesk.search.tokens import Tokenizer, default_tokenizer, shared_words, word_tokenizer
from factdesk.text.analysis import analysis_name, clean_post, language_family
from factdesk.types import Band, FactCheck, Match, Why

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]

LANGUAGE_DETECTOR = Callable[[str], str | None]
# words of letters, for the short-post guard only (a post of numbers says too little);
# whether a post is long is segments.is_long, the test that also decides its windows
_LETTER_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Candidates:
    """First-stage output for one query, before the ranker (used for training too)."""

    slots: NDArray[np.int32]
    signals: CandidateSignals
    cross: NDArray[np.bool_]
    tokens: list[str]
    language: str | None
    dated: bool = False
    long: bool = False  # a long post (segments.is_long): the windows' test, banded as long


def field_texts(fc: FactCheck) -> dict[str, str]:
    """The text of each indexed field of a fact-check (``all`` = the three together)."""
    texts = {"claim": fc.claim_reviewed or "", "title": fc.title or "", "summary": fc.summary or ""}
    texts["all"] = " \n".join(t for t in texts.values() if t)
    return texts


def _days(value: datetime | None) -> float:
    if value is None:
        return math.nan
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp() / 86400.0


class Matcher:
    """Fact-checks indexed for matching; see the module docstring for how a query is scored."""

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        tokenizer: Tokenizer | None = None,
        tokenizer_name: str | None = None,
        model: MatcherModel | None = None,
        policy: BandPolicy | None = None,
        detect_language: LANGUAGE_DETECTOR | None = None,
        lexical_depth: int = 100,
        dense_depth: int = 100,
        exact_limit: int = EXACT_LIMIT,
        dim: int | None = None,
        language_offset: OffsetRule = "pairs-background",
        long_fusion: LongFusion = LONG_FUSION,
        long_post: LongPost = "cleaned",
    ) -> None:
        if tokenizer is None:
            tokenizer_name, tokenizer = default_tokenizer()
        self.tokenize: Tokenizer = tokenizer
        self._word_tokens = word_tokenizer(tokenizer)
        self.tokenizer_name = tokenizer_name or "custom"
        self.embedder = embedder
        self.model = model if model is not None else default_model()
        self.policy = policy or BandPolicy()
        self.detect_language = detect_language
        self.lexical_depth = lexical_depth
        self.dense_depth = dense_depth
        # which other languages' cosines are shifted to the query language's level
        # (features.offset_groups; `factdesk eval multilingual --offset-rules` compares them)
        self.language_offset: OffsetRule = language_offset
        self._background: BackgroundSample | None = None  # built on use, dropped on change
        check_long(long_fusion, long_post)
        # how a long post's candidates are scored, which text says a post is long and which
        # one BM25 reads (Matcher.score, Matcher.candidates)
        self.long_fusion: LongFusion = long_fusion
        self.long_post: LongPost = long_post
        self.ids: list[str | None] = []
        self.slot_of: dict[str, int] = {}
        self.records: list[FactCheck | None] = []
        self.languages: list[str | None] = []
        self.dates = np.zeros(0, dtype=np.float64)
        # only the combined field is a first stage; the per-field indexes score candidates
        self.lexical = {"all": BM25Index(), **{f: BM25Index(postings=False) for f in LEX_FIELDS}}
        dim = dim or (embedder.dim if embedder is not None else None)
        self.dense: dict[str, VectorIndex] = (
            # only the claim vectors are searched; the others are looked up by slot
            {
                f: VectorIndex(dim, exact_limit=exact_limit if f == "claim" else 2**62)
                for f in DENSE_FIELDS
            }
            if dim
            else {}
        )

    # --- contents -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.slot_of

    @property
    def model_id(self) -> str | None:
        return self.embedder.model_id if self.embedder is not None else None

    def upsert(
        self,
        records: Sequence[tuple[str, FactCheck]],
        vectors: dict[str, F32] | None = None,
    ) -> None:
        """Add fact-checks, replacing any already indexed under the same id.

        ``vectors`` (one array per field of ``DENSE_FIELDS``, rows aligned with ``records``)
        skips encoding, for cached or precomputed vectors; without it the embedder, if any,
        encodes the fields now."""
        if not records:
            return
        self.remove([d for d, _ in records if d in self.slot_of])  # drops _background too
        texts = [field_texts(fc) for _, fc in records]
        langs = [fc.language for _, fc in records]
        tokens = {
            name: [self.tokenize(t[name], lang) for t, lang in zip(texts, langs, strict=True)]
            for name in LEX_FIELDS
        }
        # the combined field is the three fields' tokens (no bigram across a field boundary)
        tokens["all"] = [sum((tokens[f][i] for f in LEX_FIELDS), []) for i in range(len(texts))]
        # each fact-check's terms go to its analysis's field (bm25 module docstring)
        analyses = [analysis_name(lang) for lang in langs]
        for name, index in self.lexical.items():
            slots = index.add(tokens[name], analyses)
        first = slots.start
        for offset, (doc_id, fc) in enumerate(records):
            self.ids.append(doc_id)
            self.records.append(fc)
            self.languages.append(fc.language)
            self.slot_of[doc_id] = first + offset
        self.dates = np.concatenate([self.dates, [_days(fc.date_published) for _, fc in records]])
        if self.dense:
            if vectors is None and self.embedder is not None:
                vectors = {
                    f: self.embedder.encode([t[f] or t["all"] for t in texts], "passage")
                    for f in DENSE_FIELDS
                }
            if vectors is not None:
                slot_arr = np.arange(first, first + len(records))
                for name, vindex in self.dense.items():
                    vindex.add(slot_arr, vectors[name])
        self._maybe_compact()

    def optimize(self) -> None:
        """Tidy up after a batch of updates: fold recent postings into the main segment and
        give back spare vector capacity, so queries scan no unmerged tail."""
        for index in self.lexical.values():
            index.merge()
        for vindex in self.dense.values():
            vindex.trim()

    def remove(self, ids: Iterable[str]) -> None:
        """Forget fact-checks (unknown ids are ignored)."""
        slots = [self.slot_of.pop(doc_id) for doc_id in ids if doc_id in self.slot_of]
        self._background = None
        for slot in slots:
            self.ids[slot] = None
            self.records[slot] = None
            self.languages[slot] = None
        for index in self.lexical.values():
            index.remove(slots)
        for vindex in self.dense.values():
            vindex.remove(slots)

    def _maybe_compact(self) -> None:
        size = len(self.ids)
        if size < 1000 or len(self.slot_of) > 0.75 * size:
            return
        old_to_new = np.zeros(0, dtype=np.int64)
        for index in self.lexical.values():
            old_to_new = index.compact()
        for vindex in self.dense.values():
            vindex.renumber(old_to_new)
        keep = np.flatnonzero(old_to_new >= 0)
        self.ids = [self.ids[i] for i in keep]
        self.records = [self.records[i] for i in keep]
        self.languages = [self.languages[i] for i in keep]
        self.dates = self.dates[keep]
        self.slot_of = {doc_id: i for i, doc_id in enumerate(self.ids) if doc_id is not None}
        self._background = None

    # --- matching -----------------------------------------------------------------------

    def query_vector(self, text: str, language: str | None = None) -> F32 | None:
        """The query's embedding, or ``None`` when there is no model or no dense index.

        A long query (see :mod:`factdesk.search.segments`) gets one row per text of
        :func:`query_texts`: the whole text, then its sentence windows; candidates then take
        the best cosine over the rows. A short one gets a single vector, as always."""
        if self.embedder is None or not self.dense:
            return None
        texts = query_texts(text, language)
        vectors: F32 = self.embedder.encode(texts, "query")
        return vectors[0] if len(texts) == 1 else vectors

    def candidates(
        self,
        text: str,
        *,
        language: str | None = None,
        query_vector: F32 | None = None,
        date: datetime | None = None,
        exclude: Iterable[str] = (),
        stages: tuple[str, ...] = ("lexical", "dense"),
        post: str | None = None,
    ) -> Candidates:
        """First stage for one query: candidate slots and their raw signals. ``stages``
        limits which first stages propose candidates (training mimics each head's use).

        ``post``: the post as written when ``text`` is its cleaned form; ``long_post``
        (``longpost.LONG_POSTS``) says whether its length and words count."""
        if language is None and self.detect_language is not None:
            # judged on the post's words: links, handles and an embed's "— Name (@handle)
            # date" tail tip short posts into the wrong language (CheckThat! dev: 12 → 5
            # of 1,196 English tweets identified as something else)
            language = self.detect_language(clean_post(text) or text)
        written = text if post is None or self.long_post == "cleaned" else post
        long = is_long(written)
        tokens = self.tokenize(written if long and self.long_post == "raw" else text, language)
        analysis = analysis_name(language)
        excluded = np.array([self.slot_of[d] for d in exclude if d in self.slot_of], dtype=np.int64)
        lex_slots = (
            self._lexical_top(tokens, excluded, analysis)
            if "lexical" in stages
            else np.zeros(0, dtype=np.int32)
        )
        dense_slots = np.zeros(0, dtype=np.int32)
        use_dense = (
            query_vector is not None and "claim" in self.dense and self.dense["claim"].size > 0
        )
        if use_dense and "dense" in stages:
            assert query_vector is not None
            dense_slots = self._dense_top(query_vector, excluded)
        slots = np.unique(np.concatenate([lex_slots, dense_slots])).astype(np.int32)
        lex_rank = rank_of(slots, lex_slots)
        dense_rank = rank_of(slots, dense_slots)
        bm25 = np.zeros((len(slots), len(LEX_FIELDS) + 1))
        bm25_max = np.zeros(len(LEX_FIELDS) + 1)
        for i, name in enumerate((*LEX_FIELDS, "all")):
            bm25[:, i] = self.lexical[name].score_slots(tokens, slots, analysis)
            bm25_max[i] = self.lexical[name].max_score(tokens, analysis)
        cos = None
        if use_dense:
            assert query_vector is not None
            rows = np.atleast_2d(query_vector).T  # one column per query text
            cos = np.column_stack(
                [(self.dense[f].get(slots) @ rows).max(axis=1) for f in DENSE_FIELDS]
            ).astype(np.float64)
        days_apart = (
            self.dates[slots] - _days(date) if date is not None else np.full(len(slots), np.nan)
        )
        # languages an identifier confuses (Malay/Indonesian ...) count as one: same family
        family = language_family(language)
        doc_families = [language_family(self.languages[s]) for s in slots.tolist()]
        cross = np.array(
            [family is not None and f is not None and f != family for f in doc_families],
            dtype=bool,
        )
        codes: dict[str | None, int] = {}
        group = np.array([codes.setdefault(f, len(codes)) for f in doc_families])
        # a post in a language the index holds no fact-check of (asked only when none came)
        orphan = family is not None and family not in codes and cos is not None
        orphan = orphan and family not in self.background_sample().families
        shift = offset_groups(self.language_offset, family, codes, orphan=orphan)
        background = reference = None
        if self.language_offset in BACKGROUND_RULES and cos is not None and shift:
            assert query_vector is not None
            sample = self.background_sample()
            levels = background_levels(sample, query_vector, DENSE_FIELDS)
            shift, background, reference = query_background(sample, levels, codes, family, shift)
        signals = CandidateSignals(
            bm25,
            bm25_max,
            lex_rank,
            cos,
            dense_rank,
            days_apart,
            group.astype(np.int64),
            codes.get(family, -1) if family is not None else -1,
            shift,
            background,
            reference,
        )
        return Candidates(slots, signals, cross, tokens, language, date is not None, long)

    def background_sample(self) -> BackgroundSample:
        """The fact-checks whose cosines give each language's background level (built after
        any change to the index; :mod:`factdesk.search.background`)."""
        if self._background is None:
            items = ((d, s, self.languages[s]) for d, s in self.slot_of.items())
            vectors = {f: self.dense[f].get for f in DENSE_FIELDS}
            self._background = build_sample(sample_slots(items), vectors)
        return self._background

    def _dense_top(self, query_vector: F32, excluded: NDArray[np.int64]) -> NDArray[np.int32]:
        """The dense first stage: the best ``dense_depth`` slots by cosine, for a query with
        several rows (a long post's windows) by the best cosine over the rows."""
        return self.dense["claim"].search_best(query_vector, self.dense_depth, excluded)

    def _lexical_top(
        self, tokens: list[str], excluded: NDArray[np.int64], analysis: str | None = None
    ) -> NDArray[np.int32]:
        """The lexical first stage: the best ``lexical_depth`` slots by BM25 of the combined
        field, the query analysed as ``analysis`` (:func:`analysis_name` of its language)."""
        hits = self.lexical["all"].search(tokens, analysis)
        if len(excluded):
            keep = ~np.isin(hits.slots, excluded)
            hits = type(hits)(hits.slots[keep], hits.scores[keep])
        depth = min(self.lexical_depth, len(hits.slots))
        if not depth:
            return np.zeros(0, dtype=np.int32)
        top = np.argpartition(-hits.scores, depth - 1)[:depth]
        # ties broken by slot so results never depend on argpartition's internals
        top = top[np.lexsort((hits.slots[top], -hits.scores[top]))]
        return hits.slots[top]

    def score(self, found: Candidates) -> tuple[F64, list[str]]:
        """Calibrated probability for each candidate and the head that gave it: hybrid for
        candidates in the query's language, dense for those in another language (shared
        words mean little across languages), lexical when there are no vectors.

        (Taking the larger of the hybrid and dense probabilities for same-language candidates
        was tried: it finds a few more pure paraphrases in the sample data, but costs 0.006
        MAP@5 on CheckThat! dev, so it is not done.)"""
        n = len(found.slots)
        if not n:
            return np.zeros(0), []
        table = feature_table(found.signals)
        if found.signals.cos is None:
            everything = np.ones(n, dtype=bool)
            return self._head_probs("lexical", table, everything, found.dated), ["lexical"] * n
        same = ~found.cross
        hybrid = self._head_probs("hybrid", table, same, found.dated)
        # A calibrated pair's language (vi for an en query, en for a vi one) is scored
        # exactly as it was measured: with every other language shifted alike and all of
        # them ranked together. Any other language keeps its own cosines and is calibrated
        # against the whole list, as the dense head was trained: against only a few
        # unrelated foreign candidates, the best of them would win a large margin
        # (CheckThat! dev: a handful of vclaims identified as Tagalog or Latin then outrank
        # English answers). docs/matching.md, "Languages", has the figures.
        groups = found.signals.language_group
        shifted = ~same
        if groups is not None:
            shifted &= np.isin(groups, sorted(found.signals.offset_groups))
        plain = ~same & ~shifted
        dense = np.zeros(n)
        if shifted.any():
            every = found.signals
            if groups is not None:
                every = replace(every, offset_groups=frozenset(groups[~same].tolist()))
            dense = self._head_probs("dense", feature_table(every), ~same, found.dated)
        if plain.any():
            whole = self._head_probs("dense", table, same | plain, found.dated)
            dense = np.where(plain, whole, dense)
        probs = np.where(same, hybrid, dense)
        heads = ["hybrid" if c else "dense" for c in same.tolist()]
        if found.long and self.long_fusion != "hybrid":
            # A long noisy post's best-window cosine lifts wrong fact-checks of every
            # language, and the heads, trained on short tweets, trust it; the lexical head
            # (BM25 features only, calibrated like the others) does not read it. "mean" by
            # default: on the noisy proxy it lifts every long-post group and leaves short
            # posts as they were; neither rule reaches BM25 alone for every language
            # (docs/matching.md, "Long-post fusion"); the rules: factdesk.search.longpost.
            lexical = self._head_probs("lexical", table, np.ones(n, dtype=bool), found.dated)
            probs = fuse_long(self.long_fusion, probs, lexical, same, found.language)
            if self.long_fusion == "lexical":
                return probs, ["lexical"] * n
            heads = [f"{h}+lexical" for h in heads]
        return probs, heads

    def _head_probs(
        self, name: str, table: dict[str, F64], mask: NDArray[np.bool_], dated: bool
    ) -> F64:
        """One head's probabilities for the candidates in ``mask`` (zero elsewhere): it
        ranks, and is calibrated against, only those."""
        out = np.zeros(len(mask))
        if not mask.any():
            return out
        head = self.model.heads.get(name if dated else f"{name}/undated") or self.model.heads[name]
        x = np.column_stack([table[f][mask] for f in head.ranker.names])
        s = head.ranker.score(x)
        out[mask] = head.calibrator.probability(s, margins(s))
        return out

    def search(
        self,
        text: str,
        *,
        language: str | None = None,
        k: int = 10,
        date: datetime | None = None,
        now: datetime | None = None,
        query_vector: F32 | None = None,
        exclude: Iterable[str] = (),
        min_band: Band = "hidden",
        explain: bool = True,
        post: str | None = None,
    ) -> list[Match]:
        """The ``k`` best fact-checks for ``text``, best first, each with score, band and why.

        ``language`` (detected when omitted) picks the tokeniser and the band thresholds;
        ``date`` is when the post appeared (for the time features); ``query_vector`` skips
        encoding the query (it must come from the same model as the index); ``explain=False``
        skips the per-field shared words (evaluation ranks hundreds of results); ``post`` is
        the post as written when ``text`` is its cleaned form (:meth:`candidates`)."""
        if query_vector is None:
            query_vector = self.query_vector(text, language)
        found = self.candidates(
            text,
            language=language,
            query_vector=query_vector,
            date=date,
            exclude=exclude,
            post=post,
        )
        probs, heads = self.score(found)
        if not len(probs):
            return []
        order = np.lexsort((found.slots, -probs))[:k]
        words = len(_LETTER_WORDS.findall(text))
        query_tokens = set(found.tokens)
        now = now or datetime.now(UTC)
        out: list[Match] = []
        floor = ("auto", "suggest", "hidden").index(min_band)
        for i in order.tolist():
            slot = int(found.slots[i])
            fc = self.records[slot]
            doc_id = self.ids[slot]
            if fc is None or doc_id is None:
                continue
            band = self.policy.band(
                float(probs[i]),
                language=found.language,
                words=words,
                long_text=found.long,
                published=fc.date_published,
                now=now,
                cross_lingual=bool(found.cross[i]),
            )
            if ("auto", "suggest", "hidden").index(band) > floor:
                continue
            why = (
                self._why(fc, found, i, query_tokens, heads[i])
                if explain
                else Why({}, None, bool(found.cross[i]), heads[i])
            )
            out.append(Match(doc_id, fc, round(float(probs[i]), 4), band, why))
        return out

    def _why(
        self, fc: FactCheck, found: Candidates, i: int, query_tokens: set[str], head: str
    ) -> Why:
        texts = field_texts(fc)
        terms = {
            name: tuple(shared_words(query_tokens, texts[name], fc.language, self._word_tokens))
            for name in LEX_FIELDS
            if texts[name]
        }
        cos = found.signals.cos
        similarity = float(cos[i].max()) if cos is not None else None
        return Why({k: v for k, v in terms.items() if v}, similarity, bool(found.cross[i]), head)

    def describe(self) -> dict[str, Any]:
        """What this matcher holds and which parts are active (for doctor/status output)."""
        vectors = self.dense["claim"].size if "claim" in self.dense else 0
        return {
            "fact_checks": len(self),
            "mode": "hybrid" if vectors else "lexical",
            "embedding_model": self.model_id,
            "vectors": vectors,
            "ann": bool(self.dense and self.dense["claim"].is_ivf),
            "tokenizer": self.tokenizer_name,
            "ranker": self.model.meta.get("name", "matcher"),
        }

    # --- persistence --------------------------------------------------------------------

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """Index arrays by name (``lexical.<field>.<array>``, ``dense.<field>.<array>``)."""
        arrays: dict[str, NDArray[Any]] = {"dates": self.dates}
        for name, index in self.lexical.items():
            for key, value in index.to_arrays().items():
                arrays[f"lexical.{name}.{key}"] = value
        for name, vindex in self.dense.items():
            for key, value in vindex.to_arrays().items():
                arrays[f"dense.{name}.{key}"] = value
        return arrays

    def load_arrays(
        self,
        arrays: dict[str, NDArray[Any]],
        ids: Sequence[str | None],
        records: Sequence[FactCheck | None],
    ) -> None:
        """Restore what :meth:`to_arrays` saved, with the slot-ordered ids and records."""
        for name in self.lexical:
            prefix = f"lexical.{name}."
            part = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            self.lexical[name] = BM25Index.from_arrays(part)
        self.dense = {}
        for name in DENSE_FIELDS:
            prefix = f"dense.{name}."
            part = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            if part:
                self.dense[name] = VectorIndex.from_arrays(part)
        self.dates = np.asarray(arrays["dates"], dtype=np.float64)
        self.ids = list(ids)
        self.records = list(records)
        self.languages = [fc.language if fc is not None else None for fc in records]
        self.slot_of = {doc_id: i for i, doc_id in enumerate(self.ids) if doc_id is not None}
        self._background = None
