"""Training the check-worthiness scorer: cross-validated, seeded, genre-mixed.

Choices are made on out-of-fold predictions of the TRAINING splits only (dev splits are for
reporting, and the test sets are scored by others), because the lesson of CheckThat! 2024 is
that what looks best on a dev split drawn from the same debates does not carry over:

- folds are grouped (consecutive blocks of each file, so sentences of one debate or one
  topic stay in one fold) and seeded;
- the two genres (debate sentences, tweets) are weighted to count equally, and the classes
  are balanced inside each genre;
- the learner: a logistic regression (its L2 penalty chosen from a small grid by mean
  out-of-fold F1 across genres) or a small MLP (``mlp.py``; one fixed configuration, chosen
  the same way when it was written: 64 units, dropout 0.3, 1,000 steps, 3 seeded members);
- the decision threshold is the one maximising out-of-fold F1 on the pooled data; the
  (lower) mention threshold used by ``factdesk detect`` keeps 90 % out-of-fold recall;
- cross-genre figures (train on one genre, test on the other) are computed and recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from factdesk.detect.logreg import LogisticModel, balanced_weights, fit
from factdesk.detect.mlp import MLPModel, fit_mlp

FloatArray = npt.NDArray[np.float64]
# A desk reads a ranked list, so mentions favour recall: the threshold that keeps this share
# of the check-worthy training sentences (out of fold). Evaluations use the F1 threshold.
MENTION_RECALL = 0.9


@dataclass(frozen=True, slots=True)
class SoftSet:
    """Unlabelled rows with a teacher's probabilities as targets (cross-lingual distillation:
    Vietnamese sentences scored by a classifier over multilingual-e5). Always trained on,
    never scored: every figure comes from the labelled rows alone. ``share`` is their total
    weight relative to the labelled rows they are trained with."""

    features: npt.NDArray[np.floating]
    targets: FloatArray
    share: float


@dataclass(frozen=True, slots=True)
class TrainingSet:
    features: npt.NDArray[np.floating]
    labels: npt.NDArray[np.bool_]
    genres: tuple[str, ...]
    soft: SoftSet | None = None


Model = LogisticModel | MLPModel
Fit = Callable[[npt.NDArray[np.floating], FloatArray, FloatArray], Model]
Learner = Literal["logistic", "mlp"]


def _logistic(l2: float) -> Fit:
    return lambda x, y, w: fit(x, y, l2=l2, sample_weight=w)


def _mlp(seed: int) -> Fit:
    return lambda x, y, w: fit_mlp(x, y, sample_weight=w, seed=seed)


@dataclass(slots=True)
class TrainResult:
    model: Model
    threshold: float
    l2: float | None
    report: dict[str, Any] = field(default_factory=dict)
    mention_threshold: float = 0.5


def sample_weights(labels: npt.NDArray[np.bool_], genres: Sequence[str]) -> FloatArray:
    """Each genre gets equal total weight; within a genre the classes are balanced."""
    g = np.asarray(genres)
    w = np.zeros(len(labels))
    names = sorted(set(genres))
    for name in names:
        mask = g == name
        w[mask] = balanced_weights(labels[mask]) * (len(labels) / (len(names) * mask.sum()))
    return w


def grouped_folds(genres: Sequence[str], k: int, seed: int) -> npt.NDArray[np.int64]:
    """Fold id per row: each genre is cut into 4k consecutive blocks dealt to folds at random,
    so neighbouring sentences (one debate, one topic) never straddle train and test."""
    rng = np.random.default_rng(seed)
    g = np.asarray(genres)
    folds = np.zeros(len(g), dtype=np.int64)
    for name in sorted(set(genres)):
        idx = np.flatnonzero(g == name)
        blocks = np.array_split(idx, 4 * k)
        order = rng.permutation(len(blocks))
        for pos, b in enumerate(order):
            folds[blocks[b]] = pos % k
    return folds


def best_threshold(labels: npt.NDArray[np.bool_], probs: FloatArray) -> tuple[float, float]:
    """The threshold maximising F1 of the positive class, and that F1."""
    order = np.argsort(-probs)
    sorted_labels = labels[order].astype(np.float64)
    tp = np.cumsum(sorted_labels)
    fp = np.cumsum(1 - sorted_labels)
    total = sorted_labels.sum()
    f1 = 2 * tp / np.maximum(tp + fp + total, 1e-9)
    i = int(np.argmax(f1))
    upper = probs[order][i]
    lower = probs[order][i + 1] if i + 1 < len(order) else upper
    return float((upper + lower) / 2), float(f1[i])


def recall_threshold(labels: npt.NDArray[np.bool_], probs: FloatArray, recall: float) -> float:
    """The highest threshold that still finds ``recall`` of the positives."""
    positives = np.sort(probs[labels])[::-1]
    if len(positives) == 0:
        return 0.5
    k = min(len(positives) - 1, max(int(np.ceil(recall * len(positives))) - 1, 0))
    return float(positives[k])


def f1_at(labels: npt.NDArray[np.bool_], probs: FloatArray, threshold: float) -> float:
    pred = probs >= threshold
    tp = float(np.sum(pred & labels))
    denom = float(np.sum(pred) + np.sum(labels))
    return 2 * tp / denom if denom else 0.0


def fit_with_soft(
    fitter: Fit,
    features: npt.NDArray[np.floating],
    labels: npt.NDArray[np.bool_],
    weights: FloatArray,
    soft: SoftSet | None,
) -> Model:
    """Fit on labelled rows plus, if given, the soft rows at their share of the weight."""
    if soft is None or len(soft.targets) == 0:
        return fitter(features, labels.astype(np.float64), weights)
    soft_w = np.full(len(soft.targets), weights.sum() * soft.share / len(soft.targets))
    return fitter(
        np.vstack([features, soft.features]),
        np.concatenate([labels.astype(np.float64), soft.targets]),
        np.concatenate([weights, soft_w]),
    )


def out_of_fold(data: TrainingSet, fitter: Fit, *, k: int, seed: int) -> FloatArray:
    folds = grouped_folds(data.genres, k, seed)
    weights = sample_weights(data.labels, data.genres)
    probs = np.zeros(len(data.labels))
    for f in range(k):
        test = folds == f
        model = fit_with_soft(
            fitter, data.features[~test], data.labels[~test], weights[~test], data.soft
        )
        probs[test] = model.predict_proba(data.features[test])
    return probs


def cross_genre(data: TrainingSet, fitter: Fit) -> dict[str, float]:
    """F1 when trained on one genre and tested on the other, threshold from the train genre's
    own out-of-fold predictions (never from the test genre)."""
    g = np.asarray(data.genres)
    out: dict[str, float] = {}
    names = sorted(set(data.genres))
    for train_name in names:
        for test_name in names:
            if train_name == test_name:
                continue
            tr, te = g == train_name, g == test_name
            sub = TrainingSet(data.features[tr], data.labels[tr], tuple(g[tr]))
            threshold, _ = best_threshold(sub.labels, out_of_fold(sub, fitter, k=5, seed=0))
            model = fitter(
                sub.features, sub.labels.astype(np.float64), balanced_weights(sub.labels)
            )
            out[f"{train_name}->{test_name}"] = round(
                f1_at(data.labels[te], model.predict_proba(data.features[te]), threshold), 4
            )
    return out


def train(
    data: TrainingSet,
    *,
    learner: Learner = "logistic",
    l2_grid: Sequence[float] = (1.0, 10.0, 100.0, 1000.0),
    k: int = 5,
    seed: int = 13,
) -> TrainResult:
    """Choose the candidate (L2 for the logistic model) and the threshold by grouped k-fold
    CV, then fit on all the training data."""
    g = np.asarray(data.genres)
    genres = sorted(set(data.genres))
    candidates: dict[str, tuple[float | None, Fit]] = (
        {str(l2): (l2, _logistic(l2)) for l2 in l2_grid}
        if learner == "logistic"
        else {"mlp": (None, _mlp(seed))}
    )
    grid: dict[str, dict[str, float]] = {}
    best: tuple[float, str, FloatArray] | None = None
    for name, (_l2, fitter) in candidates.items():
        probs = out_of_fold(data, fitter, k=k, seed=seed)
        per_genre = {
            genre: best_threshold(data.labels[g == genre], probs[g == genre])[1] for genre in genres
        }
        mean_f1 = float(np.mean(list(per_genre.values())))
        grid[name] = {genre: round(v, 4) for genre, v in per_genre.items()} | {
            "mean": round(mean_f1, 4)
        }
        if best is None or mean_f1 > best[0]:
            best = (mean_f1, name, probs)
    assert best is not None
    _, chosen, probs = best
    l2, fitter = candidates[chosen]
    threshold, pooled_f1 = best_threshold(data.labels, probs)
    mention_threshold = min(recall_threshold(data.labels, probs, MENTION_RECALL), threshold)
    model = fit_with_soft(
        fitter,
        data.features,
        data.labels,
        sample_weights(data.labels, data.genres),
        data.soft,
    )
    report: dict[str, Any] = {
        "folds": k,
        "seed": seed,
        "learner": learner,
        ("l2_grid_oof_f1" if learner == "logistic" else "oof_f1"): grid,
        "l2": l2,
        "threshold": round(threshold, 4),
        "oof_f1_pooled": round(pooled_f1, 4),
        "mention_threshold": round(mention_threshold, 4),
        "mention_threshold_rule": f"out-of-fold recall {MENTION_RECALL} (pooled)",
        "oof_precision_at_mention_threshold": round(
            float(np.mean(data.labels[probs >= mention_threshold])), 4
        ),
        "oof_f1_per_genre_at_threshold": {
            genre: round(f1_at(data.labels[g == genre], probs[g == genre], threshold), 4)
            for genre in genres
        },
    }
    if data.soft is not None:
        report["soft_rows"] = {"rows": len(data.soft.targets), "share": data.soft.share}
    if len(genres) > 1:
        report["cross_genre_f1"] = cross_genre(data, fitter)  # labelled genres only
    return TrainResult(
        model=model, threshold=threshold, l2=l2, report=report, mention_threshold=mention_threshold
    )
