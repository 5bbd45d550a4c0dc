"""The learned parts of matching: a listwise ranker and a calibrator, both tiny and in numpy.

Ranker: a linear score over candidate features (see :mod:`factdesk.search.features`),
trained with the ListNet loss (softmax over each query's candidate list, cross-entropy
against its relevant candidates) plus L2, by full-batch Adam from a zero start, so the same
data and settings give the same weights on any machine.

Calibrator: a logistic regression turning a candidate's ranker score and its margin over
the best *other* candidate into P(the fact-check answers the query). It is fitted on
cross-validated ranker scores of training queries both with their fact-check present and
with it removed from the pool, so it learns what a near-miss looks like: in a newsroom most
posts have no earlier fact-check at all.

A model is a handful of floats and is stored as JSON (``factdesk/models/matcher/``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Group:
    """One query's candidates: a feature row each and which of them are relevant."""

    features: F64
    relevant: NDArray[np.bool_]


@dataclass(slots=True)
class LinearRanker:
    """score = features · weights (features are standardised with the stored mean/scale)."""

    names: tuple[str, ...]
    weights: F64
    mean: F64
    scale: F64

    def score(self, features: F64 | F32) -> F64:
        z = (np.asarray(features, dtype=np.float64) - self.mean) / self.scale
        out: F64 = z @ self.weights
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "weights": self.weights.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearRanker:
        return cls(
            names=tuple(data["names"]),
            weights=np.asarray(data["weights"], dtype=np.float64),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
        )


@dataclass(slots=True)
class Calibrator:
    """P(match) = sigmoid(a·score + b·margin + c)."""

    a: float
    b: float
    c: float

    def probability(self, scores: F64, margins: F64) -> F64:
        out: F64 = 1.0 / (1.0 + np.exp(-(self.a * scores + self.b * margins + self.c)))
        return out

    def to_json(self) -> dict[str, float]:
        return {"a": self.a, "b": self.b, "c": self.c}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibrator:
        return cls(float(data["a"]), float(data["b"]), float(data["c"]))


@dataclass(slots=True)
class Head:
    """A ranker and its calibrator for one feature set (hybrid, dense-only, lexical-only)."""

    ranker: LinearRanker
    calibrator: Calibrator
    stats: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "ranker": self.ranker.to_json(),
            "calibrator": self.calibrator.to_json(),
            "stats": self.stats,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Head:
        return cls(
            LinearRanker.from_json(data["ranker"]),
            Calibrator.from_json(data["calibrator"]),
            {k: float(v) for k, v in data.get("stats", {}).items()},
        )


def margins(scores: F64) -> F64:
    """Each score minus the best score among the *other* candidates of the same list."""
    if len(scores) == 1:
        return np.zeros(1)
    order = np.argsort(-scores)
    best, second = scores[order[0]], scores[order[1]]
    out: F64 = scores - np.where(np.arange(len(scores)) == order[0], second, best)
    return out


def fit_ranker(
    groups: Sequence[Group],
    names: Sequence[str],
    *,
    l2: float = 1e-3,
    steps: int = 400,
    lr: float = 0.05,
) -> LinearRanker:
    """Fit a linear ListNet ranker; groups without a relevant candidate are skipped."""
    usable = [g for g in groups if g.relevant.any() and len(g.relevant) > 1]
    if not usable:
        raise ValueError("no training group has both a relevant and an irrelevant candidate")
    stacked = np.concatenate([g.features for g in usable])
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (stacked - mean) / scale
    bounds = np.cumsum([0] + [len(g.relevant) for g in usable])
    target = np.concatenate([g.relevant / g.relevant.sum() for g in usable])
    group_of = np.repeat(np.arange(len(usable)), np.diff(bounds))
    w = np.zeros(z.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):
        s = z @ w
        # softmax within each group, stabilised by the group's max
        s = s - np.maximum.reduceat(s, bounds[:-1])[group_of]
        e = np.exp(s)
        p = e / np.add.reduceat(e, bounds[:-1])[group_of]
        grad = z.T @ (p - target) / len(usable) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= lr * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return LinearRanker(tuple(names), w, mean, scale)


def fit_calibrator(
    scores: F64, margins_: F64, labels: NDArray[np.bool_], *, steps: int = 2000
) -> Calibrator:
    """Logistic regression of labels on (score, margin), Newton's method, tiny ridge."""
    x = np.column_stack([scores, margins_, np.ones(len(scores))])
    y = labels.astype(np.float64)
    w = np.zeros(3)
    for _ in range(min(steps, 100)):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + 1e-4 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-4 * np.eye(3)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return Calibrator(float(w[0]), float(w[1]), float(w[2]))


def save_model(path: Path, heads: dict[str, Head], meta: dict[str, Any]) -> None:
    """Write every head plus provenance (data, seed, command, figures) as one JSON file."""
    payload = {"format": 1, "meta": meta, "heads": {k: h.to_json() for k, h in heads.items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_model(path: Path) -> tuple[dict[str, Head], dict[str, Any]]:
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("format") != 1:
        raise ValueError(f"{path}: unknown matcher model format {payload.get('format')!r}")
    heads = {name: Head.from_json(data) for name, data in payload["heads"].items()}
    return heads, dict(payload.get("meta", {}))
