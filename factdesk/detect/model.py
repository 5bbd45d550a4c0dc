"""The shipped check-worthiness scorer: load lazily, score sentences, explain the score.

Artefacts live in ``factdesk/models/checkworthiness/`` (written by
``factdesk train checkworthiness``):

- ``static.npz``  the distilled static embedding table (pieces, piece scores, vectors);
- ``scorer.json`` the weights of the full model (a small MLP over the static embedding and
  the signals, ``mlp.py``), a signals-only logistic-regression fallback, the decision
  threshold of each (chosen by cross-validation on the training splits) and a record of
  how they were trained.

If ``static.npz`` is missing or unreadable the signals-only fallback scores instead, and
:attr:`CheckWorthinessModel.kind` says so (``factdesk doctor`` reports it).

``scorer.json`` may also hold a ``cascade`` (``cascade.py``): given a multilingual-e5
encoder (``dense``), sentences the cheap model does not pass are rescored by a head over
their e5 vectors and the signals, on one calibrated scale. Without an encoder the cheap
model's own score and thresholds are used, as before.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect.cascade import Cascade
from factdesk.detect.features import feature_matrix
from factdesk.detect.logreg import LogisticModel
from factdesk.detect.mlp import MLPModel
from factdesk.detect.signals import SignalHit, find_signals
from factdesk.detect.static import StaticEmbedder
from factdesk.errors import InputError

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "checkworthiness"


@dataclass(frozen=True, slots=True)
class Scored:
    """A sentence's check-worthiness: probability-like score, verdict, and why."""

    score: float
    worthy: bool
    signals: tuple[SignalHit, ...]


@dataclass(frozen=True, slots=True)
class ScorerWeights:
    model: LogisticModel | MLPModel
    threshold: float
    mention_threshold: float | None = None
    # Languages whose scores sit apart from the training language's get their own mention
    # threshold (Vietnamese, from the distilled rows: see ``build.vietnamese_threshold``).
    mention_thresholds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScorerWeights:
        def array(key: str) -> npt.NDArray[np.float64]:
            return np.asarray(data[key], dtype=np.float64)

        model: LogisticModel | MLPModel
        kind = data.get("kind", "logistic")
        if kind == "logistic":
            model = LogisticModel(array("mean"), array("scale"), array("coef"), float(data["bias"]))
        elif kind == "mlp":
            model = MLPModel(
                array("mean"),
                array("scale"),
                array("hidden_w"),
                array("hidden_b"),
                array("out_w"),
                array("out_b"),
            )
        else:
            raise ValueError(f"unknown scorer kind {kind!r}")
        mention = data.get("mention_threshold")
        return cls(
            model,
            float(data["threshold"]),
            float(mention) if mention is not None else None,
            {str(k): float(v) for k, v in data.get("mention_thresholds", {}).items()},
        )

    def to_json(self) -> dict[str, Any]:
        def rounded(a: npt.NDArray[np.float64]) -> Any:
            return np.round(a, 7).tolist()

        model = self.model
        weights: dict[str, Any]
        if isinstance(model, LogisticModel):
            weights = {"kind": "logistic", "coef": rounded(model.coef), "bias": model.bias}
        else:
            weights = {
                "kind": "mlp",
                "hidden_w": rounded(model.hidden_w),
                "hidden_b": rounded(model.hidden_b),
                "out_w": rounded(model.out_w),
                "out_b": rounded(model.out_b),
            }
        return {
            "mean": rounded(model.mean),
            "scale": rounded(model.scale),
            **weights,
            "threshold": self.threshold,
            "mention_threshold": self.mention_threshold,
            "mention_thresholds": self.mention_thresholds,
        }


