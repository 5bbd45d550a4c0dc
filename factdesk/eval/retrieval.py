"""Claim-retrieval evaluation and matcher training on CheckThat! 2022 Task 2A.

``evaluate_retrieval`` ranks the whole vclaim pool for each query of a qrels file with the
same :class:`~factdesk.search.matcher.Matcher` the desk uses, and scores it like the lab's
scorer (:mod:`factdesk.eval.metrics`). ``train_matcher`` fits the matcher's heads on the train
split (:mod:`factdesk.search.training`) and, when given one, scores the dev split once.

Every fact-check and every query gets its true language before anything is indexed: the
declared one when the data carries it, else :func:`~factdesk.text.langid.identify_languages_batch`
over all 75 languages lingua knows (as the desk's ingest and ``match_text`` do), so the
per-language analysis, the cross-lingual head and the per-language report see real languages.

Vectors come through the caller's embedder, which caches them on disk, so only the first
run pays for encoding the 14,231 vclaims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from factdesk.errors import InputError, MissingExtra
from factdesk.eval.checkthat import Query, iter_vclaims, read_qrels, read_queries
from factdesk.eval.metrics import average_precision, ranking_report, reciprocal_rank
from factdesk.search.embed import Embedder
from factdesk.search.features import DENSE_FIELDS
from factdesk.search.matcher import Matcher, field_texts
from factdesk.search.model import MatcherModel
from factdesk.search.ranker import Head
from factdesk.search.segments import long_query_text, query_texts
from factdesk.search.training import (
    HeadReport,
    LabelledQuery,
    collect,
    evaluate,
    noisy_copies,
    train_head,
)
from factdesk.text.analysis import clean_post
from factdesk.types import FactCheck

Progress = Callable[[str, int, int], None]
Identify = Callable[[Sequence[str]], list[str | None]]

QUERIES_FILE = "CT2022-Task2A-EN-Train-Dev_Queries.tsv"
TRAIN_QRELS = "CT2022-Task2A-EN-Train_QRELs.tsv"
DEV_QRELS = "CT2022-Task2A-EN-Dev_QRELs.tsv"
VCLAIMS = "vclaims.zip"
BATCH = 512
NOISY_HEADS = ("hybrid", "lexical")  # heads that also train on noisy long copies


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def _stage(progress: Progress, stage: str, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        progress(stage, done, total)

    return report


@dataclass(frozen=True, slots=True)
class RetrievalResult:
    report: dict[str, Any]
    ranking: dict[str, list[tuple[str, float]]]
    languages: dict[str, str | None]  # query id -> the language it was matched as


def with_languages(
    vclaims: Sequence[tuple[str, FactCheck]], identify: Identify | None
) -> list[tuple[str, FactCheck]]:
    """The fact-checks with a language each: declared, else identified from the claim,
    title and summary together (longer text, surer answer); unchanged without ``identify``."""
    todo = [i for i, (_, fc) in enumerate(vclaims) if fc.language is None]
    out = list(vclaims)
    if identify is None or not todo:
        return out
    found = identify([field_texts(vclaims[i][1])["all"] for i in todo])
    for i, language in zip(todo, found, strict=True):
        doc_id, fc = out[i]
        out[i] = (doc_id, replace(fc, language=language))
    return out


def per_language(
    rankings: dict[str, list[str]],
    qrels: dict[str, set[str]],
    languages: dict[str, str | None],
) -> dict[str, dict[str, float | int]]:
    """MAP@5 and MRR of the queries of each detected language ("?" when unknown)."""
    groups: dict[str, list[str]] = {}
    for q, rel in qrels.items():
        if rel:
            groups.setdefault(languages.get(q) or "?", []).append(q)
    out: dict[str, dict[str, float | int]] = {}
    for code, qs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        n = len(qs)
        out[code] = {
            "queries": n,
            "map@5": round(
                sum(average_precision(rankings.get(q, []), qrels[q], 5) for q in qs) / n, 4
            ),
            "mrr": round(sum(reciprocal_rank(rankings.get(q, []), qrels[q]) for q in qs) / n, 4),
        }
    return out


def build_matcher(
    vclaims: Sequence[tuple[str, FactCheck]],
    *,
    embedder: Embedder | None,
    model: MatcherModel | None = None,
    detect_language: Callable[[str], str | None] | None = None,
    progress: Progress = _quiet,
) -> Matcher:
    """Index fact-checks in batches (vectors through ``embedder``, cached by it)."""
    matcher = Matcher(embedder=embedder, model=model, detect_language=detect_language)
    for start in range(0, len(vclaims), BATCH):
        batch = list(vclaims[start : start + BATCH])
        vectors = None
        if embedder is not None:
            texts = [field_texts(fc) for _, fc in batch]
            vectors = {
                f: embedder.encode([t[f] or t["all"] for t in texts], "passage")
                for f in DENSE_FIELDS
            }
        matcher.upsert(batch, vectors)
        progress("index", min(start + BATCH, len(vclaims)), len(vclaims))
    return matcher


def query_vectors(
    embedder: Embedder | None,
    queries: Sequence[Query],
    progress: Progress = _quiet,
    *,
    long_queries: bool = True,
) -> dict[str, NDArray[np.float32]] | None:
    """Each query's vector; with ``long_queries`` a long one cleaned and with its sentence
    windows, as the desk matches it (training keeps one vector of the raw text, as the
    shipped ranker was trained)."""
    if embedder is None:
        return None
    out: dict[str, NDArray[np.float32]] = {}
    for start in range(0, len(queries), BATCH):
        batch = queries[start : start + BATCH]
        # as the matcher does: a long query also as sentence windows (one row each)
        per_query = [
            query_texts(long_query_text(q.text)) if long_queries else [q.text] for q in batch
        ]
        vectors = embedder.encode([t for ts in per_query for t in ts], "query")
        at = 0
        for q, ts in zip(batch, per_query, strict=True):
            out[q.id] = vectors[at] if len(ts) == 1 else vectors[at : at + len(ts)]
            at += len(ts)
        progress("queries", min(start + BATCH, len(queries)), len(queries))
    return out


def evaluate_retrieval(
    queries_path: Path,
    qrels_path: Path,
    vclaims_path: Path,
    *,
    embedder: Embedder | None,
    model: MatcherModel | None = None,
    identify: Identify | None = None,
    depth: int = 100,
    use_dates: bool = True,
    progress: Progress = _quiet,
) -> RetrievalResult:
    """Rank the vclaim pool for exactly the queries named in ``qrels_path``.

    ``identify`` gives the true language of many texts (queries, and fact-checks that
    declare none); without it languages stay unknown. With ``use_dates`` a query's date
    (from the tweet embed's last line) goes to the matcher, which then uses its time-aware
    models; without it, the undated ones."""
    qrels = read_qrels(qrels_path)
    all_queries = read_queries(queries_path)
    missing = [q for q in qrels if q not in all_queries]
    if missing:
        raise InputError(
            f"{len(missing)} qrels queries have no text (first: {missing[0]})",
            where=str(queries_path),
        )
    queries = [all_queries[q] for q in qrels]
    vclaims = with_languages(list(iter_vclaims(vclaims_path)), identify)
    matcher = build_matcher(vclaims, embedder=embedder, model=model, progress=progress)
    vectors = query_vectors(embedder, queries, progress)
    # a post's language is judged on its words, as the matcher does (clean_post)
    texts = [clean_post(q.text) or q.text for q in queries]
    found = identify(texts) if identify is not None else [None] * len(queries)
    languages = {q.id: code for q, code in zip(queries, found, strict=True)}
    ranking: dict[str, list[tuple[str, float]]] = {}
    for n, q in enumerate(queries, start=1):
        qv = vectors[q.id] if vectors is not None else None
        date = q.date if use_dates else None
        matches = matcher.search(
            long_query_text(q.text),
            language=languages[q.id],
            k=depth,
            date=date,
            query_vector=qv,
            explain=False,
            post=q.text,
        )
        ranking[q.id] = [(m.id, m.score) for m in matches]
        progress("rank", n, len(queries))
    ranked = {q: [d for d, _ in r] for q, r in ranking.items()}
    report: dict[str, Any] = ranking_report(ranked, qrels)
    report["mode"] = matcher.describe()["mode"]
    report["dates"] = use_dates
    report["vclaims"] = len(vclaims)
    report["vclaim_languages"] = _counts(fc.language for _, fc in vclaims)
    report["languages"] = per_language(ranked, qrels, languages)
    return RetrievalResult(report, ranking, languages)


def _counts(codes: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code in codes:
        counts[code or "?"] = counts.get(code or "?", 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _labelled(queries: dict[str, Query], qrels: dict[str, set[str]]) -> list[LabelledQuery]:
    return [
        LabelledQuery(q, queries[q].text, frozenset(rel), queries[q].date)
        for q, rel in qrels.items()
        if q in queries and rel
    ]


def train_matcher(
    data_dir: Path,
    *,
    embedder: Embedder | None,
    folds: int = 5,
    seed: int = 0,
    score_dev: bool = True,
    noisy_train: bool = False,
    detect_language: Callable[[str], str | None] | None = None,
    identify: Identify | None = None,
    progress: Progress = _quiet,
) -> tuple[MatcherModel, dict[str, Any]]:
    """Train the three heads on the train split of a CheckThat! 2022 2A folder.

    With ``noisy_train`` every train query also comes as a seeded long noisy post
    (:func:`~factdesk.search.training.noisy_copies`), encoded as the desk encodes long posts
    (cleaned, sentence windows) and added to the ``hybrid`` and ``lexical`` heads' queries;
    the ``dense`` head (cross-language candidates) keeps the clean tweets, since with noisy
    copies it cost the cross-lingual groups of the sanity set 0.10-0.29 MAP@5
    (docs/matching.md, "Training the ranker"). The dev split stays the clean tweets.

    Without an embedder only the lexical head can be trained; the command refuses that,
    since a shipped model needs all three."""
    if embedder is None:
        raise MissingExtra("embed", "training the matcher")
    queries = read_queries(data_dir / QUERIES_FILE)
    train = _labelled(queries, read_qrels(data_dir / TRAIN_QRELS))
    dev_path = data_dir / DEV_QRELS
    dev = _labelled(queries, read_qrels(dev_path)) if score_dev and dev_path.exists() else []
    vclaims = with_languages(list(iter_vclaims(data_dir / VCLAIMS)), identify)
    matcher = build_matcher(
        vclaims,
        embedder=embedder,
        model=MatcherModel({}, {}),
        detect_language=detect_language,
        progress=progress,
    )
    all_q = [queries[q.id] for q in train + dev]
    vectors = query_vectors(embedder, all_q, progress, long_queries=False)
    noisy: list[LabelledQuery] = []
    if noisy_train:
        noisy = noisy_copies(train, seed)
        posts = [Query(q.id, q.text, q.date) for q in noisy]
        vectors = {**(vectors or {}), **(query_vectors(embedder, posts, progress) or {})}
    heads: dict[str, Head] = {}
    reports: dict[str, HeadReport] = {}
    dev_scores: dict[str, dict[str, float]] = {}
    for head in ("hybrid", "dense", "lexical"):
        seen = [*train, *noisy] if head in NOISY_HEADS else train
        items = collect(
            matcher,
            seen,
            vectors,
            head,
            progress=_stage(progress, f"collect {head}", len(seen)),
        )
        try:
            trained, reports[head] = train_head(items, head, folds=folds, seed=seed)
        except ValueError as exc:  # too few queries for the folds: say so, no traceback
            raise InputError(f"cannot train the {head} head: {exc}", where=str(data_dir)) from None
        heads.update(trained)
        if dev:
            dev_items = collect(matcher, dev, vectors, head, with_removed=False)
            for name, model in trained.items():
                dev_scores[name] = evaluate(dev_items, model)
    meta: dict[str, Any] = {
        "name": "factdesk matcher",
        "trained_on": "CheckThat! 2022 Task 2A English, train split "
        f"({len(train)} queries"
        + (f", hybrid and lexical heads also {len(noisy)} noisy long copies" if noisy else "")
        + f", {len(vclaims)} vclaims)",
        "embedding_model": embedder.model_id,
        "tokenizer": matcher.tokenizer_name,
        "seed": seed,
        "folds": folds,
        "command": f"factdesk train matcher --data {data_dir.name} --seed {seed} --folds {folds}"
        + (" --noisy-train" if noisy_train else ""),
        "cv": {name: cv for r in reports.values() for name, cv in r.cv.items()},
        "chosen": {name: c for r in reports.values() for name, c in r.chosen.items()},
        "dev": dev_scores,
    }
    report = {**meta, "grid": {h: r.grid for h, r in reports.items()}}
    return MatcherModel(heads, meta), report
