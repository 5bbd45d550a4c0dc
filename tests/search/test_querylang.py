"""A post's language is asked again among the index's languages when it names another."""

from __future__ import annotations

from collections.abc import Collection

from factdesk.search.matcher import Matcher
from factdesk.search.querylang import (
    HELD_MIN,
    SETTLE_MAX_WORDS,
    IdentifyAmong,
    held_families,
    settle_language,
)
from factdesk.text.langid import identify_among
from factdesk.types import FactCheck, Rating


def test_held_families_need_enough_fact_checks() -> None:
    languages = ["es"] * 10 + ["id"] * 3 + ["ms"] * 3 + ["de"] * HELD_MIN + [None] * 50
    # Malay and Indonesian are one family; a small desk's few German fact-checks count
    assert held_families(languages) == frozenset({"es", "ms", "de"})
    # in a large pool a dozen stray identifications are not the index's languages
    big = ["en"] * 20_000 + ["la"] * 12
    assert held_families(big) == frozenset({"en"})
    assert held_families([]) == frozenset()


def _asked(answer: str | None) -> tuple[list[Collection[str]], IdentifyAmong]:
    calls: list[Collection[str]] = []

    def among(text: str, families: Collection[str]) -> str | None:
        calls.append(families)
        return answer

    return calls, among


def test_a_held_or_unknown_language_is_kept_without_asking() -> None:
    calls, among = _asked("es")
    held = frozenset({"es", "ms"})
    assert settle_language("x", "es", held, among) == "es"
    assert settle_language("x", "id", held, among) == "id"  # its family is held
    assert settle_language("x", None, held, among) is None
    assert settle_language("x", "st", frozenset(), among) == "st"
    assert calls == []


def test_another_language_is_asked_again_among_the_held_ones() -> None:
    calls, among = _asked("es")
    held = frozenset({"es", "en"})
    assert settle_language("compañero de Sevilla", "st", held, among) == "es"
    assert calls == [held]
    _, nothing = _asked(None)  # a script none of them uses: the language stays
    assert settle_language("백신", "ko", held, nothing) == "ko"
    # a longer post is identified reliably: it keeps its language, nothing is asked
    calls.clear()
    long_post = " ".join(["palabra"] * (SETTLE_MAX_WORDS + 1))
    assert settle_language(long_post, "pt", held, among) == "pt"
    assert calls == []


def _matcher(identify: IdentifyAmong | None = None) -> Matcher:
    matcher = Matcher(identify_among=identify)
    claims = {
        "es": "La vacuna contra la gripe causa infertilidad en las mujeres jóvenes",
        "en": "The flu vaccine causes infertility in young women",
    }
    matcher.upsert(
        [
            (
                f"{code}-{i}",
                FactCheck(claim_reviewed=f"{text} {i}", rating=Rating("False"), language=code),
            )
            for code, text in claims.items()
            for i in range(HELD_MIN)
        ]
    )
    return matcher


def test_the_matcher_settles_a_misread_post_on_the_index_language() -> None:
    post = "dicen que las vacunas de la gripe causan infertilidad en las mujeres"
    plain = _matcher()
    assert plain.candidates(post, language="st").language == "st"
    settled = _matcher(identify_among)
    assert settled.held_families() == frozenset({"es", "en"})
    assert settled.candidates(post, language="st").language == "es"
    assert settled.candidates(post, language="es").language == "es"
    # a post in a script the index's languages do not use keeps its language
    assert settled.candidates("독감 백신이 불임을 유발한다", language="ko").language == "ko"
    # the held languages follow the index
    settled.remove([f"es-{i}" for i in range(HELD_MIN)])
    assert settled.held_families() == frozenset({"en"})


def test_a_post_whose_language_was_asked_again_is_never_linked_automatically() -> None:
    """Its language was a guess: its matches go to a checker, as cross-lingual ones do."""
    post = "La vacuna contra la gripe causa infertilidad en las mujeres jóvenes 0"
    settled = _matcher(identify_among)
    found = settled.candidates(post, language="st")
    assert found.language == "es" and found.settled
    misread = settled.search(post, language="st", k=1, explain=False)
    assert misread[0].id == "es-0" and misread[0].band == "suggest"
    assert not settled.candidates(post, language="es").settled
    right = settled.search(post, language="es", k=1, explain=False)
    assert right[0].id == "es-0" and right[0].band == "auto"
