"""Tokenisation for lexical (BM25) search, per language.

All languages start from :func:`~factdesk.text.normalize.fold`, so case, Unicode form and
Vietnamese tone-mark placement never split one word into two terms. Then:

- **vi**: Vietnamese writes one syllable per space-separated unit and builds words from
  several syllables ("thành phố", "kinh tế"), so the terms are the syllables plus the
  bigrams of adjacent syllables joined with "_" ("thành_phố"). Bigrams recover most of what
  a word segmenter gives, at a fraction of the cost and with no model. Each syllable and
  bigram with accents is also emitted without them ("thanh", "thanh_pho"): posts typed
  without accents, and queries typed that way, then still meet accented text. The
  accented term is rarer than its stripped twin, so an accented query still ranks exact
  matches first. A small list of function syllables ("của", "và", "là" ...) is dropped as
  unigrams (never from bigrams, where they carry phrase meaning) unless ``stopwords=False``.
- **en**: words, a small stop list (negations such as "not" and "no" are kept: they matter
  to claims), then the Snowball English stemmer (PyStemmer).
- **anything else**: folded words; runs of scripts written without spaces (Chinese,
  Japanese, Thai, Lao, Khmer, Myanmar) become overlapping character bigrams.

Numbers are one term with grouping removed and a "." decimal point: "1,000", "1.000" and
"1000" are all "1000"; "3,5" and "3.5" are "3.5"; "1.234,5" and "1,234.5" are "1234.5".
A single separator followed by exactly three digits is read as grouping in every language
(Vietnamese writes thousands with ".", English with ","; "1.000" meaning one is rare).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import Stemmer

from factdesk.text.normalize import fold, strip_accents

__all__ = ["TOKENIZER_VERSION", "tokenize", "tokenize_many"]

# Bump whenever the terms produced for some text change: search indexes store it and
# rebuild when it differs (factdesk.search.tokens reads ``tokenize.version``).
TOKENIZER_VERSION = "1"

# Scripts written without spaces between words.
_NO_SPACE = (
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u309f\u30a0-\u30ff"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)


def _combining_marks() -> str:
    """A regex class body of the BMP's combining marks (Mn, Mc, Me), as ranges.

    Python's ``\\w`` does not match them, which would cut Devanagari or Bengali words at
    every vowel sign; listing them keeps such words whole.
    """
    ranges: list[list[int]] = []
    for cp in range(0x0300, 0x10000):
        if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<acronym>(?:[^\W\d_]\.){2,})"
    rf"|(?P<nospace>[{_NO_SPACE}]+)"
    rf"|(?P<word>[^\W\d_{_NO_SPACE}](?:[^\W\d_{_NO_SPACE}]|[{_combining_marks()}])*)"
)
_SEPARATOR = re.compile(r"[.,]")

_VI_STOP = frozenset(
    """và của là có các những được cho này đã với thì mà trong khi để một cũng đang sẽ bị nên
    vì đó từ tại theo như lại ra vào về rất hay hoặc nếu rằng thế nhé ạ à ơi nhỉ""".split()
)
_EN_STOP = frozenset(
    """a an the and or of to in on at for with by from as is are was were be been being it
    its this that these those he she they we you i his her their our your my me him them
    do does did has have had will would shall should can could may might must there here
    than then so if but about into over also which who whom what when where why how all any
    some such s t ll re ve d m""".split()
)

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """One English stemmer per thread: PyStemmer's objects keep a cache and are not thread-safe."""
    stemmer: Stemmer.Stemmer | None = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("english")
        _local.stemmer = stemmer
    return stemmer


def tokenize(
    text: str,
    language: str | None = None,
    *,
    stopwords: bool = True,
    accentless: bool = True,
) -> list[str]:
    """Return the search terms of ``text`` in order of appearance (deterministic).

    ``language`` is an ISO 639-1 code ("vi", "en", "vi-VN" ...) or None when unknown.
    ``stopwords=False`` keeps stop words; ``accentless=False`` turns off the accent-stripped
    twins of Vietnamese terms. Index and query must be tokenised with the same options.
    """
    code = (language or "").lower()[:2]
    if code == "vi":
        return _vietnamese(fold(text), stopwords=stopwords, accentless=accentless)
    if code == "en":
        return _english(fold(text), stopwords=stopwords)
    return _generic(fold(text))


tokenize.version = TOKENIZER_VERSION  # type: ignore[attr-defined]


