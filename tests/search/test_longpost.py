"""The long-post rules combine the heads' probabilities as documented, and only those."""

from __future__ import annotations

import numpy as np

from factdesk.search.longpost import LEAN_LEXICAL_WEIGHT, fuse_long

SHIPPED = np.array([0.9, 0.2, 0.6])  # hybrid, hybrid, dense (the last in another language)
LEXICAL = np.array([0.1, 0.8, 0.0])
SAME = np.array([True, True, False])


def test_fuse_long_hybrid_mean_lexical() -> None:
    assert fuse_long("hybrid", SHIPPED, LEXICAL, SAME, "en") is SHIPPED
    assert fuse_long("lexical", SHIPPED, LEXICAL, SAME, "en") is LEXICAL
    assert np.array_equal(fuse_long("mean", SHIPPED, LEXICAL, SAME, "en"), [0.5, 0.5, 0.3])


def test_fuse_long_lean_weighs_the_words_of_same_language_candidates_only() -> None:
    w = LEAN_LEXICAL_WEIGHT
    lean = fuse_long("lean", SHIPPED, LEXICAL, SAME, "de")  # Snowball German: a real analysis
    assert np.allclose(lean[:2], (1 - w) * SHIPPED[:2] + w * LEXICAL[:2])
    assert lean[1] > lean[0]  # the words outvote the hybrid head
    assert lean[2] == (SHIPPED[2] + LEXICAL[2]) / 2  # another language: as "mean"
    # no real lexical analysis (folded words only, or an unknown language): as "mean"
    for language in ("ja", None):
        mean = fuse_long("mean", SHIPPED, LEXICAL, SAME, language)
        assert np.array_equal(fuse_long("lean", SHIPPED, LEXICAL, SAME, language), mean)
