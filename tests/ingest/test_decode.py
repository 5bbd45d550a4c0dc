from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.errors import ParseError
from factdesk.ingest.decode import declared_charset, decode_text

from .helpers import fixture, to_cp1258

VIETNAMESE = "Bộ Y tế khẳng định thông tin về thuốc chữa bệnh là sai sự thật.\n"
FRENCH = "Le café coûte déjà trop cher à Paris, dit-il — « c'est ça ».\n"


def test_decode_text_utf8_plain() -> None:
    assert decode_text(VIETNAMESE.encode(), where="x") == VIETNAMESE


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_decode_text_bom_wins_over_declaration(bom: bytes, codec: str) -> None:
    data = bom + VIETNAMESE.encode(codec)
    assert decode_text(data, "iso-8859-1", where="x") == VIETNAMESE


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_decode_text_utf16_without_bom_recognised(codec: str) -> None:
    text = "text,date\n" + VIETNAMESE
    assert decode_text(text.encode(codec), where="x") == text


def test_decode_text_declared_charset_used() -> None:
    data = "Привет, мир".encode("koi8-r")
    assert decode_text(data, "koi8-r", where="x") == "Привет, мир"


def test_decode_text_xml_declaration_used() -> None:
    data = b'<?xml version="1.0" encoding="koi8-r"?><a>' + "Привет".encode("koi8-r") + b"</a>"
    assert "Привет" in decode_text(data, where="x")


def test_decode_text_meta_charset_used() -> None:
    data = b'<html><head><meta charset="windows-1251"></head><body>' + "Мир".encode("cp1251")
    assert decode_text(data, where="x").endswith("Мир")


def test_decode_text_utf8_beats_wrong_single_byte_label() -> None:
    data = FRENCH.encode("utf-8")
    assert decode_text(data, "iso-8859-1", where="x") == FRENCH


def test_decode_text_cp1258_undeclared_is_recognised() -> None:
    assert decode_text(to_cp1258(VIETNAMESE), where="x") == VIETNAMESE


def test_decode_text_cp1258_declared_as_cp1252_is_recognised() -> None:
    assert decode_text(to_cp1258(VIETNAMESE), "windows-1252", where="x") == VIETNAMESE


def test_decode_text_cp1252_undeclared_stays_western() -> None:
    assert decode_text(FRENCH.encode("cp1252"), where="x") == FRENCH


def test_decode_text_italian_cp1252_not_mistaken_for_vietnamese() -> None:
    italian = "Però la città è così bella, perché no? Sarò lì.\n"
    assert decode_text(italian.encode("cp1252"), where="x") == italian


def test_decode_text_mixed_lines_decoded_line_by_line() -> None:
    data = VIETNAMESE.encode("utf-8") + FRENCH.encode("cp1252") + "Ngày mai trời mưa.\n".encode()
    assert decode_text(data, where="x") == VIETNAMESE + FRENCH + "Ngày mai trời mưa.\n"


def test_decode_text_refuses_utf7_label() -> None:
    data = b"+ADw-script+AD4-"
    assert decode_text(data, "utf-7", where="x") == "+ADw-script+AD4-"


def test_decode_text_binary_raises_parse_error_naming_where() -> None:
    with pytest.raises(ParseError) as err:
        decode_text(bytes(range(32)) * 20, where="upload.bin")
    assert err.value.where == "upload.bin"


def test_decode_text_empty_is_empty() -> None:
    assert decode_text(b"", where="x") == ""


def test_declared_charset_reads_xml_and_meta() -> None:
    assert declared_charset(b'<?xml version="1.0" encoding="ISO-8859-1"?>') == "ISO-8859-1"
    assert (
        declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">')
        == "utf-8"
    )
    assert declared_charset(b"<html></html>") is None


def test_decode_text_misdeclared_feed_fixture() -> None:
    text = decode_text(fixture("rss2_cp1258_declared_utf8.xml"), where="feed")
    assert "Hà Nội" in text and "Điện" in text


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400),
    st.sampled_from([None, "utf-8", "latin-1", "cp1258", "utf-16", "bogus", "utf-7"]),
)
def test_decode_text_any_bytes_gives_text_or_parse_error(data: bytes, declared: str | None) -> None:
    try:
        text = decode_text(data, declared, where="x")
    except ParseError:
        return
    assert isinstance(text, str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_decode_text_round_trips_utf8_text(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    try:
        decoded = decode_text(data, where="x")
    except ParseError:
        return  # text made mostly of control characters
    surrogates = any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc")
    if not surrogates and controls <= len(text) // 10:  # text, not control characters
        assert decoded == text.removeprefix("\ufeff")
