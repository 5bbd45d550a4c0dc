"""Bytes to text, for documents whose encoding is declared wrongly, partly or not at all.

Order of evidence, strongest first:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. the charset the caller declares (an HTTP ``Content-Type`` header), then the one the
   document declares about itself (``<?xml encoding=...?>``, ``<meta charset=...>``);
3. UTF-16 without a BOM when the byte pattern shows it (NUL in every other byte), then
   strict UTF-8;
4. line by line: every line that is valid UTF-8 stays UTF-8, every other line is decoded with
   the legacy Windows code page that fits the bytes best — cp1258 (Vietnamese, tone marks as
   combining characters) or cp1252 (Western European) — and latin-1 for bytes neither
   defines. This repairs the common "mostly UTF-8 with a few pasted cp1252 lines" file
   without failing the whole document.

Every candidate must pass a sanity check (few control characters, no replacement
characters); when nothing does, the input is not text and :class:`ParseError` says so.

Two deliberate departures from a literal reading of the declarations, because real feeds
get them wrong: a declared single-byte charset (latin-1, cp1252...) loses to UTF-8 when the
bytes are valid UTF-8 with non-ASCII characters (the classic mojibake source), and a
declared latin-1/cp1252 document whose bytes read as Vietnamese is decoded as cp1258.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from typing import IO

from factdesk.errors import ParseError

__all__ = ["decode_lines", "decode_text", "declared_charset"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Codecs a document may not choose: not text encodings for our purpose, or dangerous
# (UTF-7 smuggles markup past filters).
_REFUSED = frozenset(
    {"utf-7", "undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"}
)
# Single-byte codecs where valid non-ASCII UTF-8 bytes almost certainly mean a wrong label.
_WESTERN = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252", "cp1258", "iso8859-15"})

_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE
)
# Control characters text should not contain (C0 except tab/newlines/form feed, DEL, C1)
# and the replacement character: their share tells text from binary.
_SUSPICIOUS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_MAX_SUSPICIOUS_SHARE = 0.02

# Bytes where cp1258 and cp1252 differ: the Vietnamese letters and combining tone marks.
_VI_LETTERS = frozenset("ăĂđĐơƠưƯ₫")
_VI_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VI_VOWELS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_VI_EVIDENCE = re.compile("[\u0300\u0301\u0303\u0309\u0323ăĂđĐơƠưƯ₫]")


def decode_text(data: bytes, declared: str | None = None, *, where: str) -> str:
    """Decode ``data`` to text, trying the evidence in the order the module docstring gives.

    ``declared`` is the charset from outside the document (an HTTP header); ``where`` names
    the input in the :class:`ParseError` raised when no decoding gives sensible text.
    """
    if not data:
        return ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            if _sensible(text):
                return text
            raise ParseError(
                f"not text: undecodable {codec} after its byte-order mark", where=where
            )

    for label in (declared, declared_charset(data)):
        usable = _usable_codec(label, data)
        if usable is None:
            continue
        decoded = _try_declared(data, usable)
        if decoded is not None:
            return decoded

    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None and _sensible(utf8):
        return utf8  # readable UTF-8 wins over any guess
    wide = _utf16_without_bom(data)
    if wide is not None:
        return wide
    if utf8 is not None:
        raise ParseError("not text: too many control characters", where=where)

    text = _decode_lines(data)
    if _sensible(text):
        return text
    raise ParseError("not text: no encoding gives readable characters", where=where)


def decode_lines(handle: IO[bytes], *, where: str) -> Iterator[str]:
    """Decode an export line by line: UTF-8 where it is, the decoder's guess (Windows-1258
    Vietnamese, Windows-1252, ...) for a line that is not, so one legacy line in a UTF-8 file
    is repaired instead of garbling the whole file. UTF-16 files are decoded whole."""
    head = handle.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        yield from decode_text(head + handle.read(), where=where).splitlines(keepends=True)
        return
    handle.seek(0)
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield decode_text(raw, where=f"{where} line {number}")


def declared_charset(data: bytes) -> str | None:
    """The charset a document declares about itself in its first kilobyte, if any."""
    head = data[:1024]
    match = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _usable_codec(label: str | None, data: bytes) -> str | None:
    """The Python codec name for a declared label, or None when it cannot apply."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    name = info.name.replace("_", "-")
    if name in _REFUSED or not getattr(info, "_is_text_encoding", True):
        return None
    if name.startswith(("utf-16", "utf-32")) and b"\x00" not in data[:4096]:
        return None  # a label read as ASCII cannot be right about a 16/32-bit encoding
    return name


