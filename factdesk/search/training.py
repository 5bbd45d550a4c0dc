"""Training the matcher's heads from queries with known answers (CheckThat! 2022 2A train).

For each head (``hybrid``, ``dense``, ``lexical``) the first stage that head will see in use
is run over every training query (both stages, dense only, or lexical only), once with the
pool intact and once with the query's fact-checks removed from it, so the calibrator also
sees queries that have no answer in the pool, as most posts in a newsroom do.

Each head comes in two models: with the time features (used when the query's date is known)
and without them. Choices (L2 strength) are made by k-fold cross-validation
over the *training* queries only, on MAP@5; a development split, if given, is scored once at
the end and never used to choose. Everything is seeded: the same data gives the same model.

With :func:`noisy_copies` the training queries also come as long noisy posts (the short
tweet inside filler from *other* training tweets, links, handles, hashtags and an OCR-like
block, as ``factdesk eval multilingual --noisy`` builds them), so the ranker also learns
from lists where a high cosine is not decisive; a noisy copy stays in its tweet's fold.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from factdesk.search.features import HEADS, TIME_FEATURES, feature_table
from factdesk.search.matcher import Candidates, Matcher
from factdesk.search.ranker import (
    F64,
    Calibrator,
    Group,
    Head,
    LinearRanker,
    fit_calibrator,
    fit_ranker,
    margins,
)
from factdesk.text.noisy import noisy_post

STAGES: dict[str, tuple[str, ...]] = {
    "hybrid": ("lexical", "dense"),
    "dense": ("dense",),
    "lexical": ("lexical",),
}
L2_GRID = (1e-4, 1e-3, 1e-2, 1e-1)
CALIBRATION_DEPTH = 10
NOISY_SUFFIX = "+noise"


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    id: str
    text: str
    relevant: frozenset[str]
    date: datetime | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Collected:
    """One query's candidates and which are relevant; ``answerable`` is False when the
    query's own fact-checks were removed from the pool."""

    query: str
    table: dict[str, F64]
    relevant: NDArray[np.bool_]
    answerable: bool
    missed: int  # relevant fact-checks the first stage did not retrieve


@dataclass(slots=True)
class HeadReport:
    head: str
    chosen: dict[str, object] = field(default_factory=dict)
    cv: dict[str, dict[str, float]] = field(default_factory=dict)
    grid: list[dict[str, object]] = field(default_factory=list)


def collect(
    matcher: Matcher,
    queries: Sequence[LabelledQuery],
    vectors: dict[str, NDArray[np.float32]] | None,
    head: str,
    *,
    with_removed: bool = True,
    progress: Callable[[int], None] | None = None,
) -> list[Collected]:
    """Run the head's first stage for every query (and, by default, again without its answer)."""
    stages = STAGES[head]
    out: list[Collected] = []
    for n, q in enumerate(queries):
        qv = vectors.get(q.id) if vectors is not None and "dense" in stages else None
        variants: list[tuple[bool, tuple[str, ...]]] = [(False, ())]
        if with_removed:
            variants.append((True, tuple(q.relevant)))
        for removed, exclude in variants:
            found = matcher.candidates(
                q.text,
                language=q.language,
                query_vector=qv,
                date=q.date,
                exclude=exclude,
                stages=stages,
            )
            out.append(_labelled(matcher, found, q, answerable=not removed))
        if progress is not None:
            progress(n + 1)
    return out


def noisy_copies(queries: Sequence[LabelledQuery], seed: int = 0) -> list[LabelledQuery]:
    """One seeded long noisy post per query (id ``<id>+noise``, same answers), its filler
    drawn from the other queries' texts so no copy repeats its own claim."""
    rng = random.Random(f"noisy-train-{seed}")
    texts = [q.text for q in queries]
    out: list[LabelledQuery] = []
    for i, q in enumerate(queries):
        fillers = texts[:i] + texts[i + 1 :]
        text = noisy_post(q.text, fillers, rng)
        out.append(replace(q, id=f"{q.id}{NOISY_SUFFIX}", text=text))
    return out


def _fold_key(query_id: str) -> str:
    """A noisy copy is held out with its tweet, so CV never sees the same claim twice."""
    return query_id.removesuffix(NOISY_SUFFIX)


def _labelled(matcher: Matcher, found: Candidates, q: LabelledQuery, answerable: bool) -> Collected:
    ids = [matcher.ids[s] for s in found.slots.tolist()]
    relevant = np.array([i in q.relevant for i in ids], dtype=bool)
    missed = len(q.relevant) - int(relevant.sum()) if answerable else 0
    return Collected(q.id, feature_table(found.signals), relevant, answerable, missed)


def _groups(items: Sequence[Collected], names: Sequence[str]) -> list[Group]:
    return [
        Group(np.column_stack([c.table[n] for n in names]), c.relevant)
        for c in items
        if c.answerable and len(c.relevant)
    ]


def ap_at(scores: F64, relevant: NDArray[np.bool_], n_relevant: int, k: int = 5) -> float:
    """AP@k of one candidate list ranked by ``scores`` (ties by position, i.e. slot order)."""
    if n_relevant == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")[:k]
    hits, total = 0, 0.0
    for rank, i in enumerate(order.tolist(), start=1):
        if relevant[i]:
            hits += 1
            total += hits / rank
    return total / n_relevant


