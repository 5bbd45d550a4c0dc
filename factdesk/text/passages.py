"""Cutting a document into passages: a few whole sentences each, with offsets into the text.

A passage is what retrieval returns, the stance model reads and a checker quotes, so it must
be short enough to judge at a glance and long enough to hold a statement with its context.
Sentences are never split (unless one alone is longer than the limit, then it is cut at a
space); a paragraph break always ends a passage, since a new paragraph usually starts a new
point, except after a heading (a short line with no sentence end), which joins the text it
introduces. Offsets let a citation mark the exact words in the archived copy.
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
    carry = -1  # start of a heading-like paragraph waiting for the text it introduces
    for lo, hi in _paragraphs(text):
        if _heading(text[lo:hi]):
            start_of = lo + len(text[lo:hi]) - len(text[lo:hi].lstrip())
            carry = start_of if carry < 0 else carry
            continue
        sentences = split_sentences(text[lo:hi], language)
        start = end = -1
        if carry >= 0 and sentences:
            start, end = carry, lo + sentences[0].end
            sentences = sentences[1:]
            carry = -1
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
    if carry >= 0:  # the text ends with headings: they are a passage of their own
        spans.append((carry, len(text.rstrip())))
    return [
        PassageSpan(position=i, start=s, end=e, text=text[s:e]) for i, (s, e) in enumerate(spans)
    ]


def _heading(paragraph: str) -> bool:
    """A short line without a sentence's end (a title, a section heading): it goes with the
    paragraph after it, so no passage is a bare heading."""
    line = paragraph.strip()
    return "\n" not in line and len(line) < MIN_CHARS and line[-1:] not in ".!?…:;\"'”»)"


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
