"""Text basics every stage shares, Vietnamese and English first.

- :mod:`~factdesk.text.langid`: which language an item or query is in: among the desk's
  languages (lingua restricted, with a Vietnamese fast path), or a record's true language
  (declared, else identified among every language lingua knows).
- :mod:`~factdesk.text.normalize`: one canonical form per text (NFC, one Vietnamese
  tone-mark placement, no invisible characters), comparison keys and the de-duplication hash.
- :mod:`~factdesk.text.sentences`: sentence splitting with offsets into the original text.
- :mod:`~factdesk.text.tokenize`: search terms for BM25 (syllables and bigrams for
  Vietnamese, stems for English, character bigrams for scripts without spaces).

Plain functions over strings: no I/O beyond loading lingua's and the stemmer's packaged
models, no state other than caches.
"""

from factdesk.text.langid import (
    DEFAULT_LANGUAGES,
    declared_language,
    detect_language,
    detect_languages_batch,
    identify_language,
    identify_languages_batch,
    supported_languages,
)
from factdesk.text.normalize import content_hash, fold, normalize, strip_accents
from factdesk.text.sentences import Sentence, split_sentences
from factdesk.text.tokenize import tokenize, tokenize_many

__all__ = [
    "DEFAULT_LANGUAGES",
    "Sentence",
    "content_hash",
    "declared_language",
    "detect_language",
    "detect_languages_batch",
    "fold",
    "identify_language",
    "identify_languages_batch",
    "normalize",
    "split_sentences",
    "strip_accents",
    "supported_languages",
    "tokenize",
    "tokenize_many",
]
