"""Text normalisation: one canonical form per meaning, so equal text compares equal.

Vietnamese text reaches us in two tone-mark placements for the open syllables ``oa``, ``oe``
and ``uy``: "hòa / thúy / khỏe" (tone on the first vowel, called *kiểu cũ*, the traditional
style, default of the Unikey/EVKey input methods) and "hoà / thuý / khoẻ" (tone on the second
vowel, *kiểu mới*). The same word in two placements is two different strings, which breaks
de-duplication, search and claim matching. :func:`normalize` rewrites every Vietnamese
syllable to ONE placement: the "hòa / thúy / khỏe" one, because it is the one most current
text uses (about 2 to 1 in the public Vietnamese corpora we measured with
``python bench/text.py --tone-styles``). The rules (applied per syllable, any case):

1. ``qu`` and ``gi`` (before another vowel) belong to the initial consonant: "quý", "già".
2. A vowel with a quality mark (ă â ê ô ơ ư) takes the tone; of two (``ươ``), the second:
   "người", "thuở", "quyền", "hoặc".
3. Otherwise, with a final consonant, the last vowel: "hoàn", "huỳnh", "hoạch".
4. Otherwise (open syllable) three vowels put it on the middle one ("khoái", "khuỷu"), two
   vowels on the first ("hòa", "mùa", "tài"), one vowel on itself.

Only strings that parse as one Vietnamese syllable (known initial, vowel nucleus, final) are
touched, so words of other languages ("café", "día", "José") pass through unchanged.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

__all__ = ["content_hash", "fold", "normalize", "strip_accents"]

# The five Vietnamese tone marks as combining characters: grave, acute, tilde, hook, dot below.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Quality marks that are part of the letter (breve, circumflex, horn).
_QUALITY = frozenset("\u0306\u0302\u031b")
_PLAIN_VOWELS = "aăâeêioôơuưy"
_MODIFIED_VOWELS = frozenset("ăâêôơư")

# Vowel nuclei of Vietnamese syllables (after any "qu"/"gi" initial), without tone.
_NUCLEI = frozenset(
    """a ă â e ê i o ô ơ u ư y
    ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo uâ ua uê ui uô uơ uy ưa ưi ươ ưu yê
    iêu oai oay oeo uây uôi uya uyê uyu ươi ươu yêu""".split()
)
_SYLLABLE = re.compile(
    r"(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnpqrstvx])?"
    r"([aăâeêioôơuưy]+)"
    r"(ch|nh|ng|[cmnpt])?"
)

# Every Vietnamese vowel letter carrying a tone, precomposed, both cases.
_TONED_VOWELS = "".join(
    unicodedata.normalize("NFC", base + tone)
    for base in _PLAIN_VOWELS + _PLAIN_VOWELS.upper()
    for tone in sorted(_TONES)
)
_ALL_VOWELS = _PLAIN_VOWELS + _PLAIN_VOWELS.upper() + _TONED_VOWELS
# Words in which a toned vowel touches another vowel: the only ones a fix can change.
# A word's letters include stray combining marks that NFC could not compose ("Ì" + U+0300),
# so a fix never splits a letter from its marks.
_LETTER = "(?:[^\\W\\d_]|[\u0300-\u036f])"
_CANDIDATE_WORDS = re.compile(
    "(?<![^\\W\\d_])(?<![\u0300-\u036f])"  # starts only at the start of a word
    f"{_LETTER}*(?:[{_ALL_VOWELS}][{_TONED_VOWELS}]|[{_TONED_VOWELS}][{_ALL_VOWELS}]){_LETTER}*"
)

# Invisible characters removed: C0/C1 controls other than whitespace, lone surrogates (they
# would make the text unencodable), and format characters (soft hyphen, zero-width space and
# joiners, bidi controls, word joiner, BOM, interlinear annotation marks).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff"
    "\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb]"
)
# The zero-width joiner is kept only inside emoji sequences (👨‍👩‍👧), where it is meaningful.
_EMOJI = "\u2600-\u27bf\ufe0f\U0001f000-\U0001faff"
_STRAY_ZWJ = re.compile(f"(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])")
# Whitespace runs other than a lone space (the common case is left to the regex engine).
_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85")


def normalize(text: str) -> str:
    """Return the canonical form of ``text`` for storage and display.

    NFC composition, one Vietnamese tone-mark placement (see the module docstring),
    invisible characters removed, whitespace collapsed: a run without a line break becomes
    one space, a run with one line break becomes ``"\\n"``, a run with more becomes
    ``"\\n\\n"`` (paragraphs survive, since sentence splitting and display use them), and
    the ends are stripped. Case and accents are kept. Idempotent.
    """
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
        if "\u200d" in text:
            text = _STRAY_ZWJ.sub("", text)
        text = unicodedata.normalize("NFC", text)
        fixed = _CANDIDATE_WORDS.sub(_fix_match, text)
        if fixed != text:
            # A moved mark may now sit next to a character it composes with.
            text = unicodedata.normalize("NFC", fixed)
    else:
        text = _INVISIBLE.sub("", text)
    return _WHITESPACE.sub(_collapse, text).strip()


def fold(text: str) -> str:
    """Return a comparison key: :func:`normalize`, then case folding and NFKC.

    NFKC maps compatibility forms (ligatures "ﬁ", full-width "１２", superscripts) to their
    plain letters, which matters for text extracted from PDFs and social posts. Accents are
    kept: in Vietnamese they distinguish words ("ma", "má", "mà" ...).
    """
    folded = normalize(text).casefold()
    if unicodedata.is_normalized("NFKC", folded):
        return folded
    # NFKC can introduce characters that casefold or normalize change (spaces, capitals);
    # a second pass reaches the fixpoint, so fold(fold(x)) == fold(x).
    folded = unicodedata.normalize("NFKC", folded)
    return normalize(unicodedata.normalize("NFKC", folded.casefold()))


def content_hash(text: str) -> str:
    """Return the SHA-256 hex digest of :func:`fold` with all whitespace runs as one space.

    Two texts that differ only in case, Unicode form, tone-mark placement, invisible
    characters or spacing get the same hash: this is the de-duplication key of items.
    """
    key = " ".join(fold(text).split())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


_STRIP_MAP = {ord("đ"): "d", ord("Đ"): "D"}


def strip_accents(text: str) -> str:
    """Remove Latin diacritics (all Vietnamese tone and quality marks; đ becomes d).

    Social posts are often typed without accents ("toi di hoc"); comparing stripped forms
    lets them match accented text. Only marks of the Combining Diacritical Marks block are
    removed, so other scripts (Devanagari vowel signs, kana voicing marks) are unharmed.
    Case, spacing and everything else are kept.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_STRIP_MAP))
    return unicodedata.normalize("NFC", _COMBINING_LATIN.sub("", decomposed))


