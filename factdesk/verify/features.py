"""Features of a (claim, passage) pair for the stance head.

Two kinds. The E5 vectors of claim ``u`` and passage ``v`` in the usual sentence-pair form
``[u, v, |u−v|, u∗v]`` carry meaning across Vietnamese and English, but pooled vectors are
blind to what most often flips a verdict: a negation, a changed number, a claim that says
more than the passage. So a few cheap lexical signals, computed on the words in any
language, are appended: cosine, word overlap both ways, novel claim words, lengths,
negation present on one side only (Vietnamese and English cue words), and numbers of the
claim missing from the passage.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Cue words of negation; Vietnamese syllables are matched one by one, English words whole
# (plus the n't clitic). Kept short on purpose: every word here changes many pairs.
NEGATION_EN = frozenset(
    "not no never none nobody nothing neither nor cannot without fails failed fail lacks"
    " lack unable false nowhere".split()
)
NEGATION_VI = frozenset("không chẳng chưa chả đừng chớ hề thiếu".split())

LEXICAL_NAMES = (
    "cosine",
    "claim_in_passage",
    "passage_in_claim",
    "jaccard",
    "novel_claim_words",
    "log_claim_words",
    "log_passage_words",
    "log_length_ratio",
    "negation_claim",
    "negation_passage",
    "negation_mismatch",
    "numbers_claim",
    "numbers_missing",
    "number_mismatch",
)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _negated(words: Sequence[str]) -> float:
    return float(
        any(w in NEGATION_EN or w in NEGATION_VI or w.endswith(("n't", "n’t")) for w in words)
    )


def _numbers(text: str) -> set[str]:
    return {n.replace(",", ".").rstrip(".") for n in _NUMBER.findall(text)}


def lexical_features(claim: str, passage: str) -> list[float]:
    """The lexical signals of one pair, in :data:`LEXICAL_NAMES` order (cosine left 0)."""
    cw, pw = _words(claim), _words(passage)
    c, p = set(cw), set(pw)
    shared = len(c & p)
    nc, np_ = _numbers(claim), _numbers(passage)
    missing = len(nc - np_) / len(nc) if nc else 0.0
    neg_c, neg_p = _negated(cw), _negated(pw)
    return [
        0.0,
        shared / len(c) if c else 0.0,
        shared / len(p) if p else 0.0,
        shared / len(c | p) if c | p else 0.0,
        float(len(c - p)) / max(len(c), 1),
        math.log1p(len(cw)),
        math.log1p(len(pw)),
        math.log1p(len(cw)) - math.log1p(len(pw)),
        neg_c,
        neg_p,
        float(neg_c != neg_p),
        float(bool(nc)),
        missing,
        float(bool(nc) and bool(np_) and missing > 0),
    ]


def pair_features(
    pairs: Sequence[tuple[str, str]],
    claims: npt.NDArray[np.float32],
    passages: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """One row per (claim, passage) pair: ``[u, v, |u−v|, u∗v, lexical…]``."""
    lexical = np.array([lexical_features(c, p) for c, p in pairs], dtype=np.float32).reshape(
        len(pairs), len(LEXICAL_NAMES)
    )
    lexical[:, 0] = np.sum(claims * passages, axis=1)
    out: npt.NDArray[np.float32] = np.concatenate(
        [claims, passages, np.abs(claims - passages), claims * passages, lexical], axis=1
    ).astype(np.float32)
    return out


def on_topic(claim: str, sentences: Sequence[str], keep: int) -> list[str]:
    """The ``keep`` sentences sharing the most words with ``claim`` (earlier first on ties).

    A claim-level call judges these, not every sentence of the retrieved documents: the
    evidence threshold is fitted on pools built the same way (each cited abstract's
    rationale sentences and its two most overlapping others), and over a pool of thirty
    sentences some sentence nearly always looks like evidence."""
    claim_words = set(_words(claim))
    order = sorted(
        range(len(sentences)), key=lambda i: (-len(claim_words & set(_words(sentences[i]))), i)
    )
    return [sentences[i] for i in order[:keep]]
