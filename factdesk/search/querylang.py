"""A short post's language, settled against the languages the index holds fact-checks in.

The language decides a post's lexical analysis and which candidates count as its own
language (scored with BM25 evidence) rather than foreign (dense evidence only). On a short
post the identifier sometimes names a language the index has nothing in (on the sanity set,
4 of 100 Spanish and 6 of 100 Dutch pseudo-queries of 5 to 15 words: Sotho, Latin, Nynorsk,
German), and the post's own-language answer is then judged as a foreign one. When a post of
at most ``SETTLE_MAX_WORDS`` words is identified as a language the index does not hold, the
matcher asks again among those it does hold. A longer post is identified reliably and keeps
its language even when the index has none of it (a Spanish post on a desk of English and
French fact-checks is a cross-lingual post, not a misread French one), and so does a post
written in a script none of the held languages uses (Korean). Pure: the identifier is passed
in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable

from factdesk.search.segments import word_count
from factdesk.text.analysis import language_family

__all__ = [
    "HELD_MIN",
    "HELD_SHARE",
    "SETTLE_MAX_WORDS",
    "IdentifyAmong",
    "held_families",
    "settle_language",
]

# a language family counts as held when it has this many fact-checks and this share of all
# (identified languages of fact-checks are noisy too: a dozen "Latin" ones in a pool of
# 18,000 must not make Latin the index's own; a small desk's few German ones do count)
HELD_MIN = 1
HELD_SHARE = 0.001
# posts this short are the ones an identifier misreads (lingua on 5-15 words); longer ones
# keep the language they are identified as
SETTLE_MAX_WORDS = 20

IdentifyAmong = Callable[[str, Collection[str]], str | None]


def held_families(languages: Iterable[str | None]) -> frozenset[str]:
    """The language families the fact-checks of ``languages`` (one code per fact-check)
    hold at least ``max(HELD_MIN, HELD_SHARE * total)`` of."""
    counts = Counter(f for f in map(language_family, languages) if f is not None)
    floor = max(HELD_MIN, HELD_SHARE * sum(counts.values()))
    return frozenset(f for f, n in counts.items() if n >= floor)


def settle_language(
    text: str, language: str | None, held: frozenset[str], among: IdentifyAmong
) -> str | None:
    """``language`` when the index holds it (or holds nothing, or the language is unknown,
    or ``text`` has more than ``SETTLE_MAX_WORDS`` words), else the language ``among`` finds
    for ``text`` among the ``held`` ones, else ``language`` (a script none of them uses)."""
    family = language_family(language)
    if family is None or not held or family in held or word_count(text) > SETTLE_MAX_WORDS:
        return language
    return among(text, held) or language
