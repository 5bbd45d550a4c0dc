"""The tipline service: a tip becomes a submission and an item of the tipline source; bots
are dropped, bad tips name their field, and each address is rate-limited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError, RateLimited
from factdesk.services import tipline
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.types import Tip


def _count(db: sessionmaker[Session], model: type) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_tipline_submit_stores_submission_and_item(
    db: sessionmaker[Session], settings: Settings
) -> None:
    tip = Tip(text="  Giá xăng sẽ tăng gấp đôi  ", url="https://social.example/p/1", contact="me")
    with db.begin() as session:
        submission_id = tipline.submit(settings, session, tip, "10.0.0.1")
    with db() as session:
        row = session.get_one(m.Submission, submission_id)
        item = session.get_one(m.Item, row.item_id)
        source = session.get_one(m.Source, item.source_id)
    assert (row.text, row.url, row.contact) == (
        "Giá xăng sẽ tăng gấp đôi",
        "https://social.example/p/1",
        "me",
    )
    assert item.text == "Giá xăng sẽ tăng gấp đôi\nhttps://social.example/p/1"
    assert (source.kind, source.location, source.name) == (
        "submission",
        tipline.SOURCE_LOCATION,
        "Tipline",
    )


def test_tipline_honeypot_stores_nothing(db: sessionmaker[Session], settings: Settings) -> None:
    with db.begin() as session:
        assert tipline.submit(settings, session, Tip(text="pills", website="x"), "1") is None
    assert _count(db, m.Submission) == 0 and _count(db, m.Item) == 0


def test_tipline_clean_names_the_field(settings: Settings) -> None:
    assert tipline.clean(Tip(text=" a ", url=" "), settings) == Tip(text="a")
    for tip, where in (
        (Tip(), "text"),
        (Tip(url="javascript:alert(1)"), "url"),
        (Tip(text="ok", contact="c" * (tipline.MAX_CONTACT + 1)), "contact"),
    ):
        with pytest.raises(InputError) as caught:
            tipline.clean(tip, settings)
        assert caught.value.where == where


def test_tipline_rate_limit_per_address(db: sessionmaker[Session], settings: Settings) -> None:
    for n in range(settings.tipline_per_hour):
        with db.begin() as session:
            tipline.submit(settings, session, Tip(text=f"claim {n}"), "10.0.0.2")
    with pytest.raises(RateLimited), db.begin() as session:
        tipline.submit(settings, session, Tip(text="one more"), "10.0.0.2")
    with db.begin() as session:  # another address is not held back
        assert tipline.submit(settings, session, Tip(text="one more"), "10.0.0.3")
