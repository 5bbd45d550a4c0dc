"""Claim-retrieval evaluation and matcher training on CheckThat! 2022 Task 2A.

``evaluate_retrieval`` ranks the whole vclaim pool for each query of a qrels file with the
same :class:`~factdesk.search.matcher.Matcher` the desk uses, and scores it like the lab's
scorer (:mod:`factdesk.eval.metrics`). ``train_matcher`` fits the matcher's heads on the train
split (:mod:`factdesk.search.training`) and, when given one, scores the dev split once.

Vectors come through the caller's embedder, which caches them on disk, so only the first
run pays for encoding the 14,231 vclaims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from factdesk.errors import InputError, MissingExtra
from factdesk.eval.checkthat import Query, iter_vclaims, read_qrels, read_queries
from factdesk.eval.metrics import ranking_report
from factdesk.search.embed import Embedder
from factdesk.search.features import DENSE_FIELDS
from factdesk.search.matcher import Matcher, field_texts
from factdesk.search.model import MatcherModel
from factdesk.search.ranker import Head
from factdesk.search.training import HeadReport, LabelledQuery, collect, evaluate, train_head
from factdesk.types import FactCheck

Progress = Callable[[str, int, int], None]

QUERIES_FILE = "CT2022-Task2A-EN-Train-Dev_Queries.tsv"
TRAIN_QRELS = "CT2022-Task2A-EN-Train_QRELs.tsv"
DEV_QRELS = "CT2022-Task2A-EN-Dev_QRELs.tsv"
VCLAIMS = "vclaims.zip"
BATCH = 512


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
    embedder: Embedder | None, queries: Sequence[Query], progress: Progress = _quiet
) -> dict[str, NDArray[np.float32]] | None:
    if embedder is None:
        return None
    out: dict[str, NDArray[np.float32]] = {}
    for start in range(0, len(queries), BATCH):
        batch = queries[start : start + BATCH]
        vectors = embedder.encode([q.text for q in batch], "query")
        out.update({q.id: v for q, v in zip(batch, vectors, strict=True)})
        progress("queries", min(start + BATCH, len(queries)), len(queries))
    return out


def evaluate_retrieval(
    queries_path: Path,
    qrels_path: Path,
    vclaims_path: Path,
    *,
    embedder: Embedder | None,
    model: MatcherModel | None = None,
    detect_language: Callable[[str], str | None] | None = None,
    depth: int = 100,
    use_dates: bool = True,
    progress: Progress = _quiet,
) -> RetrievalResult:
    """Rank the vclaim pool for exactly the queries named in ``qrels_path``.

    With ``use_dates`` a query's date (from the tweet embed's last line) goes to the matcher,
    which then uses its time-aware models; without it, the undated ones."""
    qrels = read_qrels(qrels_path)
    all_queries = read_queries(queries_path)
    missing = [q for q in qrels if q not in all_queries]
    if missing:
        raise InputError(
            f"{len(missing)} qrels queries have no text (first: {missing[0]})",
            where=str(queries_path),
        )
    queries = [all_queries[q] for q in qrels]
    vclaims = list(iter_vclaims(vclaims_path))
    matcher = build_matcher(
        vclaims, embedder=embedder, model=model, detect_language=detect_language, progress=progress
    )
    vectors = query_vectors(embedder, queries, progress)
    ranking: dict[str, list[tuple[str, float]]] = {}
    for n, q in enumerate(queries, start=1):
        qv = vectors[q.id] if vectors is not None else None
        date = q.date if use_dates else None
        matches = matcher.search(q.text, k=depth, date=date, query_vector=qv, explain=False)
        ranking[q.id] = [(m.id, m.score) for m in matches]
        progress("rank", n, len(queries))
    report: dict[str, Any] = ranking_report(
        {q: [d for d, _ in r] for q, r in ranking.items()}, qrels
    )
    report["mode"] = matcher.describe()["mode"]
    report["dates"] = use_dates
    report["vclaims"] = len(vclaims)
    return RetrievalResult(report, ranking)


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
    detect_language: Callable[[str], str | None] | None = None,
    progress: Progress = _quiet,
) -> tuple[MatcherModel, dict[str, Any]]:
    """Train the three heads on the train split of a CheckThat! 2022 2A folder.

    Without an embedder only the lexical head can be trained; the command refuses that,
    since a shipped model needs all three."""
    if embedder is None:
        raise MissingExtra("embed", "training the matcher")
    queries = read_queries(data_dir / QUERIES_FILE)
    train = _labelled(queries, read_qrels(data_dir / TRAIN_QRELS))
    dev_path = data_dir / DEV_QRELS
    dev = _labelled(queries, read_qrels(dev_path)) if score_dev and dev_path.exists() else []
    vclaims = list(iter_vclaims(data_dir / VCLAIMS))
    matcher = build_matcher(
        vclaims,
        embedder=embedder,
        model=MatcherModel({}, {}),
        detect_language=detect_language,
        progress=progress,
    )
    all_q = [queries[q.id] for q in train + dev]
    vectors = query_vectors(embedder, all_q, progress)
    heads: dict[str, Head] = {}
    reports: dict[str, HeadReport] = {}
    dev_scores: dict[str, dict[str, float]] = {}
    for head in ("hybrid", "dense", "lexical"):
        items = collect(
            matcher,
            train,
            vectors,
            head,
            progress=_stage(progress, f"collect {head}", len(train)),
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
        f"({len(train)} queries, {len(vclaims)} vclaims)",
        "embedding_model": embedder.model_id,
        "tokenizer": matcher.tokenizer_name,
        "seed": seed,
        "folds": folds,
        "command": f"factdesk train matcher --data {data_dir.name} --seed {seed} --folds {folds}",
        "cv": {name: cv for r in reports.values() for name, cv in r.cv.items()},
        "chosen": {name: c for r in reports.values() for name, c in r.chosen.items()},
        "dev": dev_scores,
    }
    report = {**meta, "grid": {h: r.grid for h, r in reports.items()}}
    return MatcherModel(heads, meta), report
