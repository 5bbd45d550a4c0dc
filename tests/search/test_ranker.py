"""The listwise ranker learns which feature marks the relevant candidate; the calibrator's
probabilities track the truth; models round-trip through JSON."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from factdesk.search.ranker import (
    Group,
    Head,
    fit_calibrator,
    fit_ranker,
    load_model,
    margins,
    save_model,
)


def _groups(seed: int, n: int = 200) -> list[Group]:
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(n):
        x = rng.normal(size=(10, 3))
        relevant = np.zeros(10, dtype=bool)
        relevant[rng.integers(10)] = True
        x[relevant, 1] += 2.0  # feature 1 is informative, 0 and 2 are noise
        groups.append(Group(x, relevant))
    return groups


def _top1(ranker, groups: list[Group]) -> float:  # type: ignore[no-untyped-def]
    return float(np.mean([g.relevant[np.argmax(ranker.score(g.features))] for g in groups]))


def test_fit_ranker_learns_the_informative_feature() -> None:
    ranker = fit_ranker(_groups(0), ("a", "b", "c"))
    assert np.argmax(np.abs(ranker.weights)) == 1 and ranker.weights[1] > 0
    assert _top1(ranker, _groups(1)) > 0.6  # chance is 0.1


def test_fit_ranker_is_deterministic() -> None:
    a = fit_ranker(_groups(0), ("a", "b", "c"))
    b = fit_ranker(_groups(0), ("a", "b", "c"))
    assert a.weights.tolist() == b.weights.tolist()


def test_margins_compare_with_best_other() -> None:
    assert margins(np.array([3.0, 1.0, 2.0])).tolist() == [1.0, -2.0, -1.0]
    assert margins(np.array([5.0])).tolist() == [0.0]


def test_fit_calibrator_tracks_observed_frequency() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(size=4000)
    truth = 1 / (1 + np.exp(-(2 * scores - 0.5)))
    labels = rng.random(4000) < truth
    cal = fit_calibrator(scores, np.zeros(4000), labels)
    assert abs(cal.a - 2) < 0.3 and abs(cal.c + 0.5) < 0.2
    p = cal.probability(scores, np.zeros(4000))
    high = p > 0.8
    assert abs(labels[high].mean() - p[high].mean()) < 0.05


def test_model_json_round_trip(tmp_path: Path) -> None:
    ranker = fit_ranker(_groups(0, 50), ("a", "b", "c"))
    cal = fit_calibrator(np.array([0.0, 1.0, 2.0, 3.0]), np.zeros(4), np.array([0, 0, 1, 1], bool))
    save_model(tmp_path / "m.json", {"x": Head(ranker, cal)}, {"seed": 1})
    heads, meta = load_model(tmp_path / "m.json")
    assert meta == {"seed": 1}
    x = np.ones((2, 3))
    assert heads["x"].ranker.score(x).tolist() == ranker.score(x).tolist()
    assert heads["x"].calibrator == cal
