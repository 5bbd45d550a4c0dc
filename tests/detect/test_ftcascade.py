"""The cascade whose strong stage is a fine-tuned artefact (numpy only: no torch here)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

import factdesk.encoder
from factdesk.detect.cascade import Cascade
from factdesk.detect.features import signal_matrix
from factdesk.detect.ftmodel import FILE, read_finetuned, write_finetuned
from factdesk.detect.model import CheckWorthinessModel, ScorerWeights
from factdesk.detect.signals import SIGNAL_FEATURE_NAMES
from factdesk.detect.strong import train_cascade
from factdesk.encoder.weights import LAYER_TENSORS
from tests.detect.test_cascade import FakeE5, _with_cascade
from tests.encoder.tinymodel import encoder, random_layers


def _write_artefact(directory: Path) -> None:
    rng = np.random.default_rng(4)
    layer = random_layers(1, seed=9)[0]
    arrays = {f"l0.{k}": getattr(layer, k).astype(np.float16) for k in LAYER_TENSORS}
    d = 64 + len(SIGNAL_FEATURE_NAMES)
    arrays |= {
        "head.mean": np.zeros(d, np.float32),
        "head.scale": np.full(d, 0.1, np.float32),
        "head.hidden_w": rng.normal(0, 0.3, (d, 8)).astype(np.float32),
        "head.hidden_b": np.zeros(8, np.float32),
        "head.out_w": rng.normal(0, 0.5, 8).astype(np.float32),
        "head.out_b": np.zeros(1, np.float32),
    }
    card = {"from_layer": 1, "layers": 1, "heads": 2, "eps": 1e-12, "embedder": "tiny"}
    write_finetuned(directory / FILE, arrays, card)


def test_the_strong_stage_reads_the_fine_tuned_layers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny = encoder()
    monkeypatch.setattr(factdesk.encoder, "load", lambda: tiny)
    _with_cascade(tmp_path, floor=0.5)
    _write_artefact(tmp_path)
    finetuned = read_finetuned(tmp_path / FILE)
    path = tmp_path / "scorer.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    cascade = Cascade.from_json(data["cascade"], ScorerWeights.from_json)
    strong = dataclasses.replace(cascade.strong, model=finetuned.head)
    cascade = dataclasses.replace(cascade, strong=strong, depth=2, finetuned=FILE)
    data["cascade"] = cascade.to_json()
    path.write_text(json.dumps(data), encoding="utf-8")

    e5 = FakeE5()
    model = CheckWorthinessModel(tmp_path, dense=e5)
    texts = ["Good morning!", "Prices will double, the vaccine maker says.", "Prices will double."]
    scores = model.probabilities(texts)
    assert e5.seen == []  # the fine-tuned layers, not the frozen encoder, read the sentences
    assert model.sent_to_strong == 2
    expect = finetuned.probabilities(finetuned.vectors(tiny, texts[1:]), signal_matrix(texts[1:]))
    np.testing.assert_allclose(scores[1:], expect, atol=1e-9)  # Platt (1, 0) is the identity
    assert model.cascade is not None and model.cascade.finetuned == FILE
    assert model.cascade.to_json()["features"][0] == "e5:query@2 fine-tuned"


def test_train_cascade_from_a_strong_stage_trained_elsewhere() -> None:
    rng = np.random.default_rng(1)
    n = 150
    labels = rng.random(3 * n) < 0.3
    oof = np.clip(0.3 + 0.4 * labels + rng.normal(scale=0.2, size=3 * n), 0.01, 0.99)
    gate = np.clip(0.3 + 0.3 * labels + rng.normal(scale=0.15, size=3 * n), 0, 1)
    head = read_finetuned_head_stub()
    cascade, report = train_cascade(
        {},
        labels,
        ["a"] * n + ["b"] * n + ["c"] * n,
        np.repeat([0, 1, 2], n),
        gate,
        embedder_id="tiny",
        miss=0.05,
        depth=4,
        trained=(oof, head, FILE),
    )
    assert cascade.strong.model is head and cascade.finetuned == FILE and cascade.depth == 4
    assert report["loso_mean_f1"] > 0.4 and report["strong"].startswith("fine-tuned")
    again = Cascade.from_json(cascade.to_json(), ScorerWeights.from_json)
    assert again.finetuned == FILE and again.depth == 4


def read_finetuned_head_stub() -> object:
    from factdesk.detect.mlp import MLPModel

    z = np.zeros
    return MLPModel(z(3), np.ones(3), z((1, 3, 2)), z((1, 2)), z((1, 2)), z(1))
