"""Each language's background level for one query, for the ``*background`` offset rules.

An embedding puts any two texts of one language a little closer than a text and its
translation, so the cosines of another language's fact-checks read lower than those of the
query's own language. Shifting them by the difference of each language's *top* cosines (the
``all`` and ``pairs`` rules) lifts the best unrelated fact-check of the other language to the
right answer's level whenever the answer is in the query's own language: the answer is one of
the top 4 it is measured by. The background level is the query's mean cosine to a fixed
sample of each language's fact-checks instead: one right answer (or one close unrelated
fact-check) is one of up to ``BACKGROUND_SAMPLE`` and barely moves it, and it exists even when
no candidate of the query's language was retrieved.

The sample is deterministic (the fact-checks of each language family whose ids hash lowest),
so a rebuilt or reloaded index samples the same fact-checks; the matcher builds it again after
any change to the index, on the next query. Pure functions over arrays: no I/O.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from factdesk.search.features import BACKGROUND_SAMPLE
from factdesk.text.analysis import language_family

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BackgroundSample:
    """The sampled fact-checks' vectors, one array per dense field, rows grouped by family
    (``family_of_row`` numbers each row's family in ``families``)."""

    families: tuple[str, ...]
    family_of_row: NDArray[np.int64]
    vectors: dict[str, F32]


def sample_slots(
    items: Iterable[tuple[str, int, str | None]], size: int = BACKGROUND_SAMPLE
) -> dict[str, NDArray[np.int64]]:
    """For each language family (``items``: id, slot, language; an unknown language is never
    sampled), the slots of the ``size`` fact-checks whose ids hash lowest (blake2b:
    independent of slot order and of the process); all of them when it has fewer."""
    keyed: dict[str, list[tuple[bytes, int]]] = {}
    for doc_id, slot, language in items:
        family = language_family(language)
        if family is not None:
            key = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
            keyed.setdefault(family, []).append((key, slot))
    return {
        family: np.array([slot for _, slot in heapq.nsmallest(size, rows)], dtype=np.int64)
        for family, rows in sorted(keyed.items())
    }


def build_sample(
    slots: Mapping[str, NDArray[np.int64]],
    vectors: Mapping[str, Callable[[NDArray[np.int64]], F32]],
) -> BackgroundSample:
    """Gather the sampled slots' vectors (``vectors``: dense field → slots to vectors, as
    ``VectorIndex.get``)."""
    families = tuple(slots)
    parts = [slots[f] for f in families]
    every = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(families), dtype=np.int64), [len(p) for p in parts])
    return BackgroundSample(families, rows, {f: get(every) for f, get in vectors.items()})


def background_levels(sample: BackgroundSample, query_vector: F32, fields: Sequence[str]) -> F64:
    """The query's background level per sampled family (rows, ``sample.families`` order) and
    dense field (columns, ``fields`` order): the mean over the family's sampled fact-checks of
    their cosine to the query. A long query's rows count by their best cosine, as they do
    for its candidates."""
    n = len(sample.families)
    out = np.full((n, len(fields)), np.nan)
    if not n:
        return out
    counts = np.bincount(sample.family_of_row, minlength=n).astype(np.float64)
    rows = np.atleast_2d(query_vector).T
    for j, field in enumerate(fields):
        cos = (sample.vectors[field] @ rows).max(axis=1).astype(np.float64)
        out[:, j] = np.bincount(sample.family_of_row, weights=cos, minlength=n) / counts
    return out


def query_background(
    sample: BackgroundSample,
    levels: F64,
    codes: Mapping[str | None, int],
    query_family: str | None,
    shift: frozenset[int],
) -> tuple[frozenset[int], F64 | None, F64 | None]:
    """For one query's candidates (``codes``: family → group number; ``levels`` from
    :func:`background_levels`): the groups of ``shift`` that have a background level (all
    but candidates of an unknown language, never shifted), each group's level (a row per
    group, NaN: none) and the reference level to shift to.

    The reference is the query language's own background; when the index holds no
    fact-check of the query's language, the mean over the languages it holds, so the others
    are at least level with each other. Nothing is shifted in an empty index."""
    where = {f: i for i, f in enumerate(sample.families)}
    if not where:
        return frozenset(), None, None
    background = np.full((len(codes), levels.shape[1]), np.nan)
    for family, group in codes.items():
        if family in where:
            background[group] = levels[where[family]]
    reference: F64 = levels[where[query_family]] if query_family in where else levels.mean(axis=0)
    kept = frozenset(g for g in shift if np.isfinite(background[g]).all())
    return kept, background, reference
