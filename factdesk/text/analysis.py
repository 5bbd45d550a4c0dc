"""Lexical analysis for BM25 in any language: which terms a text becomes, by its true language.

Vietnamese and English keep :func:`factdesk.text.tokenize.tokenize` exactly (syllables and
syllable bigrams; English stop words and stems): nothing measured there moves. Every other
language starts from the same folding and the same word/number/acronym tokens, then:

* **stemming**, for every language the Snowball project covers (PyStemmer, installed with
  factdesk), each word giving its stem *and*, when different, the word as written (the
  rarer surface form still ranks an exact wording first, as Vietnamese accent twins do;
  stems alone cost 0.02–0.04 MAP@5 on the sanity set's exact-wording queries, twins nothing
  but Arabic's 0.02): Arabic, Armenian, Basque, Catalan, Czech, Danish, Dutch, Esperanto, Estonian,
  Finnish, French, German, Greek, Hindi, Hungarian, Indonesian (also used for Malay, which
  shares its affixes: meN-, di-, ber-, -kan, -an), Irish, Italian, Lithuanian, Nepali,
  Norwegian, Persian, Polish, Portuguese, Romanian, Russian, Serbian, Sesotho, Spanish,
  Swedish, Tamil, Turkish, Yiddish;
* **stop words**: a short list of function words per language for the languages most seen
  on the desk (:data:`STOPWORDS`; written for factdesk: articles, pronouns, prepositions,
  conjunctions, auxiliaries; negations such as "nicht", "pas", "tidak" never). They are
  *kept* in the index: dropping them cost 0.02–0.03 MAP@5 on the sanity set (es, nl) and
  BM25's IDF already gives them little weight; :func:`is_stopword` keeps them out of a
  match's explanation. Packaged lists (stopwords-iso) were looked at and not used: they
  hold content words a claim needs ("kerajaan", government, in Malay; "jahr" in German);
* **word segmentation** of scripts written without spaces, whatever the text's language:
  Thai by PyThaiNLP's dictionary segmenter ``newmm`` and Chinese by jieba, when the
  ``languages`` extra is installed (both offline, dictionaries inside the wheels); without
  them, and always for Japanese, Khmer, Lao and Myanmar, overlapping character bigrams;
* **fallback** for every other language (Korean, Tagalog, Ukrainian ...): the folded words,
  and for Hangul words their character bigrams as well, since Korean glues particles to
  nouns ("백신은", "백신이").

:func:`analysis_name` names the analysis a language gets; a query and a fact-check analysed
the same way share terms, and :func:`analyze` is what the search index calls.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from collections.abc import Callable
from functools import cache, lru_cache

import Stemmer

from factdesk.text.normalize import fold
from factdesk.text.tokenize import (
    EN_STOPWORDS,
    TOKEN_PATTERN,
    TOKENIZER_VERSION,
    VI_STOPWORDS,
    acronym,
    number,
    tokenize,
)

__all__ = [
    "ANALYSIS_VERSION",
    "STEMMERS",
    "STOPWORDS",
    "analysis_name",
    "analyze",
    "clean_post",
    "is_stopword",
    "language_family",
    "segmenters",
]

# Bump whenever the terms produced for some text change (indexes store it and rebuild).
ANALYSIS_VERSION = f"{TOKENIZER_VERSION}.1"

# ISO 639-1 code -> Snowball algorithm (PyStemmer's names). "ms" uses the Indonesian stemmer.
STEMMERS: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "eo": "esperanto", "et": "estonian", "fi": "finnish",
    "fr": "french", "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian",
    "id": "indonesian", "ms": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "hr": "serbian", "bs": "serbian",
    "nn": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "st": "sesotho", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip

# Codes that name one written language as far as matching goes: an identifier cannot tell
# Malay from Indonesian (or Bokmål from Nynorsk, Croatian from Bosnian and Latin-script
# Serbian) on a short post, and a post and a fact-check split that way share most words.
FAMILIES: dict[str, str] = {
    "id": "ms", "nb": "no", "nn": "no", "hr": "sr", "bs": "sr", "fil": "tl",
}  # fmt: skip

_STOP_TEXT = {
    "de": """der die das den dem des ein eine einer eines einem einen und oder aber auch als
        am an auf aus bei bis durch für gegen im in ins mit nach über um unter von vor zu zum
        zur ist sind war waren wird werden wurde wurden hat haben hatte sein seine ihr ihre
        es er sie wir ich du man sich dass daß so wie wenn noch nur schon dieser diese dieses
        diesem diesen jetzt hier da denn doch""",
    "fr": """le la les l un une des du de d au aux et ou mais donc car ni que qu qui quoi dont
        où ce cet cette ces c se s sa son ses leur leurs il elle ils elles on nous vous je j
        tu me m te t lui y en dans sur sous par pour avec sans chez est sont était été être a
        ont avait avoir fait plus très aussi comme si tout tous toute toutes""",
    "es": """el la los las lo un una unos unas y e o u pero que qué quien de del al a en con
        por para sin sobre entre es son era fue fueron ser está están estaba ha han había se
        su sus le les me te nos os mi tu él ella ellos ellas este esta estos estas ese esa
        esos esas como más muy también ya""",
    "pt": """o a os as um uma uns umas e ou mas que de do da dos das em no na nos nas ao aos
        à às por pelo pela pelos pelas para com sem sobre entre é são era foi foram ser está
        estão estava tem têm tinha há se seu sua seus suas lhe lhes me te ele ela eles elas
        este esta estes estas esse essa esses essas isso isto como mais muito também já""",
    "it": """il lo la i gli le l un uno una un' e ed o ma che chi di del dello della dei degli
        delle a al allo alla ai agli alle da dal dalla dai in nel nella nei con su sul sulla
        per tra fra è sono era erano stato stata essere ha hanno aveva si suo sua suoi sue
        lui lei loro questo questa questi queste quello quella come più molto anche già""",
    "nl": """de het een en of maar dat die dit deze van in op aan met voor door bij uit over
        naar tot om als is zijn was waren wordt worden werd werden heeft hebben had hij zij
        ze wij we ik je u hun haar zich er ook nog al dan wel zo""",
    "ms": """yang dan di ke dari untuk dengan pada ini itu adalah ialah akan telah sudah
        oleh dalam atau juga kepada bagi sebagai sebuah seorang para ia dia mereka kami
        kita saya anda nya lah pun""",
    "id": """yang dan di ke dari untuk dengan pada ini itu adalah ialah akan telah sudah
        oleh dalam atau juga kepada bagi sebagai sebuah seorang para ia dia mereka kami
        kita saya anda nya lah pun""",
    "ru": """и в во на с со к ко по за из от до у о об а но или что как это этот эта эти
        тот та те то же бы ли он она оно они мы вы я его её их ему ей им был была было были
        быть есть уже ещё""",
    "tr": """ve ile bir bu şu o da de için gibi ama veya ya ki mi mı mu mü daha çok en her
        olan olarak""",
}
STOPWORDS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _STOP_TEXT.items()}

_THAI = re.compile(r"[\u0e00-\u0e7f]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")

_local = threading.local()


def language_family(language: str | None) -> str | None:
    """The code standing for ``language``'s family (:data:`FAMILIES`), else its own code:
    a match is cross-lingual only when the families differ."""
    if not language:
        return None
    code = language.lower().split("-", 1)[0]
    return FAMILIES.get(code, code)


def analysis_name(language: str | None) -> str:
    """The analysis a text in ``language`` gets: ``vi``, ``en``, ``snowball-<algorithm>``
    or ``plain`` (folded words; segmentation of unspaced scripts applies in every case)."""
    code = (language or "").lower()[:2]
    if code in ("vi", "en"):
        return code
    if code in STEMMERS:
        return f"snowball-{STEMMERS[code]}"
    return "plain"


def analyze(text: str, language: str | None = None) -> list[str]:
    """The BM25 terms of ``text`` in ``language`` (ISO 639-1, or None when unknown)."""
    code = (language or "").lower()[:2]
    if code in ("vi", "en"):
        return tokenize(text, code)
    stem = _stemmer(STEMMERS[code]).stemWord if code in STEMMERS else None
    out: list[str] = []
    for m in TOKEN_PATTERN.finditer(fold(text)):
        kind = m.lastgroup
        if kind == "acronym":
            out.append(acronym(m.group()))
        elif kind == "num":
            out.append(number(m.group()))
        elif kind == "nospace":
            out.extend(_segment(m.group()))
        else:
            word = m.group()
            if stem is not None:
                stemmed = stem(word)
                out.append(stemmed)
                if stemmed != word:
                    out.append(word)
            elif _HANGUL.match(word) and len(word) > 2:
                out.append(word)
                out.extend(_bigrams(word))
            else:
                out.append(word)
    return out


analyze.version = ANALYSIS_VERSION  # type: ignore[attr-defined]


def is_stopword(word: str, language: str | None) -> bool:
    """Whether a folded word is a function word of ``language`` (English and Vietnamese
    use the tokeniser's own lists)."""
    code = (language or "").lower()[:2]
    if code == "en":
        return word in EN_STOPWORDS
    if code == "vi":
        return word in VI_STOPWORDS
    return word in STOPWORDS.get(code, ())


def segmenters() -> dict[str, str]:
    """Which segmenter each unspaced script uses here (for the index's tokeniser name and
    status output); looks for the packages without importing them (they load on first use)."""
    thai = importlib.util.find_spec("pythainlp") is not None
    chinese = importlib.util.find_spec("jieba") is not None
    return {
        "thai": "pythainlp newmm" if thai else "character bigrams",
        "chinese": "jieba" if chinese else "character bigrams",
        "japanese, khmer, lao, myanmar": "character bigrams",
    }


def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    """One stemmer per algorithm and thread: PyStemmer's objects are not thread-safe."""
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(algorithm)
    if stemmer is None:
        stemmer = stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return stemmer


def _segment(run: str) -> list[str]:
    """Words of a run of unspaced script: a segmenter for a run wholly Thai or wholly
    Chinese when the ``languages`` extra is installed, else character bigrams."""
    found = _optional_segmenters()
    if "thai" in found and _THAI.fullmatch(run):
        # NFKC (in fold) splits SARA AM into NIKHAHIT + SARA AA; the dictionary spells it whole
        return [w for w in found["thai"](run.replace("\u0e4d\u0e32", "\u0e33")) if w.strip()]
    if "chinese" in found and _HAN.fullmatch(run):
        return [w for w in found["chinese"](run) if w.strip()]
    return _bigrams(run)


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


@cache
def _optional_segmenters() -> dict[str, Callable[[str], tuple[str, ...]]]:
    """The installed segmenters (the ``languages`` extra), loaded once."""
    found: dict[str, Callable[[str], tuple[str, ...]]] = {}
    if importlib.util.find_spec("pythainlp") is not None:
        from pythainlp.tokenize import word_tokenize

        @lru_cache(maxsize=65536)
        def thai(run: str) -> tuple[str, ...]:
            return tuple(word_tokenize(run, engine="newmm", keep_whitespace=False))

        found["thai"] = thai
    if importlib.util.find_spec("jieba") is not None:
        import jieba

        jieba.setLogLevel(logging.WARNING)

        @lru_cache(maxsize=65536)
        def chinese(run: str) -> tuple[str, ...]:
            return tuple(jieba.lcut(run))

        found["chinese"] = chinese
    return found


_URL = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_HASH = re.compile(r"(?<!\w)#(\w)")
_EMBED_TAIL = re.compile(r"\s*[—–-]\s*[^\n()]{0,80}\(@\w+\)\s+\w+ \d{1,2}, \d{4}\s*$")


def clean_post(text: str) -> str:
    """A social post as meaning, without its platform noise: links, @handles and a tweet
    embed's "— Name (@handle) Month D, YYYY" tail dropped, "#" taken off hashtags (the word
    stays), and repeated lines (text read off an image often repeats a caption or a
    watermark) kept once. Whitespace is collapsed."""
    text = _EMBED_TAIL.sub("", text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = _HASH.sub(r"\1", text)
    seen: set[str] = set()
    lines: list[str] = []
    for line in text.splitlines():
        key = " ".join(fold(line).split())
        if key and key not in seen:
            seen.add(key)
            lines.append(" ".join(line.split()))
    return "\n".join(lines)
