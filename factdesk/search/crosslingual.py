"""Hubness-corrected similarity for finding translations among many candidates.

In embedding spaces some vectors ("hubs") are near everything, so plain cosine keeps choosing
them. Two standard corrections compare a pair's cosine with how close each side is to its
own k nearest neighbours on the other side:

* CSLS (Conneau et al., 2018, "Word translation without parallel data"):
  ``2·cos(x, y) − r(x) − r(y)``;
* ratio margin (Artetxe & Schwenk, 2019, "Margin-based parallel corpus mining with
  multilingual sentence embeddings"): ``cos(x, y) / ((r(x) + r(y)) / 2)``,

where ``r(x)`` is the mean cosine of ``x`` to its ``k`` nearest neighbours in the other set.
Both need the whole candidate set on both sides, so they suit bitext mining and evaluation
(``factdesk eval crosslingual``), not one query at a time.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
Scoring = Literal["cosine", "csls", "margin"]
SCORINGS: tuple[Scoring, ...] = ("cosine", "csls", "margin")


def neighbourhood(sim: F32, k: int) -> tuple[F32, F32]:
    """Mean of the top-``k`` similarities of each row (r(x)) and of each column (r(y))."""
    k_rows = min(k, sim.shape[1])
    k_cols = min(k, sim.shape[0])
    rows = -np.partition(-sim, k_rows - 1, axis=1)[:, :k_rows]
    cols = -np.partition(-sim, k_cols - 1, axis=0)[:k_cols, :]
    return rows.mean(axis=1).astype(np.float32), cols.mean(axis=0).astype(np.float32)


def corrected(sim: F32, scoring: Scoring, k: int = 4) -> F32:
    """The similarity matrix under ``scoring`` (rows: sources, columns: targets)."""
    if scoring == "cosine":
        return sim
    r_src, r_tgt = neighbourhood(sim, k)
    if scoring == "csls":
        out: F32 = (2 * sim - r_src[:, None] - r_tgt[None, :]).astype(np.float32)
        return out
    if scoring == "margin":
        denom = (r_src[:, None] + r_tgt[None, :]) / 2
        out = (sim / np.where(np.abs(denom) < 1e-9, 1e-9, denom)).astype(np.float32)
        return out
    raise ValueError(f"unknown scoring {scoring!r} (expected one of {', '.join(SCORINGS)})")


def precision_at_1(scores: F32) -> float:
    """Share of rows whose best column is the one on the diagonal (line-aligned pairs)."""
    if not len(scores):
        return 0.0
    return float((np.argmax(scores, axis=1) == np.arange(len(scores))).mean())
