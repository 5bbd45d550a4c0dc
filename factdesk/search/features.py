"""What the ranker sees about a (query, fact-check) candidate: one row of numbers.

Features are built to mean the same thing whatever the language or the size of the
collection, because the ranker is trained on English tweets and Snopes claims and then used
on Vietnamese posts and any publisher's ClaimReview:

* lexical: BM25 per field divided by the query's own upper bound (the share of the query's
  weight the field covers, 0..1), the combined-field score relative to the best candidate,
  and the lexical rank;
* dense: cosine per field, its gap to the best candidate's cosine, and the dense rank;
* both: reciprocal-rank fusion of the two ranks;
* time: how far apart the post and the fact-check were published, when both dates are known.

Three feature sets, one per *head*: ``hybrid`` (everything), ``dense`` (used for candidates in
another language than the query, where shared words mean little) and ``lexical`` (used when no
embedding model is installed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

LEX_FIELDS = ("claim", "title", "summary")
DENSE_FIELDS = ("claim", "title")
RRF_K = 60.0
NEIGHBOURS = 4

OffsetRule = Literal["pairs", "pairs-background", "background", "all", "none"]
OFFSET_RULES: tuple[OffsetRule, ...] = ("pairs", "pairs-background", "background", "all", "none")
# the rules that shift by each language's background level, not by its top cosines
BACKGROUND_RULES: frozenset[OffsetRule] = frozenset({"pairs-background", "background"})
# fact-checks per language family whose mean cosine to the query is that language's
# background level (factdesk.search.background); a language of 4 or fewer fact-checks is
# averaged whole, as its top 4 were when all of them were candidates
BACKGROUND_SAMPLE = 64
# Language pairs whose cross-language cosine shift was checked against real matches (the
# sample desk's Vietnamese/English repeats, tests/services/test_match.py). Other pairs are
# left unshifted: in a pool of many languages the shift lifts the best unrelated fact-check
# of each other language to the right answer's level (docs/matching.md, "Languages").
CALIBRATED_PAIRS: frozenset[frozenset[str]] = frozenset({frozenset({"vi", "en"})})

LEXICAL_FEATURES: tuple[str, ...] = (
    *(f"bm25_{f}" for f in LEX_FIELDS),
    "bm25_all",
    "bm25_all_rel",
    "lex_rank",
    "lex_missing",
)
DENSE_FEATURES: tuple[str, ...] = (
    *(f"cos_{f}" for f in DENSE_FIELDS),
    *(f"cos_{f}_gap" for f in DENSE_FIELDS),
    "dense_rank",
    "dense_missing",
)
TIME_FEATURES: tuple[str, ...] = ("log_days_apart", "no_dates")

HEADS: dict[str, tuple[str, ...]] = {
    "hybrid": (*LEXICAL_FEATURES, *DENSE_FEATURES, "rrf", *TIME_FEATURES),
    "dense": (*DENSE_FEATURES, *TIME_FEATURES),
    "lexical": (*LEXICAL_FEATURES, *TIME_FEATURES),
}


@dataclass(frozen=True, slots=True)
class CandidateSignals:
    """Raw retrieval signals for the m candidates of one query.

    ``bm25`` has one column per name in ``LEX_FIELDS`` plus a last one for the combined
    field; ``bm25_max`` holds the query's upper bound for each of those columns. ``lex_rank``
    and ``dense_rank`` are 0-based ranks in each first-stage list (``-1``: not retrieved by
    that stage). ``cos`` has one column per name in ``DENSE_FIELDS`` (``None``: no model).
    ``days_apart`` is NaN where a date is missing. ``language_group`` numbers the candidates'
    languages: the cosine gap and the dense rank are then taken within each language, because
    an embedding puts any two texts of one language a little closer than a text and its
    translation (the per-language offset that CSLS-style corrections remove), so a post's
    translation must be compared with the other fact-checks of its own language. When
    ``query_group`` names the query's own language among the groups, the cosines of each group
    in ``offset_groups`` are also shifted by the difference between the two groups'
    neighbourhood means (mean of the top ``NEIGHBOURS``), so absolute cosines read the same
    across those languages; :func:`offset_groups` chooses them. With ``background`` (one row
    per group, one column per dense field: the query's mean cosine to a fixed sample of that
    language's fact-checks, NaN when unknown) and ``reference`` (the level to shift to: the
    query language's background, else the mean over languages), the shift is ``reference -
    background`` instead: a level that one right answer (or one close unrelated fact-check)
    barely moves, and that needs no candidate of the query's language.
    """

    bm25: F64
    bm25_max: F64
    lex_rank: NDArray[np.int64]
    cos: F64 | None
    dense_rank: NDArray[np.int64]
    days_apart: F64
    language_group: NDArray[np.int64] | None = None
    query_group: int = -1
    offset_groups: frozenset[int] = frozenset()
    background: F64 | None = None
    reference: F64 | None = None


def offset_groups(
    rule: OffsetRule,
    query_family: str | None,
    families: dict[str | None, int],
    *,
    orphan: bool = False,
) -> frozenset[int]:
    """The language groups (``families``: family → group number) whose cosines are shifted
    to the query language's level under ``rule``: ``pairs`` only languages paired
    with the query's in :data:`CALIBRATED_PAIRS`, ``all`` every other language (the rule
    before), ``none`` no shift at all; ``pairs-background`` and ``background`` choose as
    ``pairs`` and ``all`` do, and shift by background levels instead of neighbourhood means
    (:class:`CandidateSignals`). ``pairs-background`` is the default (docs/matching.md,
    "Languages").

    ``orphan``: the index holds no fact-check of the query's language. Under
    ``pairs-background`` every other language is then shifted, as under ``background``:
    with no candidate of the query's own language there is no same-language answer to
    displace, and the languages the index does hold are put level with each other (their
    mean background is the reference) instead of being compared on cosines that favour
    whichever language the encoder puts nearest."""
    if rule not in OFFSET_RULES:
        raise ValueError(
            f"unknown offset rule {rule!r} (expected one of {', '.join(OFFSET_RULES)})"
        )
    if query_family is None or rule == "none":
        return frozenset()
    return frozenset(
        g
        for f, g in families.items()
        if f is not None
        and f != query_family
        and (
            rule in ("all", "background")
            or (orphan and rule == "pairs-background")
            or frozenset({f, query_family}) in CALIBRATED_PAIRS
        )
    )


def feature_table(signals: CandidateSignals) -> dict[str, F64]:
    """Every feature as a column over the candidates, by name."""
    m = len(signals.lex_rank)
    cols: dict[str, F64] = {}
    bound = np.where(signals.bm25_max > 0, signals.bm25_max, 1.0)
    cover = signals.bm25 / bound
    for i, name in enumerate(LEX_FIELDS):
        cols[f"bm25_{name}"] = cover[:, i]
    cols["bm25_all"] = cover[:, -1]
    best = signals.bm25[:, -1].max() if m else 0.0
    cols["bm25_all_rel"] = signals.bm25[:, -1] / best if best > 0 else np.zeros(m)
    lex_missing = signals.lex_rank < 0
    cols["lex_rank"] = np.where(
        lex_missing, 0.0, 1.0 / np.log2(np.maximum(signals.lex_rank, 0) + 2.0)
    )
    cols["lex_missing"] = lex_missing.astype(np.float64)

    dense_missing = signals.dense_rank < 0
    groups = signals.language_group if signals.language_group is not None else np.zeros(m, np.int64)
    for i, name in enumerate(DENSE_FIELDS):
        if signals.cos is None:
            cols[f"cos_{name}"] = np.zeros(m)
            cols[f"cos_{name}_gap"] = np.zeros(m)
            continue
        if signals.background is not None and signals.reference is not None:
            column = _background_offset(
                signals.cos[:, i],
                groups,
                signals.background[:, i],
                float(signals.reference[i]),
                signals.offset_groups,
            )
        else:
            column = _language_offset(
                signals.cos[:, i], groups, signals.query_group, signals.offset_groups
            )
        cols[f"cos_{name}"] = column
        cols[f"cos_{name}_gap"] = column - _group_max(column, groups)
    rank = _group_rank(signals.dense_rank, groups)
    cols["dense_rank"] = np.where(dense_missing, 0.0, 1.0 / np.log2(np.maximum(rank, 0) + 2.0))
    cols["dense_missing"] = dense_missing.astype(np.float64)

    rrf = np.zeros(m)
    rrf += np.where(lex_missing, 0.0, 1.0 / (RRF_K + signals.lex_rank + 1))
    rrf += np.where(dense_missing, 0.0, 1.0 / (RRF_K + signals.dense_rank + 1))
    cols["rrf"] = rrf * RRF_K

    no_dates = np.isnan(signals.days_apart)
    cols["log_days_apart"] = np.where(no_dates, 0.0, np.log1p(np.abs(signals.days_apart)))
    cols["no_dates"] = no_dates.astype(np.float64)
    return cols


def _language_offset(
    values: F64, groups: NDArray[np.int64], query_group: int, shifted: frozenset[int]
) -> F64:
    """Shift the cosines of each group in ``shifted`` so its neighbourhood mean matches the
    query's own language group (CSLS-style hubness correction, per language instead of per
    item)."""
    if query_group < 0 or not shifted or not len(values) or not (groups == query_group).any():
        return values
    means = {}
    for g in np.unique(groups).tolist():
        top = np.sort(values[groups == g])[::-1][:NEIGHBOURS]
        means[g] = float(top.mean())
    shift = np.array(
        [means[query_group] - means[g] if g in shifted else 0.0 for g in groups.tolist()]
    )
    out: F64 = values + shift
    return out


def _background_offset(
    values: F64,
    groups: NDArray[np.int64],
    background: F64,
    reference: float,
    shifted: frozenset[int],
) -> F64:
    """Shift the cosines of each group in ``shifted`` by ``reference`` minus the group's
    background level (``background``, by group; NaN: none, left as is)."""
    move = np.zeros(len(background))
    for g in shifted:
        if np.isfinite(background[g]):
            move[g] = reference - background[g]
    out: F64 = values + move[groups]
    return out


def _group_max(values: F64, groups: NDArray[np.int64]) -> F64:
    """Each value's group maximum (one group per language)."""
    if not len(values):
        return values
    best = np.full(int(groups.max()) + 1, -np.inf)
    np.maximum.at(best, groups, values)
    out: F64 = best[groups]
    return out


def rank_of(slots: NDArray[np.int32], ranked: NDArray[np.int32]) -> NDArray[np.int64]:
    """Position of each of ``slots`` in ``ranked`` (``-1`` when absent)."""
    out = np.full(len(slots), -1, dtype=np.int64)
    if len(ranked):
        position = {int(s): r for r, s in enumerate(ranked.tolist())}
        out[:] = [position.get(int(s), -1) for s in slots.tolist()]
    return out


def _group_rank(ranks: NDArray[np.int64], groups: NDArray[np.int64]) -> NDArray[np.int64]:
    """Re-number first-stage ranks within each group (0 = best of its group; -1 stays -1)."""
    out = np.full(len(ranks), -1, dtype=np.int64)
    for g in np.unique(groups).tolist():
        members = np.flatnonzero((groups == g) & (ranks >= 0))
        out[members[np.argsort(ranks[members], kind="stable")]] = np.arange(len(members))
    return out


def feature_matrix(signals: CandidateSignals, names: tuple[str, ...]) -> F64:
    """The candidates' features for one head, columns in ``names`` order."""
    table = feature_table(signals)
    return np.column_stack([table[n] for n in names]) if names else np.zeros((0, 0))
