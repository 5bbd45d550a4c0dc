"""Sentence windows of a long query, for the dense side of claim matching.

A real post is often 150 words of which a dozen state the claim; the rest is a caption, an
OCR block, hashtags, someone else's words. One embedding of the whole post is dominated by
that rest, so its cosine to the right fact-check is low and the ranker (trained on short
tweets, where a high cosine is decisive) follows it astray (docs/matching.md, "Noisy long
posts"). A long query is therefore also encoded as a few windows of consecutive sentences,
and each fact-check takes the best cosine over the whole text and its windows: the window
holding the claim scores like a short tweet would.

Short queries (up to ``MIN_WORDS`` words, nearly every CheckThat! tweet) get no windows, so
they are matched exactly as before. :func:`long_query_text` is the other half for long posts:
their links, handles and repeated OCR lines are dropped (``clean_post``) before matching, on
both the lexical and the dense side; short posts keep them, because the shipped ranker was
trained on uncleaned tweets and cleaning short ones costs MAP@5 (docs/matching.md). Pure: no
I/O; the caller encodes the texts.
"""

from __future__ import annotations

import math
import re

from factdesk.text.analysis import clean_post
from factdesk.text.recase import recase_shouting
from factdesk.text.sentences import split_sentences

__all__ = [
    "MAX_SEGMENTS",
    "MIN_WORDS",
    "is_long",
    "long_query_text",
    "query_segments",
    "query_texts",
    "word_count",
]

MIN_WORDS = 60  # longer queries are windowed (CheckThat! 2022 2A tweets: median 30, p99 65)
MAX_SEGMENTS = 8  # windows per query at most (each costs one encoder call)
MIN_WINDOW_WORDS = 12  # a window this short says too little on its own

_WORD = re.compile(r"\w+")


def word_count(text: str) -> int:
    """Words as the length thresholds count them (runs of letters and digits)."""
    return len(_WORD.findall(text))


def is_long(text: str, min_words: int = MIN_WORDS) -> bool:
    """Whether ``text`` is a long post: more than ``min_words`` words (:func:`word_count`).

    The one length test of everything done differently for long posts: cleaning
    (:func:`long_query_text`), sentence windows (:func:`query_segments`), and in the matcher
    the long-post fusion and the long-post band guard (``bands.py``), so a post is never
    windowed under one count and banded or fused as short under another."""
    return word_count(text) > min_words


def query_segments(
    text: str,
    language: str | None = None,
    *,
    min_words: int = MIN_WORDS,
    max_segments: int = MAX_SEGMENTS,
) -> list[str]:
    """Windows of consecutive sentences covering ``text``, at most ``max_segments`` of them,
    each about ``total / max_segments`` words (at least ``MIN_WINDOW_WORDS``); ``[]`` when the
    text has ``min_words`` words or fewer, or is one sentence (the whole text says it all)."""
    if not is_long(text, min_words) or max_segments <= 0:
        return []
    total = word_count(text)
    units = [s.text for s in split_sentences(text, language) if word_count(s.text)]
    if len(units) < 2:
        return []
    target = max(MIN_WINDOW_WORDS, math.ceil(total / max_segments))
    while True:
        windows: list[list[str]] = []
        size = 0
        for unit in units:
            n = word_count(unit)
            if windows and size + n <= target:
                windows[-1].append(unit)
                size += n
            else:
                windows.append([unit])
                size = n
        if len(windows) <= max_segments:
            break
        target = math.ceil(target * 1.25)
    if len(windows) < 2:
        return []
    return [" ".join(w) for w in windows]


def query_texts(text: str, language: str | None = None) -> list[str]:
    """What to encode for a query: the whole text first, then its windows (if long), runs
    of shouted words (text read off an image) in sentence case (:mod:`factdesk.text.recase`:
    the encoder reads capitals poorly; BM25 folds case anyway)."""
    text = recase_shouting(text)
    return [text, *query_segments(text, language)]


def long_query_text(text: str, min_words: int = MIN_WORDS) -> str:
    """The text to match for a post: ``clean_post`` of it when it has more than
    ``min_words`` words (a real post: caption, links, OCR), else the post unchanged."""
    if not is_long(text, min_words):
        return text
    return clean_post(text) or text
