"""Noisy training copies: seeded, long, their own answers, held out with their tweet."""

from __future__ import annotations

import numpy as np

from factdesk.search.training import (
    NOISY_SUFFIX,
    Collected,
    LabelledQuery,
    cross_validate,
    noisy_copies,
)

TEXTS = [
    "the vaccine changes your genes says a doctor in a video",
    "a photo shows a shark swimming on a flooded highway after the storm",
    "the mayor banned cars from the city centre for the whole summer",
    "drinking hot water with lemon cures the virus within three days",
    "the election was decided by votes from people who died years ago",
    "a new law makes it illegal to collect rainwater in your own garden",
]


def _queries() -> list[LabelledQuery]:
    return [LabelledQuery(f"q{i}", t, frozenset({f"v{i}"})) for i, t in enumerate(TEXTS)]


def test_noisy_copies_are_seeded_long_and_keep_answers() -> None:
    queries = _queries()
    first = noisy_copies(queries, seed=3)
    assert first == noisy_copies(queries, seed=3)
    assert first != noisy_copies(queries, seed=4)
    for q, noisy in zip(queries, first, strict=True):
        assert noisy.id == q.id + NOISY_SUFFIX
        assert noisy.relevant == q.relevant
        assert q.text in noisy.text
        assert len(noisy.text.split()) > len(q.text.split())


def test_noisy_copy_is_never_in_its_own_filler() -> None:
    # a single query has no other text to borrow: its post holds the claim only once
    (noisy,) = noisy_copies(_queries()[:1], seed=0)
    assert noisy.text.count(TEXTS[0]) == 1


def _item(query: str, answerable: bool = True) -> Collected:
    table = {"f": np.array([1.0, 0.0])}
    return Collected(query, table, np.array([True, False]), answerable, 0)


def test_cross_validation_holds_a_noisy_copy_out_with_its_tweet() -> None:
    ids = [f"q{i}" for i in range(10)]
    items = [_item(q) for q in ids] + [_item(q + NOISY_SUFFIX) for q in ids]
    _, held = cross_validate(items, ("f",), l2=1e-2, folds=5, seed=0)
    # every list is scored exactly once, held out: 20 lists, tweets and copies alike
    assert sorted(c.query for _, c in held) == sorted(c.query for c in items)
    folds = [[c.query for _, c in held[i : i + 4]] for i in range(0, 20, 4)]
    for fold in folds:
        bases = {q.removesuffix(NOISY_SUFFIX) for q in fold}
        assert all(b in fold and b + NOISY_SUFFIX in fold for b in bases)
