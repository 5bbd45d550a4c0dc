"""The tokeniser the lexical index uses, and the words a match shares with its query.

Tokens come from :func:`factdesk.text.analysis.analyze`: each text is analysed by its true
language (Vietnamese syllables plus syllable bigrams, English stems, Snowball stems and stop
words for the languages Snowball covers, Thai and Chinese segmentation, character bigrams or
plain words elsewhere), so a query and the fact-checks in its language are cut the same way.
Every saved index records the tokeniser's name and version; a different one forces a rebuild.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from factdesk.text.analysis import is_stopword

Tokenizer = Callable[[str, str | None], list[str]]
WordTokens = Callable[[str, str | None], frozenset[str]]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def default_tokenizer() -> tuple[str, Tokenizer]:
    """The project's tokeniser and a name identifying it (stored with every index)."""
    from factdesk.text.analysis import ANALYSIS_VERSION, analyze, segmenters

    # the segmenters installed change Thai and Chinese terms, so they are part of the name
    installed = "+".join(sorted(k for k, v in segmenters().items() if "bigrams" not in v))
    return (
        f"factdesk.text.analysis-{ANALYSIS_VERSION}{'+' + installed if installed else ''}",
        analyze,
    )


def word_tokenizer(tokenize: Tokenizer, size: int = 100_000) -> WordTokens:
    """``tokenize`` for single words, memoised: explanations tokenise the same words over
    and over, and a word's tokens never change."""

    @lru_cache(maxsize=size)
    def word_tokens(word: str, language: str | None) -> frozenset[str]:
        return frozenset(tokenize(word, language))

    return word_tokens


def shared_words(
    query_tokens: set[str], text: str, language: str | None, tokenize: WordTokens
) -> list[str]:
    """The words of ``text`` whose tokens occur among the query's tokens, in text order.

    Used to explain a match ("matched: vaccine, infertility"): tokens are stems and syllable
    pairs, unreadable on their own, so each word of the fact-check is tokenised alone and
    shown as written when any of its tokens was in the query (``tokenize`` comes from
    :func:`word_tokenizer`)."""
    found: dict[str, None] = {}
    for word in _WORD.findall(text):
        key = word.lower()
        if key in found or len(key) < 2 or is_stopword(key, language):
            continue
        if tokenize(word, language) & query_tokens:
            found[key] = None
    return list(found)
