"""Mentions: the check-worthy sentences of an item, with score, position and claim type.

An item is split into sentences (``factdesk.text``), every sentence is scored in one batch,
and those at or above the model's threshold become mentions. Offsets point into the item's
text, so the web can highlight the span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from factdesk.detect.model import CheckWorthinessModel
from factdesk.text.sentences import split_sentences
from factdesk.types import Mention

MIN_CHARS = 12  # shorter "sentences" are fragments ("Yes.", "Thank you.")
MAX_CHARS = 1000  # longer ones are split failures (a whole post without punctuation)


@dataclass(frozen=True, slots=True)
class ItemText:
    """What mention extraction needs of an item."""

    text: str
    language: str | None = None


def candidate_sentences(item: ItemText) -> list[tuple[str, int, int]]:
    """(text, start, end) of each sentence worth scoring."""
    out = []
    for s in split_sentences(item.text, item.language):
        if MIN_CHARS <= len(s.text) <= MAX_CHARS:
            out.append((s.text, s.start, s.end))
    return out


Span = tuple[str, int, int]


def extract_mentions(
    items: Sequence[ItemText],
    model: CheckWorthinessModel,
    *,
    threshold: float | None = None,
    spans: Sequence[list[Span]] | None = None,
) -> list[list[Mention]]:
    """Mentions of each item, in item order; all sentences scored in one batch (fast path).
    ``spans``: the items' ``candidate_sentences``, if the caller has them already."""
    if spans is None:
        spans = [candidate_sentences(item) for item in items]
    texts = [text for item_spans in spans for text, _s, _e in item_spans]
    languages = [
        item.language for item, item_spans in zip(items, spans, strict=True) for _ in item_spans
    ]
    probabilities = model.probabilities(texts, languages)
    out: list[list[Mention]] = []
    k = 0
    from factdesk.detect.signals import find_signals

    for item, item_spans in zip(items, spans, strict=True):
        cut = model.mention_threshold_for(item.language) if threshold is None else threshold
        mentions: list[Mention] = []
        for text, start, end in item_spans:
            p = float(probabilities[k])
            k += 1
            if p >= cut:
                signals = tuple(h.name for h in find_signals(text))
                mentions.append(Mention(text, start, end, round(p, 4), item.language, signals))
        out.append(mentions)
    return out
