"""Evaluation metrics, computed the way the public benchmarks' own scorers compute them.

Ranking metrics follow trectools / the CheckThat! scorer: per query, AP@k sums the precision
at each rank (within the top k) that holds a relevant document and divides by the number of
relevant documents; a query in the qrels with nothing retrieved scores 0; the mean is over
every query in the qrels, never over the ones a system happened to answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt


def average_precision(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """AP@k of one ranked list against the set of relevant ids."""
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int | None = None) -> float:
    """1 / rank of the first relevant document (0 when none is within ``k``)."""
    for rank, doc in enumerate(ranked if k is None else ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def precision_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the top ``k`` positions that hold a relevant document (P@k, TREC style)."""
    return sum(1 for doc in ranked[:k] if doc in relevant) / k


def ranking_report(
    rankings: Mapping[str, Sequence[str]],
    qrels: Mapping[str, set[str]],
    ks: Sequence[int] = (1, 3, 5, 10, 20),
) -> dict[str, float | int]:
    """MAP@k for each ``k``, MRR, P@1 and recall@k over every query of ``qrels``."""
    queries = [q for q, rel in qrels.items() if rel]
    n = len(queries)
    report: dict[str, float | int] = {}
    if not n:
        return {"queries": 0}
    for k in ks:
        report[f"map@{k}"] = (
            sum(average_precision(rankings.get(q, ()), qrels[q], k) for q in queries) / n
        )
    report["mrr"] = sum(reciprocal_rank(rankings.get(q, ()), qrels[q]) for q in queries) / n
    report["p@1"] = sum(precision_at(rankings.get(q, ()), qrels[q], 1) for q in queries) / n
    for k in (max(ks),):
        report[f"recall@{k}"] = (
            sum(len(set(rankings.get(q, ())[:k]) & qrels[q]) / len(qrels[q]) for q in queries) / n
        )
    report["queries"] = n
    return {
        key: round(value, 4) if isinstance(value, float) else value for key, value in report.items()
    }


def roc_auc(labels: npt.NDArray[np.bool_], scores: npt.NDArray[np.floating]) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a
    random negative, ties counting half (Mann-Whitney, from average ranks, so it stays fast
    on the tens of thousands of rows of a leave-one-source-out fold). NaN when either class
    is empty: there is no curve to measure."""
    labels = np.asarray(labels, dtype=bool)
    pos, neg = int(labels.sum()), int((~labels).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(np.asarray(scores), return_inverse=True, return_counts=True)
    # a value's average 1-based rank: the ranks before its ties plus the middle of its run
    ends = np.cumsum(counts)
    average = ends - (counts - 1) / 2.0
    ranks = average[inverse.ravel()]
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def brier(labels: npt.NDArray[np.bool_], probs: npt.NDArray[np.float64]) -> float:
    """Mean squared gap between score and outcome: 0 is perfect, 0.25 a constant 0.5."""
    return float(np.mean((probs - labels.astype(np.float64)) ** 2))


def reliability(
    labels: npt.NDArray[np.bool_], probs: npt.NDArray[np.float64], bins: int = 10
) -> list[dict[str, float]]:
    """Per score bin: rows, mean predicted score, observed share of check-worthy rows."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(probs, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = idx == b
        if mask.any():
            out.append(
                {
                    "low": round(float(edges[b]), 2),
                    "high": round(float(edges[b + 1]), 2),
                    "rows": int(mask.sum()),
                    "predicted": round(float(probs[mask].mean()), 4),
                    "observed": round(float(labels[mask].mean()), 4),
                }
            )
    return out