_COMBINING_LATIN = re.compile("[\u0300-\u036f]+")


def _collapse(match: re.Match[str]) -> str:
    run = match.group()
    if run == " ":
        return run
    breaks = sum(1 for ch in run if ch in _LINE_BREAKS) - run.count("\r\n")
    if breaks == 0:
        return " "
    return "\n" if breaks == 1 else "\n\n"


def _fix_match(match: re.Match[str]) -> str:
    return _fix_syllable(match.group())


@lru_cache(maxsize=65536)
def _fix_syllable(word: str) -> str:
    """Move the tone mark of one Vietnamese syllable (NFC, any case) to its canonical vowel.

    Returns ``word`` unchanged when it is not a single Vietnamese syllable with one tone.
    """
    letters: list[str] = []  # NFC letters without tone, original case
    tone: str | None = None
    tone_at = -1
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            if tone is not None or not letters:
                return word  # two tones, or a tone with nothing under it
            tone, tone_at = ch, len(letters) - 1
        elif ch in _QUALITY:
            if not letters:
                return word
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        elif unicodedata.combining(ch):
            return word  # a mark Vietnamese does not use: another language
        else:
            letters.append(ch)
    if tone is None:
        return word
    lower = "".join(letters).lower()
    parsed = _SYLLABLE.fullmatch(lower)
    if parsed is None or parsed.group(2) not in _NUCLEI:
        return word
    initial, nucleus, final = parsed.group(1) or "", parsed.group(2), parsed.group(3)
    target = len(initial) + _tone_position(nucleus, has_final=final is not None)
    if target == tone_at:
        return word
    letters[target] = unicodedata.normalize("NFC", letters[target] + tone)
    return unicodedata.normalize("NFC", "".join(letters))


def _tone_position(nucleus: str, *, has_final: bool) -> int:
    """Index in ``nucleus`` of the vowel that carries the tone (traditional placement)."""
    modified = [i for i, ch in enumerate(nucleus) if ch in _MODIFIED_VOWELS]
    if modified:
        return modified[-1]
    if has_final:
        return len(nucleus) - 1
    if len(nucleus) == 3:
        return 1
    return 0
