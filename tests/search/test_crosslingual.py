"""Hubness corrections: a hub that is near everything stops winning."""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.search.crosslingual import corrected, neighbourhood, precision_at_1


def _hubbed() -> np.ndarray:
    # target 0 is a hub: close to every source; each source i is a bit closer to target i
    sim = np.full((4, 4), 0.2, dtype=np.float32)
    sim[:, 0] = 0.8
    for i in range(4):
        sim[i, i] = 0.75 if i else 0.9
    return sim


def test_plain_cosine_is_fooled_by_a_hub() -> None:
    assert precision_at_1(_hubbed()) == 0.25


@pytest.mark.parametrize("scoring", ["csls", "margin"])
def test_corrected_scores_recover_the_translations(scoring: str) -> None:
    assert precision_at_1(corrected(_hubbed(), scoring, k=2)) == 1.0  # type: ignore[arg-type]


def test_neighbourhood_means_top_k() -> None:
    rows, cols = neighbourhood(np.array([[1.0, 0.0, 0.5], [0.2, 0.4, 0.3]], np.float32), 2)
    np.testing.assert_allclose(rows, [0.75, 0.35])
    np.testing.assert_allclose(cols, [0.6, 0.2, 0.4])


def test_unknown_scoring_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown scoring"):
        corrected(_hubbed(), "nope", 2)  # type: ignore[arg-type]