def tokenize_many(
    texts: Sequence[str],
    languages: Sequence[str | None] | str | None = None,
    *,
    stopwords: bool = True,
    accentless: bool = True,
) -> list[list[str]]:
    """:func:`tokenize` over many texts; ``languages`` is one code for all, or one per text."""
    if languages is None or isinstance(languages, str):
        codes: Sequence[str | None] = [languages] * len(texts)
    else:
        codes = languages
        if len(codes) != len(texts):
            raise ValueError(f"tokenize_many: {len(texts)} texts but {len(codes)} languages")
    return [
        tokenize(text, code, stopwords=stopwords, accentless=accentless)
        for text, code in zip(texts, codes, strict=True)
    ]


def _vietnamese(folded: str, *, stopwords: bool, accentless: bool) -> list[str]:
    out: list[str] = []
    append = out.append
    previous: str | None = None  # the term before, if a bigram may join it
    previous_bare = ""
    previous_end = -1
    for m in _TOKEN.finditer(folded):
        kind = m.lastgroup
        if kind == "nospace":
            out.extend(_char_bigrams(m.group()))
            previous = None
            continue
        if kind == "word":
            term = m.group()
            bare = _stripped(term) if accentless else term
        else:
            term = bare = _number(m.group()) if kind == "num" else _acronym(m.group())
        if not (stopwords and term in _VI_STOP):
            append(term)
            if bare != term:
                append(bare)
        start = m.start()
        if previous is not None and (start == previous_end or folded[previous_end:start].isspace()):
            append(f"{previous}_{term}")
            if bare != term or previous_bare != previous:
                append(f"{previous_bare}_{bare}")
        previous, previous_bare, previous_end = term, bare, m.end()
    return out


_NEGATION = re.compile(r"\b(\w+?)n['’]t\b")
_IRREGULAR_NEGATION = {"ca": "can", "wo": "will", "sha": "shall"}


def _expand_negations(folded: str) -> str:
    """ "isn't" -> "is not", "won't" -> "will not": the negation survives as a term."""
    return _NEGATION.sub(lambda m: f"{_IRREGULAR_NEGATION.get(m.group(1), m.group(1))} not", folded)


def _english(folded: str, *, stopwords: bool) -> list[str]:
    out: list[str] = []
    if "n't" in folded or "n’t" in folded:
        folded = _expand_negations(folded)
    for m in _TOKEN.finditer(folded):
        kind = m.lastgroup
        if kind == "acronym":
            out.append(_acronym(m.group()))
        elif kind == "num":
            out.append(_number(m.group()))
        elif kind == "nospace":
            out.extend(_char_bigrams(m.group()))
        else:
            word = m.group()
            if not (stopwords and word in _EN_STOP):
                out.append(_stemmer().stemWord(word))
    return out


def _generic(folded: str) -> list[str]:
    out: list[str] = []
    for m in _TOKEN.finditer(folded):
        kind = m.lastgroup
        if kind == "acronym":
            out.append(_acronym(m.group()))
        elif kind == "num":
            out.append(_number(m.group()))
        elif kind == "nospace":
            out.extend(_char_bigrams(m.group()))
        else:
            out.append(m.group())
    return out


def _char_bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


@lru_cache(maxsize=65536)
def _stripped(term: str) -> str:
    return strip_accents(term)


def _number(raw: str) -> str:
    """One canonical spelling per number: grouping removed, "." as the decimal point."""
    seps = _SEPARATOR.findall(raw)
    if not seps:
        return raw
    parts = _SEPARATOR.split(raw)
    if len(set(seps)) == 1:
        if _grouped(parts):
            return "".join(parts)  # 1.000.000 / 1,000,000 / 1.000
        if len(seps) == 1:
            return f"{parts[0]}.{parts[1]}"  # 3.5 / 3,5
        return ".".join(parts)  # a date or version: 2.9.2023
    group, decimal = seps[:-1], seps[-1]
    if len(set(group)) == 1 and group[0] != decimal and _grouped(parts[:-1]):
        return f"{''.join(parts[:-1])}.{parts[-1]}"  # 1,234.5 / 1.234,5
    return ".".join(parts)


def _grouped(parts: list[str]) -> bool:
    """Whether digit groups read as thousands grouping: "1", "000", "000" (not "0", "001")."""
    head = parts[0]
    return len(head) <= 3 and head[0] != "0" and all(len(p) == 3 for p in parts[1:])


def _acronym(raw: str) -> str:
    """ "u.s." -> "us": the dotted and the plain spelling become one term."""
    return raw.replace(".", "")


# The word/number/acronym/unspaced-run scanner and the canonical spellings, shared with the
# per-language analysis of :mod:`factdesk.text.analysis` (one way to cut text everywhere).
TOKEN_PATTERN = _TOKEN
EN_STOPWORDS = _EN_STOP
VI_STOPWORDS = _VI_STOP
number = _number
acronym = _acronym
