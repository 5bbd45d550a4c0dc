from __future__ import annotations

import pytest

from factdesk.ingest.jsonld import first_text, resolve_url

REVIEW = "https://verifica.example.org/chequeos/2024/agua/"


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        ("https://a.example/x", None, "https://a.example/x"),
        ("  http://a.example/x ", None, "http://a.example/x"),
        ("aosfatos.org/noticias/2023/pix/", None, "https://aosfatos.org/noticias/2023/pix/"),
        ("www.example.com", None, "https://www.example.com"),
        ("social.example.com:8443/p?id=1", None, "https://social.example.com:8443/p?id=1"),
        ("//cdn.example.net/img.png", None, "https://cdn.example.net/img.png"),
        (
            "/estadao-verifica/boato/",
            REVIEW,
            "https://verifica.example.org/estadao-verifica/boato/",
        ),
        ("../2023/otro/", REVIEW, "https://verifica.example.org/chequeos/2024/2023/otro/"),
        ("foto.jpg", REVIEW, "https://verifica.example.org/chequeos/2024/agua/foto.jpg"),
        (
            "index.html?x=1",
            REVIEW,
            "https://verifica.example.org/chequeos/2024/agua/index.html?x=1",
        ),
    ],
)
def test_resolve_url_keeps_what_publishers_write(
    value: str, base: str | None, expected: str
) -> None:
    assert resolve_url(value, base) == (expected, None)


@pytest.mark.parametrize(
    ("value", "base", "why"),
    [
        ("/relative/only", None, "relative URL '/relative/only' with no absolute URL"),
        ("file:///home/me/post.html", REVIEW, "is not an http(s) URL"),
        ("javascript:alert(1)", REVIEW, "is not an http(s) URL"),
        ("mailto:desk@example.org", REVIEW, "is not an http(s) URL"),
        ("https://a.example/with space", None, "is not a URL"),
        ("https:///no-host", None, "has no host"),
        (42, None, "not a string but int"),
    ],
)
def test_resolve_url_says_why_it_drops(value: object, base: str | None, why: str) -> None:
    url, reason = resolve_url(value, base)
    assert url is None and reason is not None and why in reason


def test_resolve_url_nothing_is_not_a_drop() -> None:
    assert resolve_url(None, REVIEW) == (None, None)
    assert resolve_url("  ", REVIEW) == (None, None)


def test_first_text_unwraps_value_objects_and_lists() -> None:
    assert first_text([{"@value": "Falso", "@language": "es"}, "False"]) == "Falso"
    assert first_text(["", "  ", "Sai"]) == "Sai"
    assert first_text({"@language": "es"}) is None
    assert first_text(3) is None
