"""Shared helpers for the ingestion tests (encodings the stdlib cannot produce directly)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
_QUALITY = "\u0302\u0306\u031b"  # circumflex, breve, horn: precomposed in cp1258


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text as Windows-1258 writes it: base letter (with its quality
    mark when the code page has it precomposed) followed by a combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0] + "".join(m for m in decomposed[1:] if m in _QUALITY)
        tones = "".join(m for m in decomposed[1:] if m not in _QUALITY)
        out += unicodedata.normalize("NFC", base).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
