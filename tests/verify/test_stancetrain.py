"""`train_stance` end to end on hand-written data with a fake encoder: seeded, resumable,
writes an artefact that loads, and never trains on held-out SciFact claims."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.eval.scifact import held_out, read_claims, read_corpus
from factdesk.verify.head import HeadConfig
from factdesk.verify.stance import HeadStance, load_stance_model
from factdesk.verify.stancedata import scifact_pairs, training_mix
from factdesk.verify.stancetrain import TrainOptions, permissive_sizes, sample_weights, train_stance
from tests.verify.stancefixtures import HashEncoder, data_dir

FAST = TrainOptions(
    sizes={"xnli-mt-vi": 40, "mnli-en": 40, "snli-en": 20, "scifact": 0},
    folds=2,
    configs=(HeadConfig(hidden=0, epochs=4), HeadConfig(hidden=8, epochs=4, dropout=0.0)),
)


def test_training_writes_a_loadable_calibrated_model(tmp_path: Path) -> None:
    root = data_dir(tmp_path / "data")
    encoder = HashEncoder()
    out = tmp_path / "model"
    report = train_stance(root, out, tmp_path / "work", FAST, lambda _m: None, encoder)
    assert set(report["sources"]) == {"xnli-mt-vi", "mnli-en", "snli-en", "scifact"}
    assert report["non_commercial"] is True
    assert report["temperature" if "temperature" in report else "evidence_threshold"]
    assert len(report["cv"]["configs"]) == 2
    card = json.loads((out / "model.json").read_text())
    assert card["embedder"] == "hash-test/words" and card["temperature"] > 0
    model = load_stance_model(out, HashEncoder())
    assert isinstance(model, HeadStance)
    verdicts = model.predict(
        [("The bridge was built in 1990.", "The bridge was built in 1990 in the centre.")]
    )
    assert abs(sum(verdicts[0].probabilities.values()) - 1) < 1e-5
    # A second run finds every vector in the cache: the encoder is never called.
    again = HashEncoder()
    train_stance(root, tmp_path / "model2", tmp_path / "work", FAST, lambda _m: None, again)
    assert again.texts == 0
    first = np.load(out / "head.npz")["w2"]
    assert np.allclose(first, np.load(tmp_path / "model2" / "head.npz")["w2"])  # seeded


def test_permissive_mix_drops_non_commercial_sets(tmp_path: Path) -> None:
    root = data_dir(tmp_path / "data")
    sizes = permissive_sizes(FAST.sizes)
    assert "xnli-mt-vi" not in sizes
    options = TrainOptions(sizes=sizes, folds=2, configs=FAST.configs)
    report = train_stance(
        root, tmp_path / "m", tmp_path / "w", options, lambda _m: None, HashEncoder()
    )
    assert report["non_commercial"] is False


def test_scifact_pairs_skip_held_out_claims(tmp_path: Path) -> None:
    root = data_dir(tmp_path / "data")
    claims = read_claims(root / "scifact" / "claims_train.jsonl")
    corpus = read_corpus(root / "scifact" / "corpus.jsonl")
    pairs = scifact_pairs(claims, corpus)
    used = {p.group for p in pairs}
    assert used and not any(held_out(c) for c in used)
    assert any(held_out(c.id) for c in claims)  # the fixture has some to skip
    labels = {p.label for p in pairs}
    assert labels == {"supports", "refutes", "not_enough_info"}


def test_unknown_source_and_missing_file_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown training source"):
        training_mix(tmp_path, {"wikipedia": 10}, 1)
    with pytest.raises(InputError, match="not found"):
        training_mix(tmp_path, {"mnli-en": 10}, 1)


def test_weights_balance_classes_inside_a_source(tmp_path: Path) -> None:
    pairs = training_mix(data_dir(tmp_path / "d"), {"mnli-en": 40}, 3)
    weights = sample_weights(pairs, 2.0)
    totals: dict[str, float] = {}
    for p, w in zip(pairs, weights, strict=True):
        totals[p.label] = totals.get(p.label, 0.0) + float(w)
    assert max(totals.values()) - min(totals.values()) < 1e-3
