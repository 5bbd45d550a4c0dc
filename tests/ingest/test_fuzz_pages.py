"""Fuzzing HTML page parsing: any bytes, and generated pages with random text, nesting,
broken markup and embedded JSON-LD. Only InputError escapes; a page yields an item with
text or says why not, and every embedded ClaimReview is kept or rejected with a reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import strategies as st

from factdesk.errors import InputError
from factdesk.ingest.pages import parse_page
from tests.ingest.fuzzing import BUDGETS, TEXT, assert_quarantined, run

TAGS = st.sampled_from(["p", "div", "article", "main", "span", "script", "style", "h1", "li",
                        "table", "td", "noscript", "template", "svg", "iframe"])  # fmt: skip


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        tag, text = draw(TAGS), draw(TEXT)
        close = draw(st.booleans())
        parts.append(f"<{tag}>{text}" + (f"</{tag}>" if close else ""))
    if draw(st.booleans()):
        review = {"@context": "https://schema.org", "@type": "ClaimReview",
                  "claimReviewed": draw(TEXT), "reviewRating": {"alternateName": draw(TEXT)}}  # fmt: skip
        payload = json.dumps(review) if draw(st.booleans()) else draw(TEXT)
        parts.append(f'<script type="application/ld+json">{payload}</script>')
    lang = draw(st.sampled_from(["", ' lang="vi"', ' lang="xx-\u0000"', " lang"]))
    charset = draw(st.sampled_from(["", '<meta charset="utf-8">', '<meta charset="bogus">',
                                    '<meta http-equiv="content-type" content="text/html; charset=windows-1258">']))  # fmt: skip
    doc = f"<!doctype html><html{lang}><head>{charset}<title>{draw(TEXT)}</title></head><body>{''.join(parts)}</body></html>"
    return doc.encode(draw(st.sampled_from(["utf-8", "cp1258", "utf-16"])), "replace")


def _check(data: bytes, content_type: str | None = "text/html; charset=utf-8") -> None:
    try:
        result = parse_page(data, url="https://fuzz.example/a", content_type=content_type)
    except InputError as exc:
        assert exc.message.strip()
        return
    if result.item is None:
        assert result.item_rejected is not None and result.item_rejected.reason.strip()
    else:
        assert result.item.text.strip()
    assert_quarantined(result.fact_checks.rejected)


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_page_item_or_reason(profile: str) -> None:
    run(profile, pages(), lambda data: _check(data, None))


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_page_any_bytes(profile: str) -> None:
    content_types = st.sampled_from(
        [None, "text/html", "text/html; charset=bogus", "application/pdf"]
    )
    run(profile, st.tuples(st.binary(max_size=800), content_types), lambda pair: _check(*pair))
