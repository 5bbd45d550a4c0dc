"""Background levels for the ``*background`` offset rules: a language's level is the query's
mean cosine to a fixed sample of its fact-checks, so one right answer barely moves it (the
top-4 neighbourhood mean it replaces moves with the answer)."""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.search.background import (
    background_levels,
    build_sample,
    query_background,
    sample_slots,
)
from factdesk.search.features import BACKGROUND_SAMPLE
from factdesk.search.matcher import Matcher
from factdesk.text.analysis import language_family
from factdesk.types import FactCheck, Rating
from tests.search.fixed import FixedCosines

DIM = 160
QUERY = "Macht die Impfung Frauen unfruchtbar?"


def test_the_sample_is_deterministic_and_per_family() -> None:
    items = [(f"id{i}", i, "ms" if i % 2 else "id") for i in range(300)]  # one family
    items += [(f"en{i}", 300 + i, "en") for i in range(3)]  # fewer: all of them
    items += [(f"x{i}", 400 + i, None) for i in range(50)]  # unknown: never sampled
    slots = sample_slots(items)
    family = language_family("id")
    assert list(slots) == ["en", family] and len(slots[family]) == BACKGROUND_SAMPLE
    assert sorted(slots["en"].tolist()) == [300, 301, 302]
    shuffled = sample_slots(reversed(items))
    assert sorted(shuffled[family].tolist()) == sorted(slots[family].tolist())
    # one more fact-check changes the sample by at most one
    more = sample_slots([*items, ("new", 999, "id")])
    assert len(set(more[family].tolist()) - set(slots[family].tolist())) <= 1


