"""Truncated depth: pooled states after the first k layers, one pass for every depth."""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.encoder import pool
from factdesk.encoder.truncated import TruncatedE5, encode_layers
from tests.encoder.tinymodel import encoder

TEXTS = ["a b c", "b", "c a b a c b", "a", "b c"]


def test_pooled_layers_match_hidden_states_at_each_depth() -> None:
    enc = encoder()
    batch = enc.tokenize([f"query: {t}" for t in TEXTS])
    got = enc.pooled_layers(TEXTS, "query", range(enc.layers + 1))
    assert sorted(got) == list(range(enc.layers + 1))
    for depth, vectors in got.items():
        expected = pool(enc.hidden_states(batch, depth), batch.mask)
        np.testing.assert_allclose(vectors, expected, atol=1e-6)
    # the full depth is the sentence vector; a shallower one differs
    np.testing.assert_allclose(got[enc.layers], enc.sentence_vectors(TEXTS, "query"), atol=1e-6)
    assert not np.allclose(got[1], got[enc.layers], atol=1e-3)


def test_pooled_layers_refuse_depths_outside_the_model() -> None:
    enc = encoder()
    with pytest.raises(ValueError):
        enc.pooled_layers(TEXTS, "query", (enc.layers + 1,))


def test_encode_layers_keeps_the_order_of_the_texts_whatever_the_batches() -> None:
    enc = encoder()
    one_by_one = np.stack([enc.sentence_vectors([t], "query", depth=1)[0] for t in TEXTS])
    batched = encode_layers(enc, TEXTS, "query", (1,), batch=2)[1]
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    truncated = TruncatedE5(1, enc)
    np.testing.assert_allclose(truncated.encode(TEXTS, "query"), one_by_one, atol=1e-5)
    assert truncated.model_id.endswith("numpy-layers-1")
    assert truncated.encode([], "query").shape == (0, 384)
