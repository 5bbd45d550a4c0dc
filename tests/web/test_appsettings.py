"""Editorial settings: the rating scale, thresholds and languages set on the settings page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models as m
from tests.web.conftest import Persona

FORM = {
    "rating_scale": "Đúng = 3\nGây hiểu lầm = 2\nSai = 1\nChưa kiểm chứng được",
    "worthiness_high": "0.8",
    "worthiness_low": "0.5",
    "spread_high": "20",
    "spread_low": "5",
    "languages": "vi, en, fr",
}


def test_appsettings_page_saves_audits_and_feeds_editor(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int
) -> None:
    admin = personas["admin"]
    assert "True = 5" in admin.get("/desk/settings").text  # the default scale
    assert admin.post("/desk/settings", FORM).status_code == 303
    with db() as session:
        event = session.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "settings.change")
        ).one()
    assert event.before is None and event.after["spread_high"] == 20
    start = personas["checker"].post(f"/desk/claims/{claim_id}/start")
    editor_page = personas["checker"].get(start.headers["location"]).text
    assert "Gây hiểu lầm (2)" in editor_page and "Mostly true" not in editor_page
    fc = start.headers["location"].rsplit("/", 1)[1]
    saved = personas["checker"].post(
        f"/desk/fact-checks/{fc}/edit", {"version": "1", "rating_label": "Sai", "summary": "Sai."}
    )
    assert saved.status_code == 303
    off_scale = personas["checker"].post(
        f"/desk/fact-checks/{fc}/edit", {"version": "2", "rating_label": "Pants on fire"}
    )
    assert off_scale.status_code == 400
    with db() as session:
        row = session.get_one(m.FactCheck, int(fc))
    assert (row.rating_label, row.rating_value, row.rating_best, row.rating_worst) == (
        "Sai",
        1,
        3,
        1,
    )
    assert admin.post("/desk/settings", FORM | {"spread_low": "50"}).status_code == 400
    assert "Gây hiểu lầm = 2" in admin.get("/desk/settings").text
