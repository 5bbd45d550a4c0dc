"""HTML to plain text, safely, for feed summaries and as the fallback page extractor.

A real parser (lxml/libxml2), never regular expressions: hostile markup — unclosed
comments, ``<script>`` in attributes, entities, ``</scr<script>ipt>`` tricks — is parsed the
way a browser would, then the elements that are not reading text (script, style, template,
forms, embedded media) are removed with their content. libxml2 without ``huge_tree``
limits nesting depth (256) and text node size, which bounds the work an HTML bomb can cause.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement, HTMLParser

__all__ = ["NOT_TEXT", "html_parser", "html_to_text", "parse_html", "tree_text"]

# Elements whose content is never reading text.
NOT_TEXT = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "canvas", "select", "button", "textarea", "head",
)  # fmt: skip
_NOT_TEXT = frozenset(NOT_TEXT)
_BLOCKS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
        "h6", "tr", "table", "blockquote", "pre", "section", "article", "aside", "header",
        "footer", "main", "nav", "figure", "figcaption", "hr", "address", "details", "summary",
        "form", "fieldset", "caption", "title",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\f\v\r\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")
# What _tidy_lines changes inside a text: line breaks, runs of spaces, other blanks.
_UNTIDY = ("\n", "  ", "\t", "\r", "\f", "\v", "\u00a0")


def html_parser() -> HTMLParser:
    """A libxml2 HTML parser with the safety limits on and nothing fetched."""
    return HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        huge_tree=False,
        collect_ids=False,
        default_doctype=False,
    )


def parse_html(markup: str) -> HtmlElement | None:
    """Parse ``markup`` into a tree, or None when there is nothing to parse."""
    if not markup.strip():
        return None
    try:
        root = etree.fromstring(markup.encode("utf-8", "replace"), html_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if isinstance(root, HtmlElement) else None


def html_to_text(markup: str) -> str:
    """The reading text of an HTML fragment or document: blocks on their own lines, runs of
    spaces collapsed, script/style and other non-text content removed."""
    if "<" not in markup and "&" not in markup:
        return _tidy(markup)
    root = parse_html(markup)
    return tree_text(root) if root is not None else ""


def tree_text(root: HtmlElement) -> str:
    """Like :func:`html_to_text` for a parsed tree (which is left unchanged)."""
    parts: list[str] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str) or tag in _NOT_TEXT:
            if event == "start":
                walker.skip_subtree()
            elif element.tail and element is not root:
                parts.append(element.tail)
            continue
        if event == "start":
            if tag in _BLOCKS and tag != "br":
                parts.append("\n")
            if element.text:
                parts.append(element.text)
        else:
            if tag in _BLOCKS:
                parts.append("\n")
            elif tag in ("td", "th"):
                parts.append(" ")
            if element.tail and element is not root:
                parts.append(element.tail)
    return _tidy("".join(parts))


def _tidy(text: str) -> str:
    if not any(mark in text for mark in _UNTIDY):
        # One line, single spaces: nothing below would change but the ends. Feed entries
        # are mostly such plain text (3 µs an entry saved, bench/ingest.py --feed).
        return text.strip()
    return _tidy_lines(text)


def _tidy_lines(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()
