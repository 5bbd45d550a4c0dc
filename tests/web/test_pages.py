"""What the newsroom pages show: dashboard, queue with filters and search, claim page,
list pages and their CSV exports, the two interface languages."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.publish import i18n
from factdesk.store import models as m
from tests.web.conftest import Persona, seed_claim

TEMPLATES = Path(__file__).parents[2] / "factdesk" / "web" / "templates"


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # spreadsheet programs need the BOM for UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_dashboard_shows_grid_top_claims_chart_and_work(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    hot = seed_claim(db, "Hot claim spreading fast", score=0.95, mentions=12)
    seed_claim(db, "Dull claim", score=0.1, mentions=1)
    page = personas["viewer"].get("/desk/")
    assert page.status_code == 200
    assert f'href="/desk/claims/{hot}"' in page.text
    assert "Dull claim" not in page.text  # below the worthiness threshold: not in the top list
    assert '<svg class="chart"' in page.text and "<rect" in page.text
    assert re.search(r'<td class="heathot">\s*<a [^>]*>1</a>', page.text)  # high × wide cell
    assert "2</strong> new claims" in page.text


def test_queue_filters_and_search(personas: dict[str, Persona], db: sessionmaker[Session]) -> None:
    a = seed_claim(db, "Đường cao tốc Bắc Nam đã hoàn thành 100%", language="vi", score=0.8)
    b = seed_claim(db, "Unemployment fell to 2% last year", language="en", score=0.4)
    with db.begin() as session:
        session.execute(
            update(m.Claim)
            .where(m.Claim.id == b)
            .values(status="draft", last_seen_at=datetime.now(UTC) - timedelta(days=40))
        )
    viewer = personas["viewer"]

    def ids(query: str) -> set[int]:
        return {
            int(x)
            for x in re.findall(
                r'href="/desk/claims/(\d+)"', viewer.get("/desk/queue?" + query).text
            )
        }

    assert ids("") == {a, b}
    assert ids("language=vi") == {a}
    assert ids("status=draft") == {b}
    assert ids("min_score=0.5") == {a}
    assert ids("q=ĐƯỜNG+cao") == {a}  # case-insensitive beyond ASCII
    assert ids("q=unemployment+2%25") == {b}  # % is a literal, not a wildcard
    assert ids("q=100%25+unemployment") == set()
    since = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    assert ids(f"since={since}") == {a}
    with db() as session:
        source_b = session.scalar(
            m.Item.__table__.select()
            .with_only_columns(m.Item.source_id)
            .join(m.Mention, m.Mention.item_id == m.Item.id)
            .where(m.Mention.claim_id == b)
        )
    assert ids(f"source={source_b}") == {b}
    bad = viewer.get("/desk/queue?min_score=lots&since=yesterday&status=bogus")
    assert bad.status_code == 200 and "ignored invalid filters" in bad.text


def test_queue_htmx_request_gets_only_the_rows(personas: dict[str, Persona], claim_id: int) -> None:
    response = personas["viewer"].get("/desk/queue?q=vaccine", headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="queue-rows">')
    assert f"/desk/claims/{claim_id}" in response.text


def test_queue_csv_export_follows_filters(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    seed_claim(db, '=HYPERLINK("http://evil") claim', language="en")
    seed_claim(db, "Một nhận định tiếng Việt", language="vi")
    response = personas["viewer"].get("/desk/queue.csv?language=en")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _rows(response.text)
    assert rows[0][:3] == ["id", "text", "language"] and len(rows) == 2
    assert rows[1][1].startswith("'=HYPERLINK")  # defused formula
    assert (
        "Một nhận định" in _rows(personas["viewer"].get("/desk/queue.csv?language=vi").text)[1][1]
    )


def test_every_list_page_exports_csv(personas: dict[str, Persona], claim_id: int) -> None:
    admin = personas["admin"]
    for name in (
        "queue",
        "review",
        "sources",
        "evidence",
        "quarantine",
        "audit",
        "submissions",
        "users",
    ):
        page = admin.get(f"/desk/{name}")
        assert f"/desk/{name}.csv" in page.text, name
        export = admin.get(f"/desk/{name}.csv")
        assert export.status_code == 200 and export.text.startswith("\ufeff"), name
    users = _rows(admin.get("/desk/users.csv").text)
    assert {r[1] for r in users[1:]} == {"admin", "editor", "checker", "viewer"}


def test_back_office_pages_show_records(
    personas: dict[str, Persona], db: sessionmaker[Session]
) -> None:
    with db.begin() as session:
        session.add(
            m.QuarantineRecord(
                origin="feed.xml", kind="feed", location="entry 3", reason="no text", raw="<item/>"
            )
        )
        session.add(
            m.Source(
                kind="feed",
                location="https://x.example/rss",
                name="X News",
                last_status="error",
                last_error="HTTP 500",
            )
        )
    admin = personas["admin"]
    assert "entry 3" in admin.get("/desk/quarantine").text
    sources = admin.get("/desk/sources").text
    assert "X News" in sources and "HTTP 500" in sources
    added = admin.post("/desk/sources", {"url": "https://y.example/feed", "name": "Y"})
    assert added.status_code == 303
    assert admin.post("/desk/sources", {"url": "https://y.example/feed"}).status_code == 400
    assert admin.post("/desk/sources", {"url": "not a url"}).status_code == 400
    audit = admin.get("/desk/audit?action=source.add").text
    assert "source.add" in audit and "y.example" in audit


def test_users_page_adds_and_changes_roles(personas: dict[str, Persona]) -> None:
    admin = personas["admin"]
    assert (
        admin.post(
            "/desk/users", {"username": "newbie", "password": "a long password", "role": "checker"}
        ).status_code
        == 303
    )
    assert admin.post("/desk/users/newbie/role", {"role": "editor"}).status_code == 303
    assert admin.post("/desk/users/admin/role", {"role": "viewer"}).status_code == 400
    rows = admin.get("/desk/users.csv").text
    assert "newbie,editor" in rows


def test_interface_language_follows_cookie_then_browser(personas: dict[str, Persona]) -> None:
    client = personas["viewer"].client
    english = client.get("/desk/queue", headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Claim queue" in english.text and 'lang="en"' in english.text
    vietnamese = client.get("/desk/queue", headers={"accept-language": "vi-VN"})
    assert "Hàng đợi nhận định" in vietnamese.text and 'lang="vi"' in vietnamese.text
    switch = client.get("/lang/vi?next=/desk/queue", follow_redirects=False)
    assert switch.headers["location"] == "/desk/queue"
    assert "Hàng đợi nhận định" in client.get("/desk/queue").text  # cookie beats the browser
    assert (
        client.get("/lang/vi?next=https://evil.example", follow_redirects=False).headers["location"]
        == "/"
    )


def test_i18n_every_template_string_has_a_vietnamese_translation() -> None:
    pattern = re.compile(r"""_\((["'])(.+?)\1\)""")
    missing = set()
    # The public pages other than the tipline form belong to the publishing area.
    for template in TEMPLATES.rglob("*.html"):
        if template.parent.name == "public" and template.name != "submit.html":
            continue
        for _, text in pattern.findall(template.read_text(encoding="utf-8")):
            if text not in i18n.VI:
                missing.add(f"{template.name}: {text}")
    labels = re.findall(r'"(\w+)": "([^"]+)"', (TEMPLATES / "_actions.html").read_text())
    missing |= {label for _, label in labels if label not in i18n.VI}
    assert not missing, sorted(missing)


def test_i18n_workflow_reasons_translate() -> None:
    reason = "cannot publish: needs approval by a second person before publishing"
    assert i18n.translate(reason, "vi") == "không thể đăng: cần người thứ hai duyệt trước khi đăng"
    assert i18n.translate(reason, "en") == reason
    assert i18n.translate("cannot approve a fact-check in state draft", "vi").endswith("(bản nháp)")


def test_dashboard_lists_open_resurgence_alerts(
    personas: dict[str, Persona], db: sessionmaker[Session], claim_id: int
) -> None:
    if not hasattr(m, "Alert"):
        pytest.skip("detection's alerts table is not in this tree")
    with db.begin() as session:
        session.add(
            m.Alert(
                claim_id=claim_id,
                kind="resurgence",
                key="2024-05-01",
                message="A false claim is back: 6 mentions in 7 days",
            )
        )
        session.add(
            m.Alert(
                claim_id=claim_id,
                kind="resurgence",
                key="2024-01-01",
                message="An old alert somebody handled",
                acknowledged_at=datetime.now(UTC),
            )
        )
    page = personas["viewer"].get("/desk/").text
    assert "A false claim is back" in page and "somebody handled" not in page


def test_desk_more_requests_than_pooled_connections_all_finish(
    web_settings: object, database_url: str, db: sessionmaker[Session]
) -> None:
    """Connections go back to the pool even when every one is taken and more requests wait:
    nothing that may wait for a connection runs on the event loop."""
    import asyncio

    import httpx
    from sqlalchemy import create_engine

    from factdesk.web.app import create_app
    from tests.web.conftest import sign_in

    seed_claim(db)
    tight = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=5)
    app = create_app(web_settings, engine=tight)  # type: ignore[arg-type]
    token_persona = sign_in(app, db, "reader", "viewer")
    cookie = {"fd_session": token_persona.client.cookies["fd_session"]}

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", cookies=cookie
        ) as client:
            tasks = []
            for path in ["/desk/", "/desk/queue"] * 15:  # staggered: sign-in checks of new
                tasks.append(asyncio.create_task(client.get(path)))  # requests meet views
                await asyncio.sleep(0.003)  # of earlier ones that hold the connection
            responses = await asyncio.wait_for(asyncio.gather(*tasks), 60)
        return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * 30
    tight.dispose()