class CheckWorthinessModel:
    """Scores sentences; artefacts are read on first use, once, thread-safely."""

    def __init__(
        self,
        directory: Path = MODEL_DIR,
        *,
        threshold: float | None = None,
        fallback: bool = False,
        dense: Any | None = None,
    ):
        self.directory = directory
        # an embedder with ``encode(texts, "query")`` (multilingual-e5) for the cascade
        self._dense = dense
        self._cascade: Cascade | None = None
        self._finetuned: Any | None = None  # FinetunedStrong, when the cascade ships one
        # sentences scored / sent to the strong scorer since loading (for benchmarks)
        self.scored = 0
        self.sent_to_strong = 0
        self._force_fallback = fallback
        self._threshold_override = threshold
        self._lock = threading.Lock()
        self._loaded = False
        self._embedder: StaticEmbedder | None = None
        self._weights: ScorerWeights | None = None
        self.kind = "unloaded"
        self.meta: dict[str, Any] = {}
        self._dense_centers: dict[str, list[float]] = {}

    def _load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            path = self.directory / "scorer.json"
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(
                    f"check-worthiness model missing or unreadable ({exc}); "
                    "run `factdesk train checkworthiness`",
                    where=str(path),
                ) from None
            self.meta = dict(data.get("training", {}))
            self._dense_centers = {
                str(k): [float(x) for x in v] for k, v in data.get("dense_centers", {}).items()
            }
            try:
                if self._force_fallback:
                    raise KeyError("fallback requested")
                self._embedder = StaticEmbedder.load(self.directory / "static.npz")
                self._weights = ScorerWeights.from_json(data["full"])
                self.kind = "static+signals"
                if self._dense is not None and "cascade" in data:
                    self._cascade = Cascade.from_json(data["cascade"], ScorerWeights.from_json)
                    self.kind = "cascade: static+signals -> e5+signals"
            except (OSError, KeyError, ValueError):
                self._embedder = None
                self._weights = ScorerWeights.from_json(data["fallback"])
                self.kind = "signals"
            self._loaded = True

    @property
    def embedder(self) -> StaticEmbedder | None:
        """The static embedder (None under the signals-only fallback)."""
        self._load()
        return self._embedder

    @property
    def dense_centers(self) -> dict[str, list[float]]:
        """Per-language mean multilingual-e5 vectors for the dense grouping stage."""
        self._load()
        return self._dense_centers

    @property
    def _active(self) -> ScorerWeights:
        """The weights whose thresholds apply: the cascade's when it scores, else the cheap
        model's."""
        self._load()
        if self._cascade is not None:
            strong: ScorerWeights = self._cascade.strong
            return strong
        assert self._weights is not None
        return self._weights

    @property
    def dense(self) -> Any | None:
        """The e5 encoder given for the cascade (None: cheap scorer only)."""
        return self._dense

    @property
    def cascade(self) -> Cascade | None:
        self._load()
        return self._cascade

    @property
    def threshold(self) -> float:
        weights = self._active
        if self._threshold_override is not None:
            return self._threshold_override
        return weights.threshold

    def describe(self) -> dict[str, str]:
        """What scores check-worthiness here, in words fit for ``factdesk doctor``."""
        try:
            self._load()
        except InputError as exc:
            return {"check-worthiness": f"unavailable: {exc.message}"}
        pieces = f", {len(self._embedder.tokenizer)} pieces" if self._embedder is not None else ""
        return {
            "check-worthiness": (
                f"{self.kind} model{pieces}, threshold {self.threshold:.3f}, trained "
                f"{self.meta.get('trained_at', 'at an unknown time')}"
            ),
            "claim grouping": (
                "static embedding + multilingual-e5 (cross-lingual)"
                if self.dense_centers
                else "static embedding only (no e5 centres in the model)"
            )
            if self._embedder is not None
            else "character 3-grams (fallback: no static embedding)",
        }

    @property
    def mention_threshold(self) -> float:
        """The score from which a sentence of a stream becomes a mention: the override if
        set, else the recall-oriented threshold chosen at training (else the F1 one)."""
        weights = self._active
        if self._threshold_override is not None:
            return self._threshold_override
        return weights.mention_threshold or weights.threshold

    def mention_threshold_for(self, language: str | None) -> float:
        """The mention threshold for a sentence in ``language``: the override if set, else
        the language's own (chosen at training, where there is one), else the general one."""
        weights = self._active
        if self._threshold_override is not None:
            return self._threshold_override
        own = weights.mention_thresholds.get(language or "")
        return own if own is not None else self.mention_threshold

    def probabilities(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> npt.NDArray[np.float64]:
        """Check-worthiness in [0, 1] for each text (``languages``: ISO codes, if known)."""
        self._load()
        assert self._weights is not None
        if not texts:
            return np.zeros(0)
        features = feature_matrix(texts, self._embedder, languages)
        cheap = self._weights.model.predict_proba(features)
        self.scored += len(texts)
        dense = self._dense
        if self._cascade is None or self._embedder is None or dense is None:
            return cheap
        scores, sent = self._cascade.score(
            texts,
            cheap,
            features[:, self._embedder.dim :],
            self._strong_encode(dense),
        )
        self.sent_to_strong += int(sent.sum())
        return scores

    def _strong_encode(self, dense: Any) -> Any:
        """The strong stage's encoder: e5 "query: " vectors, cut at the cascade's depth
        (through the cascade's fine-tuned upper layers, when it ships them)."""
        if self._cascade is not None and self._cascade.finetuned is not None:
            return self._finetuned_encode(self._cascade.finetuned)
        depth = self._cascade.depth if self._cascade is not None else None
        if depth is None:
            return lambda chosen: dense.encode(list(chosen), "query")
        return lambda chosen: dense.encode(list(chosen), "query", depth=depth)

    def _finetuned_encode(self, name: str) -> Any:
        """Vectors through the fine-tuned layers (numpy; read once, on first use)."""
        from factdesk.detect.ftmodel import read_finetuned
        from factdesk.encoder import load

        with self._lock:
            if self._finetuned is None:
                self._finetuned = read_finetuned(self.directory / name)
        finetuned = self._finetuned
        return lambda chosen: finetuned.vectors(load(), list(chosen))

    def predict(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[bool]:
        threshold = self.threshold
        return [bool(p >= threshold) for p in self.probabilities(texts, languages)]

    def score(self, texts: Sequence[str]) -> list[Scored]:
        """Scores with their explanations (the signals are found only for worthy texts,
        which is where a journalist reads them and keeps the fast path fast)."""
        threshold = self.threshold
        out = []
        for text, p in zip(texts, self.probabilities(texts), strict=True):
            worthy = bool(p >= threshold)
            out.append(Scored(float(p), worthy, tuple(find_signals(text)) if worthy else ()))
        return out


def write_model(
    directory: Path,
    embedder: StaticEmbedder | None,
    full: ScorerWeights | None,
    fallback: ScorerWeights,
    training: dict[str, Any] | None = None,
    dense_centers: dict[str, list[float]] | None = None,
    cascade: Cascade | None = None,
) -> None:
    """Write the artefacts :class:`CheckWorthinessModel` reads (used by training and tests)."""
    from factdesk.detect.signals import SIGNAL_FEATURE_NAMES

    directory.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "version": 1,
        "fallback": fallback.to_json(),
        "training": training or {},
    }
    if dense_centers:
        data["dense_centers"] = {
            k: [round(float(x), 6) for x in v] for k, v in dense_centers.items()
        }
    if embedder is not None and full is not None:
        embedder.save(directory / "static.npz")
        data["full"] = full.to_json()
        data["feature_names"] = [f"static:{i}" for i in range(embedder.dim)] + list(
            SIGNAL_FEATURE_NAMES
        )
    if cascade is not None:
        data["cascade"] = cascade.to_json()
    (directory / "scorer.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def write_keyword_model(directory: Path, vocabulary: Sequence[str], *, seed: int = 0) -> None:
    """A small deterministic model: one random vector per word, worthy when a number,
    comparison, cause or prediction signal is present. For tests and offline demos that must
    not depend on the trained artefacts (their decisions change when the model is retrained).
    """
    from factdesk.detect.pieces import META
    from factdesk.detect.signals import SIGNAL_FEATURE_NAMES

    words = list(dict.fromkeys(w.lower() for text in vocabulary for w in text.split()))
    pieces = [META + w for w in words] + [META + w.capitalize() for w in words] + [META]
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(len(words), 16)).astype(np.float32)
    table = np.vstack([base, base, np.zeros((1, 16), dtype=np.float32)])
    embedder = StaticEmbedder(pieces, [-1.0] * (len(pieces) - 1) + [-20.0], table)
    d = len(SIGNAL_FEATURE_NAMES)
    coef = np.zeros(d)
    for name in ("number", "comparison", "causal", "prediction"):
        coef[SIGNAL_FEATURE_NAMES.index(f"{name}:present")] = 3.0
    fallback = ScorerWeights(LogisticModel(np.zeros(d), np.ones(d), coef, -1.5), 0.5)
    full_coef = np.concatenate([np.zeros(16), coef])
    full = ScorerWeights(LogisticModel(np.zeros(16 + d), np.ones(16 + d), full_coef, -1.5), 0.5)
    write_model(directory, embedder, full, fallback, {"kind": "keyword test model"})
