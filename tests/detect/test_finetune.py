"""Fine-tuned e5 layers for check-worthiness: the cached lower states, the numpy artefact
(always), and the torch training path agreeing with the numpy forward (only with torch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factdesk.detect.finetune import FinetuneOptions, Rows, dense_states, standardiser
from factdesk.detect.ftcache import fill_states, pooled_from_states, query_ids, read_states
from factdesk.detect.ftmodel import FinetunedStrong, read_finetuned, write_finetuned
from factdesk.encoder import Batch, pool
from factdesk.encoder.weights import LAYER_TENSORS
from factdesk.errors import InputError
from tests.encoder.tinymodel import encoder, random_layers

TEXTS = ["a b c", "b", "c a b a c b", "a", "b c", "abc abc", "c", "a a b"]
LABELS = np.array([True, False, True, False, False, True, False, True])
SOURCES = ("x", "x", "x", "x", "y", "y", "y", "y")


def test_lower_states_are_cached_once_and_continue_to_the_frozen_vectors(
    tmp_path: Path,
) -> None:
    enc = encoder()
    logs: list[str] = []
    where = fill_states(enc, TEXTS, 1, tmp_path, logs.append)
    assert len(logs) == 1
    fill_states(enc, TEXTS, 1, tmp_path, logs.append)
    assert len(logs) == 1  # nothing recomputed
    chunks = read_states(where)
    states, mask = dense_states(chunks, len(TEXTS))
    batch = Batch.pad([query_ids(enc, TEXTS[2])], enc.tokenizer.pad)
    direct = enc.hidden_states(batch, 1)[0]
    width = batch.ids.shape[1]
    assert mask[2].sum() == width
    np.testing.assert_allclose(states[2, :width].astype(np.float32), direct, atol=1e-2)
    pooled = pooled_from_states(enc, chunks, 1, (1, 2), len(TEXTS))
    expect = enc.pooled_layers(TEXTS, "query", (1, 2))
    for depth in (1, 2):
        np.testing.assert_allclose(pooled[depth], expect[depth], atol=1e-2)


def _artefact(hidden: int = 64, signals: int = 3, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays: dict[str, np.ndarray] = {}
    for k in LAYER_TENSORS:
        arrays[f"l0.{k}"] = getattr(random_layers(1, seed=seed)[0], k).astype(np.float16)
    d = hidden + signals
    arrays["head.mean"] = rng.normal(0, 0.1, d).astype(np.float32)
    arrays["head.scale"] = rng.uniform(0.5, 1.5, d).astype(np.float32)
    arrays["head.hidden_w"] = rng.normal(0, 0.3, (d, 8)).astype(np.float32)
    arrays["head.hidden_b"] = rng.normal(0, 0.1, 8).astype(np.float32)
    arrays["head.out_w"] = rng.normal(0, 0.5, 8).astype(np.float32)
    arrays["head.out_b"] = np.array([0.1], np.float32)
    return arrays


def test_artefact_loads_with_numpy_and_scores(tmp_path: Path) -> None:
    enc = encoder()
    path = tmp_path / "strong-ft.npz"
    card = {"from_layer": 1, "layers": 1, "heads": 2, "eps": 1e-12, "max_content": 96}
    write_finetuned(path, _artefact(), card)
    model = read_finetuned(path)
    assert model.depth == 2 and model.card["layers"] == 1
    vectors = model.vectors(enc, TEXTS)
    assert vectors.shape == (len(TEXTS), 64)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # the vector is the pooled state after the fine-tuned layer, continued from layer 1
    batch = enc.tokenize([f"query: {TEXTS[2]}"])
    lower = enc.hidden_states(batch, 1)
    expect = pool(enc.forward_from(lower, batch.mask, 1, layers=model.layers), batch.mask)
    np.testing.assert_allclose(vectors[2], expect[0], atol=1e-5)
    probs = model.probabilities(vectors, np.zeros((len(TEXTS), 3)))
    assert probs.shape == (len(TEXTS),) and np.all((probs > 0) & (probs < 1))
    assert len({round(float(p), 6) for p in probs}) > 1  # the layers make texts differ


def test_a_bad_artefact_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "strong-ft.npz"
    arrays = _artefact()
    del arrays["head.out_w"]
    write_finetuned(path, arrays, {"from_layer": 1, "layers": 1})
    with pytest.raises(InputError):
        read_finetuned(path)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError):
        read_finetuned(tmp_path / "junk.npz")


def _rows(tmp_path: Path) -> Rows:
    enc = encoder()
    chunks = read_states(fill_states(enc, TEXTS, 1, tmp_path))
    states, mask = dense_states(chunks, len(TEXTS))
    signals = np.random.default_rng(3).normal(size=(len(TEXTS), 3)).astype(np.float32)
    pooled = pooled_from_states(enc, chunks, 1, (2,), len(TEXTS))[2]
    return Rows(states, mask, signals, LABELS, SOURCES, pooled)


def test_numpy_forward_matches_torch(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from factdesk.detect.finetune import build_module, export_arrays, predict

    enc = encoder()
    rows = _rows(tmp_path)
    options = FinetuneOptions(from_layer=1, layers=1, hidden=8)
    mean, scale = standardiser(np.hstack([rows.init_pooled, rows.signals]))
    layers = random_layers(1, seed=7)
    torch.manual_seed(0)
    model = build_module(torch, layers, enc.weights.heads, enc.weights.eps, options, mean, scale)
    idx = np.arange(len(TEXTS))
    ours = predict(torch, model, rows, idx)
    path = tmp_path / "strong-ft.npz"
    card = {"from_layer": 1, "layers": 1, "heads": enc.weights.heads, "eps": enc.weights.eps}
    write_finetuned(path, export_arrays(model, options), card)
    exported = read_finetuned(path)
    exact = FinetunedStrong(1, list(layers), exported.head, heads=enc.weights.heads)
    # the same cached (float16) lower states through the numpy layers: equal to rounding
    states = rows.states.astype(np.float32)
    vectors = np.vstack(
        [exact.pooled_from_states(states[i : i + 1], rows.mask[i : i + 1]) for i in idx]
    )
    np.testing.assert_allclose(exact.probabilities(vectors, rows.signals), ours, atol=1e-5)
    # from the text, through the float16 artefact: equal to float16 rounding
    theirs = exported.probabilities(exported.vectors(enc, TEXTS), rows.signals)
    np.testing.assert_allclose(theirs, ours, atol=2e-2)


def test_training_is_seeded_and_resumes_where_it_stopped(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from factdesk.detect.finetune import train_fold

    enc = encoder()
    rows = _rows(tmp_path)
    options = FinetuneOptions(from_layer=1, layers=1, epochs=2, batch=4, hidden=8, lr=1e-3)
    train, held = np.arange(6), np.arange(6, 8)
    layers = enc.weights.layers[1:2]

    def run(folder: Path) -> list[np.ndarray]:
        args = (torch, layers, enc.weights.heads, enc.weights.eps, rows, train, held, options)
        return train_fold(*args, folder, lambda _m: None)[1]

    first = run(tmp_path / "a")
    assert len(first) == 2 and not np.allclose(first[0], first[1])
    (tmp_path / "a" / "epoch2.pt").unlink()
    resumed = run(tmp_path / "a")
    np.testing.assert_allclose(resumed[1], first[1], atol=1e-6)
    np.testing.assert_allclose(run(tmp_path / "b")[1], first[1], atol=1e-6)
    with pytest.raises(ValueError, match="schedule"):
        longer = FinetuneOptions(from_layer=1, layers=1, epochs=3, batch=4, hidden=8, lr=1e-3)
        train_fold(
            torch, layers, enc.weights.heads, enc.weights.eps, rows, train, held, longer,
            tmp_path / "a", lambda _m: None,
        )  # fmt: skip
