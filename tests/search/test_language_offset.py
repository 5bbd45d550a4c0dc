"""Which other languages' cosines are shifted to the query language's level, and why a pool of
many languages must not lift an unrelated fact-check of another language above the answer."""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.search.features import CandidateSignals, feature_table, offset_groups
from factdesk.search.matcher import Matcher
from factdesk.types import FactCheck, Rating
from tests.search.fixed import FixedCosines

DIM = 32
FAMILIES = {"de": 0, "fr": 1, "en": 2, "vi": 3, None: 4}


def test_offset_groups_per_rule() -> None:
    assert offset_groups("all", "de", FAMILIES) == {1, 2, 3}
    assert offset_groups("none", "de", FAMILIES) == frozenset()
    assert offset_groups("pairs", "de", FAMILIES) == frozenset()  # no calibrated pair with de
    assert offset_groups("pairs", "vi", FAMILIES) == {2}
    assert offset_groups("pairs", "en", FAMILIES) == {3}
    assert offset_groups("all", None, FAMILIES) == frozenset()  # query language unknown
    with pytest.raises(ValueError, match="unknown offset rule"):
        offset_groups("some", "de", FAMILIES)  # type: ignore[arg-type]


def _signals(cos: list[float], groups: list[int], shifted: frozenset[int]) -> CandidateSignals:
    m = len(cos)
    return CandidateSignals(
        bm25=np.zeros((m, 4)),
        bm25_max=np.zeros(4),
        lex_rank=np.full(m, -1),
        cos=np.column_stack([cos, cos]),
        dense_rank=np.arange(m),
        days_apart=np.full(m, np.nan),
        language_group=np.array(groups),
        query_group=0,
        offset_groups=shifted,
    )


def test_only_the_listed_groups_are_shifted() -> None:
    cos = [0.9, 0.8, 0.8, 0.8, 0.6, 0.5, 0.5, 0.5]
    groups = [0, 0, 0, 0, 1, 1, 1, 1]
    kept = feature_table(_signals(cos, groups, frozenset()))["cos_claim"]
    assert kept.tolist() == cos
    moved = feature_table(_signals(cos, groups, frozenset({1})))["cos_claim"]
    assert moved[:4].tolist() == cos[:4]
    # group 1's top-4 mean (0.525) moved to group 0's (0.825)
    assert moved[4:] == pytest.approx([0.9, 0.8, 0.8, 0.8])


# (id, claim, language, cosine to the query): the German answer stands a little above other
# German fact-checks; French holds one unrelated fact-check clearly above the rest of French
POOL = [
    ("right", "Impfstoffe machen Frauen unfruchtbar", "de", 0.86),
    ("de-a", "Der Bürgermeister hat die Brücke verkauft", "de", 0.84),
    ("de-b", "Die Regierung verbietet Bargeld ab Mai", "de", 0.83),
    ("de-c", "Das Wasser im See ist vergiftet", "de", 0.83),
    ("unrelated", "Le maire a vendu le pont de la ville", "fr", 0.80),
    ("fr-a", "Les écoles ferment pour toujours", "fr", 0.74),
    ("fr-b", "Le prix du pain double demain", "fr", 0.73),
    ("fr-c", "La lune est faite de fromage", "fr", 0.73),
]


def _matcher(languages: dict[str, str], **kw: object) -> Matcher:
    matcher = Matcher(embedder=FixedCosines({text: c for _, text, _, c in POOL}, DIM), **kw)  # type: ignore[arg-type]
    matcher.upsert(
        [
            (doc, FactCheck(claim_reviewed=text, rating=Rating("False"), language=languages[lang]))
            for doc, text, lang, _ in POOL
        ]
    )
    return matcher


def test_an_unrelated_fact_check_of_another_language_does_not_outrank_the_answer() -> None:
    """Shifting French to German's level (the rule before) put the best unrelated French
    fact-check first; the shipped rule shifts only calibrated pairs."""
    query = "Macht die Impfung Frauen unfruchtbar?"
    languages = {"de": "de", "fr": "fr"}
    assert _matcher(languages).search(query, language="de", k=1)[0].id == "right"
    before = _matcher(languages, language_offset="all").search(query, language="de", k=1)
    assert before[0].id == "unrelated"  # what the rule prevents


def test_the_calibrated_pair_is_still_shifted() -> None:
    """The same pool as Vietnamese and English: that pair keeps the shift (measured on the
    sample desk's translated repeats), so the English candidate is lifted as before."""
    query = "Macht die Impfung Frauen unfruchtbar?"
    languages = {"de": "vi", "fr": "en"}
    shipped = _matcher(languages).search(query, language="vi", k=2)
    before = _matcher(languages, language_offset="all").search(query, language="vi", k=2)
    assert [(m.id, m.score) for m in shipped] == [(m.id, m.score) for m in before]
    unshifted = _matcher(languages, language_offset="none").search(query, language="vi", k=2)
    assert [(m.id, m.score) for m in unshifted] != [(m.id, m.score) for m in shipped]
