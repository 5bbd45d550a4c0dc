"""The stance head: a small softmax network over pair features, trained in numpy.

One hidden ReLU layer (or none: multinomial logistic regression) with input standardisation,
trained by Adam on class-weighted cross-entropy with L2 decay and dropout, seeded. Scoring is
two matrix products, so thousands of pairs per second once the vectors exist; the package
needs neither torch nor scikit-learn. A temperature divides the logits so that the
probabilities are calibrated (fitted on held-out training folds, see ``stancetrain``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class HeadConfig:
    hidden: int = 256  # 0: multinomial logistic regression
    decay: float = 1e-4
    dropout: float = 0.2
    epochs: int = 15
    rate: float = 1e-3
    batch: int = 256
    seed: int = 13


@dataclass(frozen=True, slots=True)
class Head:
    """Weights of a trained head. Shapes: mean/scale (d,), w1 (d, h), b1 (h,), w2 (h|d, 3), b2 (3,)."""

    mean: F32
    scale: F32
    w1: F32
    b1: F32
    w2: F32
    b2: F32
    temperature: float = 1.0

    def logits(self, x: npt.NDArray[np.floating]) -> F32:
        z = ((np.asarray(x, dtype=np.float32) - self.mean) / self.scale).astype(np.float32)
        if self.w1.size:
            z = np.maximum(z @ self.w1 + self.b1, 0)
        out: F32 = z @ self.w2 + self.b2
        return out

    def probabilities(self, x: npt.NDArray[np.floating]) -> F32:
        return softmax(self.logits(x) / self.temperature)


def softmax(logits: npt.NDArray[np.floating]) -> F32:
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    out: F32 = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def fit_head(x: F32, y: npt.NDArray[np.int64], weights: F32, config: HeadConfig) -> Head:
    """Train a head on features ``x``, class ids ``y`` (0..2) and per-row ``weights``."""
    rng = np.random.default_rng(config.seed)
    mean = x.mean(axis=0).astype(np.float32)
    scale = (x.std(axis=0) + 1e-4).astype(np.float32)
    z = ((x - mean) / scale).astype(np.float32)
    n, d = z.shape
    h = config.hidden
    params: list[F32] = []
    if h:
        params += [
            (rng.standard_normal((d, h)) * np.sqrt(2.0 / d)).astype(np.float32),
            np.zeros(h, np.float32),
            (rng.standard_normal((h, 3)) * np.sqrt(1.0 / h)).astype(np.float32),
        ]
    else:
        params += [np.zeros((d, 3), np.float32)]
    params.append(np.zeros(3, np.float32))
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    w = (weights / weights.mean()).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[y]
    step = 0
    for _epoch in range(config.epochs):
        order = rng.permutation(n)
        for start in range(0, n, config.batch):
            idx = order[start : start + config.batch]
            grads = _gradients(params, z[idx], onehot[idx], w[idx], config, rng)
            step += 1
            for i, (p, g) in enumerate(zip(params, grads, strict=True)):
                if p.ndim == 2:
                    g = g + config.decay * p
                moments[i] = 0.9 * moments[i] + 0.1 * g
                squares[i] = 0.999 * squares[i] + 0.001 * g * g
                m_hat = moments[i] / (1 - 0.9**step)
                v_hat = squares[i] / (1 - 0.999**step)
                p -= (config.rate * m_hat / (np.sqrt(v_hat) + 1e-8)).astype(np.float32)
    empty = np.zeros((0, 0), np.float32)
    if h:
        return Head(mean, scale, params[0], params[1], params[2], params[3])
    return Head(mean, scale, empty, np.zeros(0, np.float32), params[0], params[1])


def _gradients(
    params: list[F32],
    z: F32,
    onehot: F32,
    w: F32,
    config: HeadConfig,
    rng: np.random.Generator,
) -> list[F32]:
    m = len(z)
    if config.hidden:
        w1, b1, w2, b2 = params
        pre = z @ w1 + b1
        act = np.maximum(pre, 0)
        if config.dropout:
            mask = (rng.random(act.shape) >= config.dropout).astype(np.float32)
            act = act * mask / (1 - config.dropout)
        probs = softmax(act @ w2 + b2)
        delta = (probs - onehot) * w[:, None] / m
        g_w2 = act.T @ delta
        g_b2 = delta.sum(axis=0)
        back = delta @ w2.T
        if config.dropout:
            back = back * mask / (1 - config.dropout)
        back = back * (pre > 0)
        return [z.T @ back, back.sum(axis=0), g_w2, g_b2]
    w_out, b_out = params
    probs = softmax(z @ w_out + b_out)
    delta = (probs - onehot) * w[:, None] / m
    return [z.T @ delta, delta.sum(axis=0)]


def fit_temperature(logits: F32, y: npt.NDArray[np.int64]) -> float:
    """The temperature minimising the negative log-likelihood of held-out ``logits``."""
    best, best_nll = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.25), np.log(8.0), 81)):
        p = softmax(logits / t)
        nll = float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-9)))
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best
