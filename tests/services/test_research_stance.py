"""Research hands the search's vectors to the stance model instead of encoding twice."""

from __future__ import annotations

import numpy as np

from factdesk.search.passages import build_index
from factdesk.services.research import judge
from factdesk.types.research import PassageText
from factdesk.verify.head import Head
from factdesk.verify.stance import HeadStance
from tests.verify.stancefixtures import HashEncoder

PASSAGES = [
    PassageText("a", "The bridge opened to traffic in 1998 after four years of work.", "en"),
    PassageText("b", "Cây cầu được thông xe năm 1998.", "vi"),
    PassageText("c", "Tourists like to walk across the river at night.", "en"),
]
CLAIM = "The bridge was opened in 1998."


def _head(d: int) -> Head:
    rng = np.random.default_rng(1)
    return Head(
        np.zeros(d, np.float32),
        np.ones(d, np.float32),
        rng.standard_normal((d, 4)).astype(np.float32),
        np.zeros(4, np.float32),
        rng.standard_normal((4, 3)).astype(np.float32),
        np.zeros(3, np.float32),
        temperature=1.5,
    )


class OtherEncoder(HashEncoder):
    model_id = "hash-test/other"


def test_judge_reuses_the_index_vectors_and_agrees_with_encoding_again() -> None:
    encoder = HashEncoder()
    index = build_index(PASSAGES, encoder)
    model = HeadStance(_head(4 * encoder.dim + 14), encoder, {"name": "tiny"})
    query_vector = index.query_vector(CLAIM)
    hits = index.search(CLAIM, 3, language="en", query_vector=query_vector)
    assert len(hits) == 3
    encoded = encoder.texts
    verdicts = judge(model, index, CLAIM, query_vector, hits)
    assert encoder.texts == encoded  # nothing encoded again
    again = model.predict([(CLAIM, h.text) for h in hits])
    assert encoder.texts > encoded
    for got, want in zip(verdicts, again, strict=True):
        assert got.stance == want.stance
        assert np.allclose(list(got.probabilities.values()), list(want.probabilities.values()))


def test_judge_encodes_when_the_model_reads_other_embeddings() -> None:
    index = build_index(PASSAGES, HashEncoder())
    other = OtherEncoder()
    model = HeadStance(_head(4 * other.dim + 14), other, {"name": "tiny"})
    query_vector = index.query_vector(CLAIM)
    hits = index.search(CLAIM, 2, language="en", query_vector=query_vector)
    verdicts = judge(model, index, CLAIM, query_vector, hits)
    assert other.texts > 0 and len(verdicts) == 2


def test_vectors_of_gives_the_stored_rows_or_none() -> None:
    encoder = HashEncoder()
    index = build_index(PASSAGES, encoder)
    rows = index.vectors_of(["c", "a"])
    assert rows is not None
    expected = encoder.encode([PASSAGES[2].text, PASSAGES[0].text], "passage")
    assert np.allclose(rows, expected, atol=1e-6)
    assert index.vectors_of(["a", "missing"]) is None
    assert build_index(PASSAGES).vectors_of(["a"]) is None  # lexical only
