"""The word filter shared by the read queries, in both its forms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.store.reads.common import contains_words, like_terms


def test_contains_words_requires_every_word() -> None:
    assert contains_words("Lemon water cures cancer", "water lemon")
    assert not contains_words("Lemon water cures cancer", "water bridge")
    assert contains_words("anything", "  ")


def test_contains_words_ignores_accents_only_for_a_query_typed_without_them() -> None:
    assert contains_words("Uống nước chanh chữa ung thư", "ung thu")
    assert contains_words("Uống nước chanh chữa ung thư", "UNG THƯ")
    assert not contains_words("Uống nước chanh chữa ung thu", "ung thư")


def test_like_terms_requires_every_word_whatever_its_case(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        s.add_all(
            [
                m.Claim(text="Giá xăng tăng gấp đôi", status="new"),
                m.Claim(text="ĐƯỜNG sắt bị đóng cửa", status="new"),
                m.Claim(text="Petrol prices double", status="new"),
            ]
        )
    with db() as s:

        def found(query: str) -> list[str]:
            where = like_terms(s, m.Claim.text, query)
            return sorted(s.scalars(select(m.Claim.text).where(*where)))

        assert found("xăng gấp") == ["Giá xăng tăng gấp đôi"]
        assert found("đường") == ["ĐƯỜNG sắt bị đóng cửa"]
        assert found("PETROL double") == ["Petrol prices double"]
        assert found("petrol bridge") == []
        assert found("100%") == []  # LIKE wildcards in the query are literal
