import numpy as np

from factdesk.detect.logreg import balanced_weights, fit


def test_fit_separates_a_linearly_separable_problem() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = x[:, 0] + 0.5 * x[:, 1] > 0
    model = fit(x, y, l2=0.1)
    accuracy = np.mean((model.predict_proba(x) >= 0.5) == y)
    assert accuracy > 0.97
    assert model.coef[0] > model.coef[2]


def test_fit_handles_constant_columns_and_strong_penalty() -> None:
    x = np.hstack([np.ones((50, 1)), np.arange(50.0)[:, None]])
    y = np.arange(50) >= 25
    model = fit(x, y, l2=1e6)
    p = model.predict_proba(x)
    assert np.all(np.isfinite(p)) and abs(float(p.mean()) - 0.5) < 0.05


def test_balanced_weights_give_classes_equal_mass() -> None:
    y = np.array([True] + [False] * 9)
    w = balanced_weights(y)
    assert np.isclose(w[y].sum(), w[~y].sum())
