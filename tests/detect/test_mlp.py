import numpy as np
import pytest

from factdesk.detect.logreg import fit
from factdesk.detect.mlp import fit_mlp
from factdesk.detect.model import ScorerWeights


def _xor(n: int = 800, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    return x, (x[:, 0] > 0) != (x[:, 1] > 0)


def test_mlp_learns_an_interaction_a_linear_model_cannot() -> None:
    x, y = _xor()
    test_x, test_y = _xor(seed=1)
    linear = fit(x, y).predict_proba(test_x) >= 0.5
    mlp = fit_mlp(x, y, steps=200, hidden=16, dropout=0.0).predict_proba(test_x) >= 0.5
    assert np.mean(linear == test_y) < 0.65 < 0.9 < np.mean(mlp == test_y)


def test_mlp_is_seeded_and_averages_its_members() -> None:
    x, y = _xor(200)
    a = fit_mlp(x, y, steps=6, members=2, seed=5)
    b = fit_mlp(x, y, steps=6, members=2, seed=5)
    c = fit_mlp(x, y, steps=6, members=2, seed=6)
    assert a.hidden_w.shape == (2, 2, 64)
    np.testing.assert_array_equal(a.predict_proba(x), b.predict_proba(x))
    assert not np.array_equal(a.predict_proba(x), c.predict_proba(x))
    p = a.predict_proba(x)
    assert p.shape == (200,) and ((0 < p) & (p < 1)).all()


def test_mlp_weights_round_trip_through_json() -> None:
    x, y = _xor(200)
    model = fit_mlp(x, y, steps=4, members=2)
    weights = ScorerWeights(model, 0.6, 0.3)
    back = ScorerWeights.from_json(weights.to_json())
    np.testing.assert_allclose(back.model.predict_proba(x), model.predict_proba(x), atol=1e-5)
    assert (back.threshold, back.mention_threshold) == (0.6, 0.3)


def test_mlp_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="n = len"):
        fit_mlp(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="dropout"):
        fit_mlp(np.zeros((3, 2)), np.zeros(3), dropout=1.0)


def test_unknown_scorer_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scorer kind"):
        ScorerWeights.from_json({"kind": "forest", "threshold": 0.5})
