"""Shouted text written back in sentence case, for the encoder.

Posts often carry the text of an attached image, and OCR reads a meme's caption as it is
printed: in capitals ("VACCINES CONTAIN MICROCHIPS"). Capitals are cheap for BM25 (every
analysis folds case) but not for the multilingual encoder: its sub-word vocabulary splits a
capitalised word into pieces it rarely saw in training, and the vector drifts. Measured on
the multilingual sanity set (dense alone, MAP@5, the same queries in capitals and as
written): English 0.853 → 0.760, Spanish 0.778 → 0.567, Dutch 0.786 → 0.546, Vietnamese
posts against English fact-checks 0.503 → 0.172; written back in sentence case they recover
to 0.842, 0.736, 0.777 and 0.494 (docs/matching.md, "Text read off images").

Only *runs* of shouted words are touched: at least :data:`MIN_RUN` words of two or more
letters in a row with no lower-case letter. One or two capitalised words in a sentence are
acronyms or emphasis ("WHO says", "this is NOT true") and stay as written. Scripts without
case (Arabic, Thai, Chinese ...) never form a run. Pure: text in, text out.
"""

from __future__ import annotations

import re

__all__ = ["MIN_RUN", "recase_shouting"]

MIN_RUN = 3  # shouted words (of 2+ letters) in a row before a run is taken for OCR/caps text

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# a letter that starts a sentence inside a run: after . ! ? … and the spaces that follow
_SENTENCE_START = re.compile(r"([.!?…]\s+)([^\W\d_])")


def recase_shouting(text: str) -> str:
    """``text`` with every run of shouted words in sentence case: lower case, each sentence
    of the run starting with a capital. Text without such a run comes back unchanged."""
    spans: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        if sum(len(m.group()) >= 2 for m in run) >= MIN_RUN:
            spans.append((run[0].start(), run[-1].end()))
        run.clear()

    for match in _WORD.finditer(text):
        if match.group().isupper():  # cased letters, none of them lower case
            run.append(match)
        else:  # a lower-case word, or a word of a script without case
            close()
    close()
    if not spans:
        return text
    out: list[str] = []
    at = 0
    for start, end in spans:
        out.append(text[at:start])
        out.append(_sentence_case(text[start:end]))
        at = end
    out.append(text[at:])
    return "".join(out)


def _sentence_case(span: str) -> str:
    # Python lowers Turkish "İ" to "i" + a combining dot above; the dot only misleads
    lowered = span.lower().replace("i\u0307", "i")
    lowered = lowered[:1].upper() + lowered[1:]
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), lowered)
