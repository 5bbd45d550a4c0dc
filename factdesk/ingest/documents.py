"""Evidence documents to plain text: HTML, PDF, plain text, Markdown and CSV tables.

The evidence library archives a source's bytes as they came and reads its text from them
here, so the text can always be re-derived from the archived copy. Pure: bytes in, a
:class:`DocumentText` out, or an :class:`~factdesk.errors.InputError` naming the problem in
one line (the service quarantines the source with that reason).

- **HTML**: the main text through :func:`factdesk.ingest.pages.parse_page` (trafilatura on
  a sanitised tree: scripts, styles and boilerplate gone), its title, language and date.
- **PDF**: pypdf's text per page, pages separated by a blank line (a paragraph break, so a
  passage never spans two pages); the document title from its metadata. Encrypted or
  corrupt files are refused, as are PDFs with no text layer (scans): nothing to quote.
- **Markdown**: markup removed (markdown-it renders, the HTML is reduced to text) so
  quotes match what a reader sees; the first heading is the title.
- **CSV**: each row becomes one line ``header: value; header: value``, so a retrieved row
  carries its column names; rows are separated by blank lines (one passage per row).
- **plain text**: decoded (BOM, declared or detected charset).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from factdesk.errors import InputError, ParseError, TooLarge
from factdesk.ingest.decode import decode_text
from factdesk.ingest.fields import split_content_type

__all__ = ["KINDS", "DocumentText", "kind_of", "read_document"]

KINDS = ("html", "pdf", "text", "markdown", "csv")
_BY_TYPE = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/csv": "csv",
    "application/csv": "csv",
}
_BY_SUFFIX = {
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
}
CONTENT_TYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "text": "text/plain",
    "markdown": "text/markdown",
    "csv": "text/csv",
}
MAX_CSV_ROWS = 20_000
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_BLANKS = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class DocumentText:
    """What a document says, as plain text, with what it tells about itself."""

    kind: str
    text: str
    title: str | None = None
    language: str | None = None
    published: str | None = None  # YYYY-MM-DD when the document gives a date


def kind_of(name: str, content_type: str | None, data: bytes) -> str:
    """The document kind from its declared type, its name or its first bytes; InputError
    when none of them says it is a kind the library reads."""
    mime, _ = split_content_type(content_type)
    if mime in _BY_TYPE:
        return _BY_TYPE[mime]
    suffix = PurePosixPath(name.split("?")[0]).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    head = data[:512].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    what = mime or suffix or "unknown"
    raise InputError(
        f"unsupported document type {what} (the library reads {', '.join(KINDS)})", where=name
    )


def read_document(
    data: bytes, *, name: str, kind: str, max_bytes: int, url: str | None = None
) -> DocumentText:
    """The plain text of ``data`` read as ``kind``; InputError (one line, ``where=name``)
    when it is over ``max_bytes``, unreadable or has no text."""
    if len(data) > max_bytes:
        raise TooLarge(f"{len(data)} bytes is over the {max_bytes}-byte limit", where=name)
    if not data.strip():
        raise InputError("the document is empty", where=name)
    if kind == "html":
        found = _html(data, name, url, max_bytes)
    elif kind == "pdf":
        found = _pdf(data, name)
    elif kind == "markdown":
        found = _markdown(decode_text(data, None, where=name))
    elif kind == "csv":
        found = _csv(decode_text(data, None, where=name), name)
    elif kind == "text":
        found = DocumentText("text", _tidy(decode_text(data, None, where=name)))
    else:
        raise InputError(f"unsupported document type {kind}", where=name)
    if "\x00" in found.text or (found.title and "\x00" in found.title):
        # a NUL in extracted text (some PDFs) means nothing to a reader, and PostgreSQL
        # cannot store it in a text column
        title = found.title.replace("\x00", "") if found.title else None
        found = replace(found, text=found.text.replace("\x00", ""), title=title or None)
    if not found.text.strip():
        raise InputError(f"no text found in this {kind} document", where=name)
    return found


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _html(data: bytes, name: str, url: str | None, max_bytes: int) -> DocumentText:
    from factdesk.ingest.pages import parse_page

    page = parse_page(data, url=url or name, content_type="text/html", max_bytes=max_bytes)
    if page.item is None:
        raise InputError("no main text found on the page", where=name)
    published = page.item.published_at.date().isoformat() if page.item.published_at else None
    return DocumentText(
        "html", _tidy(page.item.text), page.item.title, page.item.language, published
    )


def _pdf(data: bytes, name: str) -> DocumentText:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged xref is our error, not a log
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InputError("the PDF is encrypted", where=name)
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
        title = str(meta.title).strip() if meta is not None and meta.title else None
    except InputError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ParseError(f"corrupt PDF ({type(exc).__name__}: {exc})"[:300], where=name) from None
    except (AttributeError, IndexError, AssertionError, ZeroDivisionError, RecursionError) as exc:
        # pypdf on a damaged file can fail inside itself (fuzzing found a corrupt xref that
        # raises AttributeError); the file, not the desk, is what is wrong.
        raise ParseError(f"corrupt PDF ({type(exc).__name__})", where=name) from None
    text = "\n\n".join(_tidy(p) for p in pages if p.strip())
    if not text.strip():
        raise InputError("the PDF has no text layer (a scan?): nothing to quote", where=name)
    return DocumentText("pdf", text, title or None)


def _markdown(source: str) -> DocumentText:
    from markdown_it import MarkdownIt

    from factdesk.ingest.html import html_to_text

    heading = _HEADING.search(source)
    html = MarkdownIt("commonmark").disable("html_block").disable("html_inline").render(source)
    # one blank line between blocks, so paragraphs stay paragraphs
    html = re.sub(r"</(p|h[1-6]|li|blockquote|pre)>", r"</\1>\n\n", html)
    text = "\n\n".join(_tidy(html_to_text(block)) for block in html.split("\n\n"))
    return DocumentText("markdown", _tidy(text), heading.group(1).strip() if heading else None)


def _csv(source: str, name: str) -> DocumentText:
    try:
        dialect = csv.Sniffer().sniff(source[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="": the csv module does its own line splitting, so a file with classic-Mac
    # "\r" line ends or a quoted cell holding a line break reads (found by fuzzing).
    rows = csv.reader(io.StringIO(source, newline=""), dialect)
    try:
        header = [h.strip() for h in next(rows)]
    except StopIteration:
        raise InputError("the CSV file has no header row", where=name) from None
    except csv.Error as exc:
        raise ParseError(f"unreadable CSV: {exc}", where=f"{name}:1") from None
    lines = []
    try:
        for number, row in enumerate(rows, start=2):
            if number > MAX_CSV_ROWS:
                raise TooLarge(f"more than {MAX_CSV_ROWS} rows", where=name)
            cells = [
                f"{h or f'column {i + 1}'}: {v.strip()}"
                for i, (h, v) in enumerate(zip(header, row, strict=False))
                if v.strip()
            ]
            if cells:
                lines.append("; ".join(cells) + ".")
    except csv.Error as exc:
        raise ParseError(f"unreadable CSV: {exc}", where=name) from None
    return DocumentText("csv", "\n\n".join(lines))
