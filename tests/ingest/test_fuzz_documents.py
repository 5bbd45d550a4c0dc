"""Fuzzing the evidence library's document reader, PDF first: valid PDFs with random text,
the same with bytes flipped, cut or spliced, and any bytes. Only InputError escapes (pypdf's
own errors become ParseError naming the file)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from factdesk.errors import InputError
from factdesk.ingest.documents import kind_of, read_document
from tests.ingest.fuzzing import BUDGETS, TEXT, run
from tests.pdfgen import make_pdf

LIMIT = 2_000_000


@st.composite
def damaged_pdfs(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(TEXT.map(lambda t: t.encode("latin-1", "replace").decode("latin-1")),
                          max_size=4))  # fmt: skip
    title = draw(
        st.one_of(st.none(), TEXT.map(lambda t: t.encode("latin-1", "replace").decode("latin-1")))
    )
    data = bytearray(make_pdf(lines, title))
    for _ in range(draw(st.integers(0, 4))):
        how = draw(st.sampled_from(["flip", "cut", "splice", "none"]))
        if how == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        elif how == "cut":
            data = data[: draw(st.integers(0, len(data)))]
        elif how == "splice":
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.sampled_from([b"<<", b">>", b"/Length 999999", b"stream\n",
                                                b"endobj", b"1 0 R", b"\x00" * 8, b"9 0 obj"]))  # fmt: skip
    return bytes(data)


def _check(data: bytes, kind: str = "pdf") -> None:
    try:
        found = read_document(data, name="fuzz.pdf", kind=kind, max_bytes=LIMIT)
    except InputError as exc:
        assert exc.message.strip() and (exc.where or "").startswith("fuzz.pdf")
        return
    assert found.text.strip()


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_pdf_damaged(profile: str) -> None:
    run(profile, damaged_pdfs(), _check)


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_documents_any_bytes(profile: str) -> None:
    def check(data: bytes) -> None:
        _check(b"%PDF-1.4\n" + data)
        for name in ("fuzz.pdf", "fuzz.html", "fuzz.txt", "fuzz.csv", "fuzz.md"):
            try:
                kind = kind_of(name, None, data)
            except InputError as exc:
                assert exc.message.strip()
                continue
            _check(data, kind)

    run(profile, st.binary(max_size=600), check)


def test_fuzz_found_csv_with_carriage_returns_reads() -> None:
    """Found by fuzzing: "\r" line ends made the library's CSV reader fail."""
    found = read_document(b"claim,rating\rTea cures colds,false\r", name="a.csv", kind="csv",
                          max_bytes=LIMIT)  # fmt: skip
    assert "Tea cures colds" in found.text


def test_fuzz_found_pdf_reference_in_content_stream_is_a_parse_error() -> None:
    """Found by fuzzing: an object reference spliced into a page's content stream made
    pypdf raise AttributeError, which escaped the reader instead of a ParseError."""
    data = make_pdf([""]).replace(b"BT /F1 12 Tf ", b"BT /F1 12 Tf 1 0 R", 1)
    with pytest.raises(InputError) as refused:
        read_document(data, name="x.pdf", kind="pdf", max_bytes=LIMIT)
    assert refused.value.where == "x.pdf"
