"""Evidence documents to text: each kind read, each bad document refused in one line."""

from __future__ import annotations

import pytest

from factdesk.errors import InputError, ParseError, TooLarge
from factdesk.ingest.documents import kind_of, read_document
from tests.pdfgen import make_pdf

LIMIT = 1_000_000


def test_kind_of_by_type_name_and_magic_bytes() -> None:
    assert kind_of("x", "application/pdf", b"") == "pdf"
    assert kind_of("report.MD", None, b"") == "markdown"
    assert kind_of("https://a.example/t.csv?y=1.pdf", None, b"") == "csv"
    assert kind_of("blob", None, b"  %PDF-1.7") == "pdf"
    assert kind_of("blob", None, b"<!DOCTYPE html><html>") == "html"
    with pytest.raises(InputError, match="unsupported document type image/png"):
        kind_of("x.png", "image/png", b"\x89PNG")


def test_read_pdf_text_and_title() -> None:
    data = make_pdf(["Unemployment was 2.1% in March.", "It fell from 2.4%."], "Labour notice")
    doc = read_document(data, name="notice.pdf", kind="pdf", max_bytes=LIMIT)
    assert "Unemployment was 2.1% in March." in doc.text and doc.title == "Labour notice"


def test_read_corrupt_pdf_is_one_line_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        read_document(b"%PDF-1.4\n1 0 obj <<", name="bad.pdf", kind="pdf", max_bytes=LIMIT)
    assert "corrupt PDF" in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.where == "bad.pdf"


def test_read_pdf_without_text_layer_is_refused() -> None:
    with pytest.raises(InputError, match="no text layer"):
        read_document(make_pdf([]), name="scan.pdf", kind="pdf", max_bytes=LIMIT)


def test_read_markdown_drops_markup_and_keeps_paragraphs() -> None:
    source = "# Flu guidance\n\nWash **hands** often.\n\nSee [the notice](http://x.example).\n"
    doc = read_document(source.encode(), name="g.md", kind="markdown", max_bytes=LIMIT)
    assert doc.title == "Flu guidance"
    assert doc.text == "Flu guidance\n\nWash hands often.\n\nSee the notice."


def test_read_csv_rows_carry_their_column_names() -> None:
    data = b"quarter;rate\nQ1 2026;2.1\nQ2 2026;\n"
    doc = read_document(data, name="t.csv", kind="csv", max_bytes=LIMIT)
    assert doc.text == "quarter: Q1 2026; rate: 2.1.\n\nquarter: Q2 2026."


def test_read_html_main_text() -> None:
    page = (
        "<html lang='en'><head><title>Notice</title><script>var x=1</script></head>"
        "<body><nav>Home | About</nav><article><p>"
        + "Radio waves do not carry viruses. " * 12
        + "</p></article></body></html>"
    ).encode()
    doc = read_document(page, name="n.html", kind="html", max_bytes=LIMIT)
    assert "Radio waves do not carry viruses." in doc.text
    assert "var x" not in doc.text and doc.title == "Notice"


@pytest.mark.parametrize(
    ("data", "kind", "error", "message"),
    [
        (b"x" * 20, "text", TooLarge, "over the 10-byte limit"),
        (b"   \n ", "text", InputError, "empty"),
        (b"<html><body><script>1</script></body></html>", "html", InputError, "no main text"),
    ],
)
def test_read_bad_documents_are_refused(
    data: bytes, kind: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        read_document(data, name="f", kind=kind, max_bytes=10 if error is TooLarge else LIMIT)
