"""How the matcher treats a long post (:func:`factdesk.search.segments.is_long`): which text
says it is long, what BM25 reads, and how its candidates' probabilities are combined.

A long noisy post's best-window cosine lifts wrong fact-checks of every language, and the
heads, trained on short tweets, trust it; the lexical head (BM25 features only, calibrated
like the others) does not read it. These rules mix the two for long posts only; short posts
are always scored as before (docs/matching.md, "Long-post fusion", has the figures). Pure:
no I/O.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from factdesk.text.analysis import analysis_name

F64 = NDArray[np.float64]

# How a long post's candidates are scored: "hybrid", as any post's; "mean" (the default),
# the mean of that probability and the lexical head's over the whole list; "lean", for
# candidates in the query's language the lexical head's weighted LEAN_LEXICAL_WEIGHT and
# the hybrid head's the rest, when that language has a real lexical analysis (vi, en, a
# Snowball stemmer), every other candidate as "mean" (the lexical head cannot judge a
# fact-check that shares no words); "lexical", the lexical head's alone, as without an
# embedding model.
LongFusion = Literal["hybrid", "mean", "lean", "lexical"]
LONG_FUSIONS: tuple[LongFusion, ...] = ("hybrid", "mean", "lean", "lexical")
LONG_FUSION: LongFusion = "mean"
LEAN_LEXICAL_WEIGHT = 0.9

# Which text of a post decides that it is long, and what BM25 then reads: "cleaned" (the
# default), the text matched for both (links, handles and repeated lines dropped, what is
# encoded); "written", length judged on the post as written (``post=`` of Matcher.search: a
# post of 80 words that cleaning brings to 55 is long), BM25 on the cleaned text; "raw",
# length judged as written and BM25 on the post as written. A post that is short as written
# is never cleaned, so it reads the same under all three.
LongPost = Literal["cleaned", "written", "raw"]
LONG_POSTS: tuple[LongPost, ...] = ("cleaned", "written", "raw")


def check_long(fusion: str, post: str) -> None:
    """Refuse an unknown ``FACTDESK_MATCH_LONG_FUSION`` or ``FACTDESK_MATCH_LONG_POST``."""
    if fusion not in LONG_FUSIONS:
        raise ValueError(
            f"unknown long-post fusion {fusion!r} (expected one of {', '.join(LONG_FUSIONS)})"
        )
    if post not in LONG_POSTS:
        raise ValueError(
            f"unknown long-post text {post!r} (expected one of {', '.join(LONG_POSTS)})"
        )


def fuse_long(
    fusion: LongFusion, shipped: F64, lexical: F64, same: NDArray[np.bool_], language: str | None
) -> F64:
    """A long post's candidate probabilities under ``fusion`` (not ``hybrid``, which keeps
    ``shipped``): ``shipped`` is the hybrid head's for candidates in the query's language
    (``same``) and the dense head's for the others, ``lexical`` the lexical head's."""
    if fusion == "hybrid":
        return shipped
    if fusion == "lexical":
        return lexical
    mean: F64 = (shipped + lexical) / 2.0
    if fusion == "lean" and analysis_name(language) != "plain":
        w = LEAN_LEXICAL_WEIGHT
        return np.where(same, (1.0 - w) * shipped + w * lexical, mean)
    return mean