def _unit(cos: float, axis: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[0], v[axis] = cos, np.sqrt(1 - cos * cos)
    return v


def test_one_right_answer_barely_moves_its_language_level() -> None:
    """The answer at 0.95 among fact-checks at 0.70: the top-4 mean moves by 0.06, the
    background level by 0.004."""
    cosines = [0.95] + [0.70] * 63
    vectors = np.stack([_unit(c, i + 1) for i, c in enumerate(cosines)])
    sample = build_sample({"en": np.arange(64)}, {"claim": lambda s: vectors[s]})
    query = np.eye(DIM, dtype=np.float32)[0]
    level = background_levels(sample, query, ["claim"])[0, 0]
    assert level == pytest.approx(0.70 + 0.25 / 64, abs=1e-5)
    top4 = float(np.mean(sorted(cosines)[-4:]))
    assert top4 - 0.70 > 10 * (level - 0.70)


def test_reference_is_the_query_language_else_the_mean_of_languages() -> None:
    sample = build_sample(
        {"en": np.arange(2), "vi": np.arange(2, 4)},
        {"claim": lambda s: np.stack([_unit(c, i + 1) for i, c in enumerate([0.7] * len(s))])},
    )
    levels = np.array([[0.70], [0.80]])  # en, vi
    codes = {"vi": 0, "en": 1, None: 2, "fr": 3}
    shift, background, reference = query_background(sample, levels, codes, "vi", frozenset({1, 3}))
    assert shift == {1}  # French has no sample: left unshifted
    assert reference is not None and background is not None
    assert reference.tolist() == [0.80] and background[1].tolist() == [0.70]
    assert np.isnan(background[2]).all() and np.isnan(background[3]).all()
    # no Vietnamese fact-check in the index: the mean over the languages sampled
    _, _, pooled = query_background(sample, levels[:1], {"en": 0}, "de", frozenset({0}))
    assert pooled is not None and pooled.tolist() == [0.70]
    nothing = build_sample({}, {"claim": lambda s: np.zeros((0, DIM), np.float32)})
    assert query_background(nothing, levels[:0], {"en": 0}, "vi", frozenset({0})) == (
        frozenset(),
        None,
        None,
    )


def _pool(spec: dict[str, list[tuple[str, float]]]) -> list[tuple[str, str, str, float]]:
    """(id, claim, language, cosine to the query); claims share no word with the query."""
    return [
        (doc, f"{language} item {doc} number {k}", language, c)
        for language, rows in spec.items()
        for k, (doc, c) in enumerate(rows)
    ]


def _spread(prefix: str, n: int, level: float) -> list[tuple[str, float]]:
    """``n`` unrelated fact-checks around ``level`` (a fixed, even spread of ±0.02)."""
    return [(f"{prefix}{i}", level + 0.04 * (i / (n - 1) - 0.5)) for i in range(n)]


def _top(rows: list[tuple[str, str, str, float]], language: str, rule: str) -> str:
    matcher = Matcher(
        embedder=FixedCosines({t: c for _, t, _, c in rows}, DIM), language_offset=rule
    )  # type: ignore[arg-type]
    matcher.upsert(
        [
            (d, FactCheck(claim_reviewed=t, rating=Rating("False"), language=lang))
            for d, t, lang, _ in rows
        ]
    )
    return matcher.search(QUERY, language=language, k=1)[0].id


def test_the_answer_lifts_no_unrelated_fact_check_of_the_paired_language() -> None:
    """A Vietnamese answer with three close Vietnamese fact-checks raises Vietnamese's top-4
    mean, and the top-4 shift (``pairs``) then lifts the best unrelated English fact-check
    above it; the background level hardly moves, so the answer stays first."""
    rows = _pool(
        {
            "vi": [("answer", 0.90), ("v1", 0.86), ("v2", 0.86), ("v3", 0.86)]
            + _spread("vi", 40, 0.80),
            "en": [("unrelated", 0.77), ("e1", 0.765), ("e2", 0.765), ("e3", 0.765)]
            + _spread("en", 40, 0.72),
        }
    )
    assert _top(rows, "vi", "pairs") == "unrelated"  # what the background level prevents
    assert _top(rows, "vi", "pairs-background") == "answer"


def test_an_answer_in_the_other_language_needs_the_shift() -> None:
    """An English translation well above English's background but below the Vietnamese
    fact-checks' cosines is found first with the background shift, not without a shift."""
    rows = _pool(
        {
            "vi": [("v1", 0.82), ("v2", 0.82)] + _spread("vi", 40, 0.80),
            "en": [("answer", 0.80)] + _spread("en", 40, 0.72),
        }
    )
    assert _top(rows, "vi", "pairs-background") == "answer"
    assert _top(rows, "vi", "background") == "answer"
    assert _top(rows, "vi", "none") != "answer"


def test_languages_outside_the_calibrated_pairs_keep_their_cosines() -> None:
    """German and French under ``pairs-background``: as under ``none``."""
    rows = _pool(
        {
            "de": [("answer", 0.86)] + _spread("de", 40, 0.80),
            "fr": [("unrelated", 0.80)] + _spread("fr", 40, 0.72),
        }
    )
    assert _top(rows, "de", "pairs-background") == _top(rows, "de", "none") == "answer"


def test_a_post_in_a_language_the_index_lacks_has_every_language_put_level() -> None:
    """A Korean post on a desk with no Korean fact-checks: its French answer stands well
    above French's background, an unrelated German fact-check only a little above German's,
    which the encoder puts nearer the query. Under ``pairs-background`` every language is then
    shifted (the reference is the mean of their backgrounds): the answer comes first, as it
    does under ``background``, and not when the cosines are compared as they are."""
    rows = _pool(
        {
            "de": [("unrelated", 0.83)] + _spread("de", 40, 0.80),
            "fr": [("answer", 0.81)] + _spread("fr", 40, 0.72),
        }
    )
    assert _top(rows, "ko", "none") == "unrelated"
    assert _top(rows, "ko", "pairs") == "unrelated"
    assert _top(rows, "ko", "pairs-background") == "answer"
    assert _top(rows, "ko", "background") == "answer"
    # the same post on a desk that holds one Korean fact-check keeps its cosines as they are
    with_korean = [*rows, ("ko0", "ko item ko0 number 0", "ko", 0.50)]
    assert _top(with_korean, "ko", "pairs-background") == "unrelated"
