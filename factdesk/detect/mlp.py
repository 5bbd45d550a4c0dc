"""A small multilayer perceptron in numpy (one hidden layer, a few seeded members averaged).

Why not only the logistic regression: on the training splits' grouped cross-validation the
same features scored out-of-fold F1 0.630 (debates) / 0.544 (tweets) with the logistic model
and 0.668 / 0.536 with this network (64 ReLU units, dropout 0.3, ~10 epochs, 3 members) — the
claim-type signals and the embedding interact ("a number" matters more in some kinds of
sentence than others), which a linear model cannot express. Scoring stays a pair of small
matrix products, so detection speed does not change; training takes seconds, in numpy, so
the package still needs no scikit-learn or torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from factdesk.detect.logreg import sigmoid

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class MLPModel:
    """``members`` networks sharing the standardisation; the score is their mean probability.

    Shapes: mean/scale (d,), hidden_w (m, d, h), hidden_b (m, h), out_w (m, h), out_b (m,).
    """

    mean: FloatArray
    scale: FloatArray
    hidden_w: FloatArray
    hidden_b: FloatArray
    out_w: FloatArray
    out_b: FloatArray

    def predict_proba(self, x: npt.NDArray[np.floating]) -> FloatArray:
        z = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        hidden = np.maximum(np.einsum("nd,mdh->mnh", z, self.hidden_w) + self.hidden_b[:, None], 0)
        logits = np.einsum("mnh,mh->mn", hidden, self.out_w) + self.out_b[:, None]
        out: FloatArray = sigmoid(logits).mean(axis=0)
        return out


def fit_mlp(
    x: npt.NDArray[np.floating],
    y: npt.NDArray[np.integer] | npt.NDArray[np.bool_] | npt.NDArray[np.floating],
    *,
    sample_weight: npt.NDArray[np.floating] | None = None,
    hidden: int = 64,
    steps: int = 1000,
    dropout: float = 0.3,
    members: int = 3,
    l2: float = 1e-4,
    learning_rate: float = 1e-3,
    batch: int = 256,
    seed: int = 0,
) -> MLPModel:
    """Weighted cross-entropy (``y``: labels, or a teacher's probabilities), Adam, at least
    ``steps`` minibatches in whole shuffled epochs (~10 epochs of the 24,000 training
    sentences, as many as it takes on a small set); member ``i`` is seeded ``seed + i``."""
    xf = np.asarray(x, dtype=np.float64)
    yf = np.asarray(y, dtype=np.float64)
    if xf.ndim != 2 or xf.shape[0] != yf.shape[0] or xf.shape[0] == 0:
        raise ValueError("x must be (n, d) with n = len(y) > 0")
    if not 0 <= dropout < 1:
        raise ValueError("dropout must be in [0, 1)")
    w = np.ones(len(yf)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    mean = xf.mean(axis=0)
    scale = xf.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (xf - mean) / scale
    per_epoch = -(-len(z) // batch)
    epochs = max(1, -(-steps // per_epoch))
    nets = [
        _fit_one(z, yf, w, hidden, epochs, dropout, l2, learning_rate, batch, seed + i)
        for i in range(members)
    ]
    return MLPModel(
        mean=mean,
        scale=scale,
        hidden_w=np.stack([n[0] for n in nets]),
        hidden_b=np.stack([n[1] for n in nets]),
        out_w=np.stack([n[2] for n in nets]),
        out_b=np.asarray([n[3] for n in nets]),
    )


def _fit_one(
    z: FloatArray,
    y: FloatArray,
    w: FloatArray,
    hidden: int,
    epochs: int,
    dropout: float,
    l2: float,
    learning_rate: float,
    batch: int,
    seed: int,
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    rng = np.random.default_rng(seed)
    d = z.shape[1]
    params = [
        rng.normal(0.0, np.sqrt(2.0 / d), (d, hidden)),  # He initialisation for ReLU
        np.zeros(hidden),
        rng.normal(0.0, np.sqrt(1.0 / hidden), hidden),
        np.zeros(1),
    ]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(z))
        for start in range(0, len(z), batch):
            rows = order[start : start + batch]
            zb, yb, wb = z[rows], y[rows], w[rows]
            pre = zb @ params[0] + params[1]
            active = pre > 0
            keep = (rng.random(pre.shape) >= dropout) / (1.0 - dropout)
            h = np.where(active, pre, 0.0) * keep
            p = sigmoid(h @ params[2] + params[3][0])
            g = (p - yb) * wb / wb.sum()
            grad_h = np.outer(g, params[2]) * keep * active
            grads = [
                zb.T @ grad_h + l2 * params[0],
                grad_h.sum(axis=0),
                h.T @ g + l2 * params[2],
                np.array([g.sum()]),
            ]
            step += 1
            for i, grad in enumerate(grads):
                first[i] = 0.9 * first[i] + 0.1 * grad
                second[i] = 0.999 * second[i] + 0.001 * grad * grad
                unbiased = first[i] / (1 - 0.9**step)
                scale = np.sqrt(second[i] / (1 - 0.999**step)) + 1e-8
                params[i] = params[i] - learning_rate * unbiased / scale
    return params[0], params[1], params[2], float(params[3][0])
