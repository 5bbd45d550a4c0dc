import numpy as np
import pytest

from factdesk.detect.loso import (
    Candidate,
    fit_platt,
    loso_predictions,
    run_candidates,
    source_weights,
    table,
)
from factdesk.eval.metrics import brier, reliability, roc_auc


def _data(seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray, list[str], np.ndarray]:
    """Three sources; feature 0 carries the label everywhere, feature 1 is a per-source
    offset (a 'surface' that does not transfer)."""
    rng = np.random.default_rng(seed)
    n = 300
    sources = ["a"] * n + ["b"] * n + ["c"] * n
    labels = rng.random(3 * n) < 0.3
    signal = labels * 2.0 + rng.normal(size=3 * n)
    offset = np.repeat([0.0, 3.0, -3.0], n) + rng.normal(size=3 * n)
    bank = {"good": signal[:, None], "noise": offset[:, None]}
    folds = np.repeat([0, 1, 2], n)
    return bank, labels, sources, folds


def test_source_weights_equal_per_source_and_balanced_inside() -> None:
    labels = np.array([True, False, False, False, True, False])
    w = source_weights(labels, ["a", "a", "a", "a", "b", "b"])
    assert w[:4].sum() == pytest.approx(w[4:].sum())
    assert w[0] == pytest.approx(w[1:4].sum())
    flat = source_weights(labels, ["a", "a", "a", "a", "b", "b"], balance=False)
    assert flat[0] == pytest.approx(flat[1])


def test_loso_never_trains_on_the_held_out_fold() -> None:
    bank, labels, sources, folds = _data()
    seen: list[int] = []

    class Spy:
        def predict_proba(self, x: np.ndarray) -> np.ndarray:
            return np.zeros(len(x))

    def fitter(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Spy:
        seen.append(len(x))
        return Spy()

    loso_predictions(bank["good"], labels, sources, folds, fitter)  # type: ignore[arg-type]
    assert seen == [600, 600, 600]


def test_run_candidates_prefers_the_transferable_feature() -> None:
    bank, labels, sources, folds = _data()
    results = run_candidates(
        bank,
        labels,
        sources,
        folds,
        [
            Candidate("good", ("good",), "logistic"),
            Candidate("noise", ("noise",), "logistic"),
        ],
        ensembles={"both": ("good", "noise")},
    )
    by = {r.name: r for r in results}
    assert by["good"].mean_f1 > by["noise"].mean_f1 + 0.2
    assert set(by["good"].per_source) == {"a", "b", "c"}
    assert by["good"].per_source["a"]["auc"] > 0.8
    rows = table(results)
    assert [r["candidate"] for r in rows] == ["good", "noise", "both"]


def test_roc_auc_with_ties() -> None:
    labels = np.array([True, False, True, False])
    assert roc_auc(labels, np.array([0.9, 0.1, 0.5, 0.5])) == pytest.approx(0.875)
    assert np.isnan(roc_auc(np.array([True, True]), np.array([0.1, 0.2])))


def test_platt_improves_brier_of_overconfident_scores() -> None:
    rng = np.random.default_rng(1)
    labels = rng.random(2000) < 0.3
    truth = np.where(labels, 0.7, 0.2)
    over = np.clip(truth + 0.25 * (truth > 0.5) - 0.15 * (truth < 0.5), 0.01, 0.99)
    platt = fit_platt(labels, over)
    assert brier(labels, platt.apply(over)) < brier(labels, over)
    bins = reliability(labels, platt.apply(over))
    assert sum(b["rows"] for b in bins) == 2000