def _try_declared(data: bytes, codec: str) -> str | None:
    if codec in _WESTERN:
        try:
            as_utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not as_utf8.isascii() and _sensible(as_utf8):
                return as_utf8
        if codec in ("iso8859-1", "cp1252"):
            codec = _legacy_codec(data)
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None
    if codec == "cp1258":
        text = unicodedata.normalize("NFC", text)
    return text if _sensible(text) else None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text some Windows tools write without a BOM: every other byte is zero for
    Latin text, so one byte parity is mostly NUL and the other almost never."""
    sample = data[:4096]
    # A few bytes cannot tell UTF-16 from control characters: guess only on real text.
    if len(sample) < 32 or sample.count(0) < len(sample) // 5:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zeros, odd_zeros = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zeros > 0.3 and even_zeros < 0.05:
        codec = "utf-16-le"
    elif even_zeros > 0.3 and odd_zeros < 0.05:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return text if _sensible(text) else None


def _decode_lines(data: bytes) -> str:
    """UTF-8 where a line is valid UTF-8, the best legacy code page elsewhere."""
    lines = data.splitlines(keepends=True)
    decoded: list[str | None] = []
    legacy: list[bytes] = []
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(None)
            legacy.append(line)
    codec = _legacy_codec(b"".join(legacy))
    out = []
    for line, text in zip(lines, decoded, strict=True):
        out.append(text if text is not None else _legacy_decode(line, codec))
    return "".join(out)


def _legacy_decode(line: bytes, codec: str) -> str:
    try:
        text = line.decode(codec)
    except UnicodeDecodeError:
        # A byte the code page leaves undefined: take it as latin-1, which maps every byte.
        table = _TABLES[codec]
        text = "".join([table[b] for b in line])
    return unicodedata.normalize("NFC", text) if codec == "cp1258" else text


def _byte_table(codec: str) -> tuple[str, ...]:
    return tuple(
        bytes([b]).decode(codec, errors="replace").replace("\ufffd", chr(b)) for b in range(256)
    )


_TABLES = {codec: _byte_table(codec) for codec in ("cp1252", "cp1258")}


def _legacy_codec(data: bytes) -> str:
    """cp1258 when the bytes where it differs from cp1252 read as Vietnamese, else cp1252.

    In Vietnamese text the combining tone marks of cp1258 follow a vowel and ă đ ơ ư are
    frequent; in Western text the same bytes are letters such as ò ì ã õ after consonants.
    """
    text = data.decode("cp1258", errors="replace")
    vietnamese = western = tones = 0
    for match in _VI_EVIDENCE.finditer(text):
        ch, start = match.group(), match.start()
        if ch not in _VI_TONES:
            vietnamese += 1
        elif start and text[start - 1] in _VI_VOWELS:
            vietnamese += 1
            tones += 1
        else:
            western += 1
    return "cp1258" if tones and vietnamese > 2 * western else "cp1252"


def _sensible(text: str) -> bool:
    """True when ``text`` reads as text: control and replacement characters are rare."""
    if text.isascii() and text.isprintable():
        return True
    bad = len(_SUSPICIOUS.findall(text))
    return bad == 0 or bad <= len(text) * _MAX_SUSPICIOUS_SHARE
