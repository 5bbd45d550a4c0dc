from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.ingest.html import html_to_text


def test_html_to_text_blocks_become_lines() -> None:
    html = "<h1>Title</h1><p>First <b>bold</b> para.</p><ul><li>one</li><li>two</li></ul>a<br>b"
    assert html_to_text(html) == "Title\n\nFirst bold para.\n\none\n\ntwo\n\na\nb"


def test_html_to_text_drops_script_style_and_keeps_tails() -> None:
    html = (
        "<p>Keep<script>alert('x')</script> this<style>p{}</style> text</p><noscript>no</noscript>"
    )
    assert html_to_text(html) == "Keep this text"


def test_html_to_text_hostile_tricks() -> None:
    html = (
        '<SCRIPT type="text/javascript">alert(1)</SCRIPT >'
        '<img src=x onerror="alert(2)">'
        "<!-- <p>hidden comment</p> -->"
        "<p>5 &lt; 6 &amp; 7 &gt; 3</p>"
        "<template><p>template</p></template>"
        "<svg><script>alert(3)</script></svg>"
    )
    text = html_to_text(html)
    assert "alert" not in text and "hidden" not in text and "template" not in text
    assert "5 < 6 & 7 > 3" in text


def test_html_to_text_broken_tag_is_text_as_in_a_browser() -> None:
    # A browser reads "<scr<script>" as one odd tag and shows the rest as text: so do we.
    # It is text, never executed: the output is plain text.
    assert html_to_text("<scr<script>ipt>alert(1)</script>") == "ipt>alert(1)"


def test_html_to_text_plain_text_passes_through() -> None:
    assert html_to_text("  just   words\n\n\n\nmore ") == "just words\n\nmore"


def test_html_to_text_ignores_meta_charset_switch() -> None:
    assert html_to_text('<meta charset="iso-8859-1"><p>Việt Nam</p>') == "Việt Nam"


def test_html_to_text_deep_nesting_is_bounded() -> None:
    html = "<div>" * 50_000 + "deep" + "</div>" * 50_000
    assert isinstance(html_to_text(html), str)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_html_to_text_any_text_gives_text(markup: str) -> None:
    text = html_to_text(markup)
    assert isinstance(text, str)
    assert "<script" not in html_to_text("<script>" + markup + "</script>")


# Plain text and markup pieces: lines, runs of blanks, non-breaking spaces, other Unicode
# spaces that strip() knows but the tidying does not touch inside a line.
_PIECES = st.sampled_from(
    ["\n", "  ", " ", "\t", "\r", "\f", "\v", "\u00a0", "\u2003", "\u2028", "\x85", "a", "đ",
     "Giá xăng", "said", "<p>", "&amp;", "🙂"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(_PIECES, max_size=12).map("".join), st.text()))
def test_tidy_one_line_shortcut_gives_the_full_result(text: str) -> None:
    from factdesk.ingest import html

    assert html._tidy(text) == html._tidy_lines(text)
