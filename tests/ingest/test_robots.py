from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.ingest.robots import ALLOW_ALL, parse_robots, product_token

UA = "factdesk/0.1 (+https://github.com/factdesk/factdesk)"

ROBOTS = """
# comments are ignored
User-agent: *
Disallow: /private
Allow: /private/public
Disallow: /*.pdf$
Disallow: /search?*q=

User-agent: FactDesk
User-agent: otherbot
Disallow: /drafts/
Allow: /drafts/shared   # trailing comment
Disallow:

Sitemap: https://example.com/sitemap.xml
"""


@pytest.mark.parametrize(
    ("agent", "path", "allowed"),
    [
        ("somebot/2.0", "/", True),
        ("somebot/2.0", "/private", False),
        ("somebot/2.0", "/private/x", False),
        ("somebot/2.0", "/private/public/x", True),  # longer allow wins
        ("somebot/2.0", "/files/report.pdf", False),
        ("somebot/2.0", "/files/report.pdf?x=1", True),  # $ anchors the end
        ("somebot/2.0", "/search?lang=vi&q=gia", False),
        ("somebot/2.0", "/robots.txt", True),
        (UA, "/private/x", True),  # our own group replaces the * group
        (UA, "/drafts/x", False),
        (UA, "/drafts/shared/y", True),
        (UA, "/drafts/%73hared", True),  # percent-encoding compared decoded
        ("OtherBot", "/drafts/x", False),
    ],
)
def test_robots_allowed(agent: str, path: str, allowed: bool) -> None:
    assert parse_robots(ROBOTS).allowed(agent, path) is allowed


def test_robots_tie_goes_to_allow() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /a\nAllow: /a\n")
    assert rules.allowed(UA, "/a/b")


def test_robots_empty_and_garbage_allow_everything() -> None:
    assert parse_robots("").allowed(UA, "/anything")
    assert parse_robots("<html>not robots</html>\nDisallow /x").allowed(UA, "/x")
    assert ALLOW_ALL.allowed(UA, "/x")


def test_robots_rules_without_user_agent_are_ignored() -> None:
    assert parse_robots("Disallow: /\n").allowed(UA, "/x")


def test_robots_disallow_all() -> None:
    assert not parse_robots("User-agent: *\nDisallow: /\n").allowed(UA, "/x")


def test_product_token() -> None:
    assert product_token(UA) == "factdesk"
    assert product_token("Mozilla/5.0 (X11)") == "mozilla"
    assert product_token("") == ""


def test_robots_hostile_wildcards_do_not_backtrack() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /" + "*a" * 40 + "*b$\n")
    started = time.perf_counter()
    assert rules.allowed(UA, "/" + "a" * 3000 + "c")
    assert time.perf_counter() - started < 0.5


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=40), st.text(max_size=20))
def test_robots_any_text_parses_and_answers(text: str, path: str, agent: str) -> None:
    assert parse_robots(text).allowed(agent, path) in (True, False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["/", "/a", "/a*", "*", "$", "/a$", "/*/b", "?q="]), max_size=5),
    st.text(alphabet="/ab?q=*$", max_size=12),
)
def test_robots_pattern_matching_agrees_with_a_reference(patterns: list[str], path: str) -> None:
    text = "User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in patterns)
    expected = not any(_reference_match(p, path or "/") for p in patterns if p)
    assert parse_robots(text).allowed(UA, path or "/") is expected or (path or "/") == "/robots.txt"


def _reference_match(pattern: str, path: str) -> bool:
    """Brute-force RFC 9309 matching: '*' any run, trailing '$' anchors the end."""
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern

    def match(p: int, s: int) -> bool:
        if p == len(body):
            return s == len(path) if anchored else True
        if body[p] == "*":
            return any(match(p + 1, k) for k in range(s, len(path) + 1))
        return s < len(path) and path[s] == body[p] and match(p + 1, s + 1)

    return match(0, 0)
