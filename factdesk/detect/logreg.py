"""L2-regularised logistic regression in numpy (Newton's method), for the shipped scorer.

A few hundred dense features and tens of thousands of sentences: Newton steps on the full
Hessian converge in ~10 iterations and need no learning rate, and keeping training in numpy
means the package needs no scikit-learn at run time or at training time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LogisticModel:
    """Standardisation and weights: p = sigmoid(((x - mean) / scale) @ coef + bias)."""

    mean: FloatArray
    scale: FloatArray
    coef: FloatArray
    bias: float

    def decision(self, x: npt.NDArray[np.floating]) -> FloatArray:
        z = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        out: FloatArray = z @ self.coef + self.bias
        return out

    def predict_proba(self, x: npt.NDArray[np.floating]) -> FloatArray:
        return sigmoid(self.decision(x))


def sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free
    return out


def fit(
    x: npt.NDArray[np.floating],
    y: npt.NDArray[np.integer] | npt.NDArray[np.bool_] | npt.NDArray[np.floating],
    *,
    l2: float = 1.0,
    sample_weight: npt.NDArray[np.floating] | None = None,
    max_iter: int = 50,
    tol: float = 1e-6,
) -> LogisticModel:
    """Fit by Newton–Raphson on standardised features. ``y`` holds labels or probabilities
    (a teacher's soft targets; the loss is the same cross-entropy). ``l2`` is the penalty on
    the weights (not the bias), scaled by the total sample weight so it means the same at
    any size."""
    xf = np.asarray(x, dtype=np.float64)
    yf = np.asarray(y, dtype=np.float64)
    if xf.ndim != 2 or xf.shape[0] != yf.shape[0] or xf.shape[0] == 0:
        raise ValueError("x must be (n, d) with n = len(y) > 0")
    w = np.ones(len(yf)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    mean = xf.mean(axis=0)
    scale = xf.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(xf - mean) / scale, np.ones((len(yf), 1))])
    d = z.shape[1]
    theta = np.zeros(d)
    penalty = np.full(d, l2)
    penalty[-1] = 0.0
    for _ in range(max_iter):
        p = sigmoid(z @ theta)
        grad = z.T @ (w * (p - yf)) + penalty * theta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if float(np.max(np.abs(step))) < tol:
            break
    return LogisticModel(mean=mean, scale=scale, coef=theta[:-1], bias=float(theta[-1]))


def balanced_weights(y: npt.NDArray[np.integer] | npt.NDArray[np.bool_]) -> FloatArray:
    """Sample weights that give each class the same total weight (positives are rarer)."""
    yb = np.asarray(y).astype(bool)
    n, pos = len(yb), int(yb.sum())
    if pos in (0, n):
        return np.ones(n)
    out: FloatArray = np.where(yb, n / (2.0 * pos), n / (2.0 * (n - pos)))
    return out
