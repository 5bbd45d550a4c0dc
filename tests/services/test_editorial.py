"""Editorial settings: the rating scale, thresholds and languages, parsed from the settings
form, stored, loaded, and every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError
from factdesk.services import editorial as appsettings
from factdesk.store import models as m
from factdesk.types import DEFAULT_SCALE, Actor, DeskSettings, ScaleStep
from factdesk.workflow import Role
from tests.web.conftest import add_user
from tests.web.test_appsettings import FORM


def test_editorial_parse_scale_lines() -> None:
    scale = appsettings.parse_scale("True = 5\n\n  False = 1 \nUnproven")
    assert scale == (
        ScaleStep("True", 5),
        ScaleStep("False", 1),
        ScaleStep("Unproven", None),
    )
    for bad, where in (("True = five", "line 1"), ("A\nA", "same label"), ("", "at least one")):
        with pytest.raises(InputError, match=where):
            appsettings.parse_scale(bad)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("worthiness_high", "1.5"),
        ("worthiness_low", "0.9"),
        ("spread_low", "x"),
        ("languages", "vi, 12"),
    ],
)
def test_editorial_parse_names_bad_field(field: str, value: str) -> None:
    with pytest.raises(InputError) as caught:
        appsettings.parse(FORM | {field: value})
    assert caught.value.where == field


def test_editorial_save_stores_audits_and_loads_back(db: sessionmaker[Session]) -> None:
    admin = Actor(add_user(db, "root", "admin"), "root", Role.ADMIN)
    with db() as session:
        assert appsettings.load(session, ["vi", "en"]) == DeskSettings(languages=("vi", "en"))
    first, second = appsettings.parse(FORM), appsettings.parse(FORM | {"spread_high": "30"})
    with db.begin() as session:
        assert appsettings.save(session, first, admin) is None
    with db.begin() as session:
        assert appsettings.save(session, second, admin) == appsettings.to_json(first)
    with db() as session:
        assert appsettings.load(session, ["en"]) == second
        events = session.scalars(
            select(m.AuditEvent)
            .where(m.AuditEvent.action == "settings.change")
            .order_by(m.AuditEvent.id)
        ).all()
    assert [(e.actor, e.before, e.after) for e in events] == [
        ("root", None, appsettings.to_json(first)),
        ("root", appsettings.to_json(first), appsettings.to_json(second)),
    ]
    assert appsettings.to_json(first)["rating_scale"][1] == {"label": "Gây hiểu lầm", "value": 2}
    assert appsettings.from_json(None, ["en"]).rating_scale == DEFAULT_SCALE
