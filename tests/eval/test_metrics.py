"""Ranking metrics as trectools / the CheckThat! scorer compute them."""

from __future__ import annotations

import pytest

from factdesk.eval.metrics import average_precision, precision_at, ranking_report, reciprocal_rank


def test_average_precision_counts_hits_within_k() -> None:
    assert average_precision(["x", "a", "y", "b"], {"a", "b"}, 5) == pytest.approx(
        (1 / 2 + 2 / 4) / 2
    )
    assert average_precision(["x", "a"], {"a"}, 1) == 0.0
    assert average_precision([], {"a"}, 5) == 0.0


def test_reciprocal_rank_and_precision() -> None:
    assert reciprocal_rank(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x", "y", "a"], {"a"}, k=2) == 0.0
    assert precision_at(["a", "x"], {"a"}, 1) == 1.0


def test_ranking_report_averages_over_every_qrels_query() -> None:
    qrels = {"q1": {"a"}, "q2": {"b"}, "q3": {"c"}}
    rankings = {"q1": ["a", "x"], "q2": ["x", "b"], "extra": ["a"]}  # q3 unanswered
    report = ranking_report(rankings, qrels, ks=(1, 5))
    assert report["queries"] == 3
    assert report["map@1"] == pytest.approx(1 / 3, abs=1e-4)
    assert report["map@5"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert report["mrr"] == pytest.approx(0.5, abs=1e-4)


def test_roc_auc_counts_pairs_and_half_ties() -> None:
    import numpy as np

    from factdesk.eval.metrics import roc_auc

    def pairwise(pos: list[float], neg: list[float]) -> float:
        wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
        return wins / (len(pos) * len(neg))

    def auc(pos: list[float], neg: list[float]) -> float:
        labels = np.array([True] * len(pos) + [False] * len(neg))
        return roc_auc(labels, np.array(pos + neg))

    assert auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert auc([0.5], [0.5, 0.9]) == 0.25
    assert np.isnan(auc([], [0.1]))
    rng = np.random.default_rng(3)
    for _ in range(20):  # ranks and the pairwise definition agree, ties included
        pos = rng.integers(0, 6, size=int(rng.integers(1, 9))).astype(float).tolist()
        neg = rng.integers(0, 6, size=int(rng.integers(1, 9))).astype(float).tolist()
        assert auc(pos, neg) == pytest.approx(pairwise(pos, neg))