def _folds(query_ids: Sequence[str], k: int, seed: int) -> dict[str, int]:
    unique = sorted(set(query_ids))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(unique))
    return {unique[i]: f % k for f, i in enumerate(order.tolist())}


def cross_validate(
    items: Sequence[Collected],
    names: Sequence[str],
    *,
    l2: float,
    folds: int = 5,
    seed: int = 0,
) -> tuple[float, list[tuple[F64, Collected]]]:
    """Mean held-out MAP@5 over answerable queries, and each list's held-out scores."""
    fold_of = _folds([_fold_key(c.query) for c in items], folds, seed)
    held: list[tuple[F64, Collected]] = []
    aps: list[float] = []
    for f in range(folds):
        train = [c for c in items if fold_of[_fold_key(c.query)] != f]
        test = [c for c in items if fold_of[_fold_key(c.query)] == f]
        ranker = fit_ranker(_groups(train, names), names, l2=l2)
        for c in test:
            x = np.column_stack([c.table[n] for n in names]) if len(c.relevant) else None
            scores = ranker.score(x) if x is not None else np.zeros(0)
            held.append((scores, c))
            if c.answerable:
                aps.append(ap_at(scores, c.relevant, int(c.relevant.sum()) + c.missed))
    return float(np.mean(aps)) if aps else 0.0, held


def calibrate(held: Sequence[tuple[F64, Collected]]) -> Calibrator:
    """Fit P(match) on each list's top candidates by held-out score, both variants."""
    xs, ms, ys = [], [], []
    for scores, c in held:
        if not len(scores):
            continue
        top = np.argsort(-scores, kind="stable")[:CALIBRATION_DEPTH]
        xs.append(scores[top])
        ms.append(margins(scores)[top])
        ys.append(c.relevant[top])
    return fit_calibrator(np.concatenate(xs), np.concatenate(ms), np.concatenate(ys))


def train_head(
    items: Sequence[Collected], head: str, *, folds: int = 5, seed: int = 0
) -> tuple[dict[str, Head], HeadReport]:
    """Two models per head, each with L2 chosen by CV: one with the time features (used when
    the query's date is known) and one without (``<head>/undated``). Each ranker is then fitted
    on all queries and its calibrator on its held-out scores."""
    report = HeadReport(head)
    full = HEADS[head]
    variants = {
        head: full,
        f"{head}/undated": tuple(n for n in full if n not in TIME_FEATURES),
    }
    heads: dict[str, Head] = {}
    for variant, names in variants.items():
        best: tuple[float, float, list[tuple[F64, Collected]]] | None = None
        for l2 in L2_GRID:
            score, held = cross_validate(items, names, l2=l2, folds=folds, seed=seed)
            report.grid.append({"model": variant, "l2": l2, "cv_map@5": round(score, 4)})
            if best is None or score > best[0] + 1e-9:
                best = (score, l2, held)
        assert best is not None
        score, l2, held = best
        ranker: LinearRanker = fit_ranker(_groups(items, names), names, l2=l2)
        # fitted on the clean tweets' lists only: the probabilities of the heads are compared
        # across languages, and noisy copies made this head's read differently from the
        # dense head's (docs/matching.md, "Training the ranker")
        calibrator = calibrate([(s, c) for s, c in held if c.query == _fold_key(c.query)])
        heads[variant] = Head(ranker, calibrator, {"cv_map@5": round(score, 4), "l2": l2})
        report.chosen[variant] = {"l2": l2}
        report.cv[variant] = {"map@5": round(score, 4), **_band_quality(held, calibrator)}
    return heads, report


def _band_quality(
    held: Sequence[tuple[F64, Collected]], calibrator: Calibrator
) -> dict[str, float]:
    """Held-out precision of the top match above 0.9 / 0.4 and how many queries get one."""
    out: dict[str, float] = {}
    tops = []
    for scores, c in held:
        if not len(scores):
            tops.append((0.0, False, c.answerable))
            continue
        p = calibrator.probability(scores, margins(scores))
        i = int(np.argmax(p))
        tops.append((float(p[i]), bool(c.relevant[i]), c.answerable))
    for threshold in (0.9, 0.4):
        above = [(ok, ans) for p, ok, ans in tops if p >= threshold]
        answerable = sum(1 for _, _, ans in tops if ans)
        out[f"precision@p>={threshold}"] = (
            round(sum(ok for ok, _ in above) / len(above), 4) if above else 0.0
        )
        out[f"answered_share@p>={threshold}"] = (
            round(sum(1 for ok, ans in above if ok and ans) / answerable, 4) if answerable else 0.0
        )
    return out


def evaluate(items: Sequence[Collected], head: Head) -> dict[str, float]:
    """MAP@5 of a trained head on collected (answerable) lists, e.g. the dev split."""
    aps = []
    for c in items:
        if not c.answerable:
            continue
        if not len(c.relevant):
            aps.append(0.0)
            continue
        x = np.column_stack([c.table[n] for n in head.ranker.names])
        aps.append(ap_at(head.ranker.score(x), c.relevant, int(c.relevant.sum()) + c.missed))
    return {"map@5": round(float(np.mean(aps)), 4) if aps else 0.0, "queries": len(aps)}
