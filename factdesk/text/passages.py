"""Cutting a document into passages: a few whole sentences each, with offsets into the text.

A passage is what retrieval returns, the stance model reads and a checker quotes, so it must
be short enough to judge at a glance and long enough to hold a statement with its context.
Sentences are never split (unless one alone is longer than the limit, then it is cut at a
space); a paragraph break always ends a passage, since a new paragraph usually starts a new
point. Offsets let a citation mark the exact words in the archived copy.
"""

from __future__ import annotations

import re

from factdesk.text.sentences import split_sentences
from factdesk.types.research import PassageSpan

__all__ = ["MAX_CHARS", "split_passages"]

#: A passage ends before it would grow past this many characters.
MAX_CHARS = 400
#: ... and a passage shorter than this takes the next sentence even across the soft limit.
MIN_CHARS = 80
_PARAGRAPH = re.compile(r"\n[ \t]*\n|\r\n[ \t]*\r\n")


def split_passages(
    text: str, language: str | None = None, *, max_chars: int = MAX_CHARS
) -> list[PassageSpan]:
    """The passages of ``text`` in order; each ``p.text == text[p.start:p.end]``."""
    spans: list[tuple[int, int]] = []
    for lo, hi in _paragraphs(text):
        sentences = split_sentences(text[lo:hi], language)
        start = end = -1
        for sentence in sentences:
            s, e = lo + sentence.start, lo + sentence.end
            if start < 0:
                start, end = s, e
            elif e - start <= max_chars or end - start < MIN_CHARS:
                end = e
            else:
                spans.extend(_cut_long(text, start, end, max_chars))
                start, end = s, e
        if start >= 0:
            spans.extend(_cut_long(text, start, end, max_chars))
    return [
        PassageSpan(position=i, start=s, end=e, text=text[s:e]) for i, (s, e) in enumerate(spans)
    ]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    bounds = []
    begin = 0
    for match in _PARAGRAPH.finditer(text):
        bounds.append((begin, match.start()))
        begin = match.end()
    bounds.append((begin, len(text)))
    return [(lo, hi) for lo, hi in bounds if text[lo:hi].strip()]


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``(start, end)``, or pieces of it cut at spaces when it is longer than twice the
    limit (one long sentence, a table row run together)."""
    if end - start <= 2 * max_chars:
        return [(start, end)]
    pieces = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        if cut <= start:
            cut = start + max_chars
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces
