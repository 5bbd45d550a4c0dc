"""The whole flow in real headless Chromium: two people take a detected claim to a published
fact-check, and the browser shows every shortcut refused. Screenshots of the key pages go to
``test-artifacts/`` (git-ignored) for people to look at."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from tests.web.conftest import PASSWORD, QUOTE, REPORT, Pages, add_user, seed_claim

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free 127.0.0.1 port in a background thread."""
    import uvicorn

    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Desk:
    """One person's browser window, collecting console errors (a CSP violation shows there)."""

    def __init__(self, browser: Any, base: str, name: str) -> None:
        self.context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base, self.name = base, name
        self.errors: list[str] = []
        self.failed: list[str] = []  # responses >= 400, by URL
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}")
        )

    def _console(self, message: Any) -> None:
        # A failed load is reported by URL in ``failed``; anything else (a CSP violation,
        # a script error) is an error.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, password: str = PASSWORD) -> None:
        self.go("/desk/login")
        self.page.fill("input[name=username]", self.name)
        self.page.fill("input[name=password]", password)
        self.page.click("form[action='/desk/login'] button[type=submit]")
        self.page.wait_for_url(re.compile(r"/desk/$"))

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def press(self, action: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"button[data-action='{action}']")


def test_browser_two_people_publish_a_fact_check(
    live_server: str, browser: Any, db: sessionmaker[Session], evidence_server: Pages
) -> None:
    add_user(db, "chris", "checker")
    add_user(db, "erin", "editor")
    claim_id = seed_claim(db, "Vaccine X causes infertility in half of women", mentions=6)
    seed_claim(db, "Rice prices doubled this week", score=0.6)
    report_url = evidence_server.add("/report.html", REPORT)

    # 1. The checker signs in, finds the claim in the queue and starts a fact-check.
    chris = Desk(browser, live_server, "chris")
    chris.sign_in()
    assert chris.page.locator("svg.chart rect").count() > 0
    chris.shot("01-dashboard")
    chris.go("/desk/queue")
    chris.page.fill("input[name=q]", "vaccine")  # HTMX filters as you type
    chris.page.wait_for_function(
        "() => !document.querySelector('#queue-rows').textContent.includes('Rice prices')"
    )
    chris.shot("02-queue-search")
    chris.page.click(f"a[href='/desk/claims/{claim_id}']")
    chris.page.wait_for_url(re.compile(rf"/desk/claims/{claim_id}$"))
    chris.shot("03-claim")
    with chris.page.expect_navigation():
        chris.page.click("text=Start a fact-check")
    fc_url = chris.page.url
    fc_id = int(fc_url.rstrip("/").rsplit("/", 1)[1])

    # 2. Publishing is out of reach: no evidence, and a checker may not approve.
    assert chris.page.locator("button[data-action='draft']").is_disabled()
    assert "needs one cited source" in chris.page.inner_text("#workflow")

    # 3. Cite the report: it is fetched and archived on the spot.
    chris.page.fill("#cite-form input[name=url]", report_url)
    chris.page.fill("#cite-form textarea[name=quote]", QUOTE)
    chris.page.fill("#cite-form input[name=publisher]", "Health ministry")
    chris.page.fill("#cite-form input[name=date]", "2024-05-02")
    with chris.page.expect_navigation():
        chris.page.click("#cite-form button[type=submit]")
    assert chris.page.locator("#evidence-list a", has_text="archived copy").count() == 1
    assert "quote not found" not in chris.page.inner_text("#evidence-list")
    chris.press("draft")

    # 4. Draft the verdict; the Markdown preview updates through HTMX.
    chris.page.select_option("#verdict-form select[name=rating_label]", "False")
    chris.page.fill(
        "#verdict-form input[name=summary]",
        "No. A three-year study of 120,000 women found no change in fertility.",
    )
    chris.page.fill(
        "#verdict-form textarea[name=explanation]",
        "The ministry's **three-year study** found no effect on fertility.",
    )
    chris.page.wait_for_selector("#preview strong:has-text('three-year study')")
    with chris.page.expect_navigation():
        chris.page.click("#verdict-form button[type=submit]")
    chris.press("submit")
    assert (
        "in_review" in chris.page.inner_text("p.meta")
        or "In review" in chris.page.inner_text("p.meta")
        or chris.page.locator(".status-in_review").count() > 0
    )
    assert chris.page.locator("button[data-action='approve']").is_disabled()
    assert chris.page.locator("button[data-action='publish']").is_disabled()
    chris.shot("04-fact-check-in-review")

    # 5. The editor reviews: publish first is refused, approve, then publish.
    erin = Desk(browser, live_server, "erin")
    erin.sign_in()
    erin.go("/desk/review")
    erin.page.click(f"a[href='/desk/fact-checks/{fc_id}/review']")
    assert erin.page.locator("button[data-action='publish']").is_disabled()
    assert "needs another editor's approval first" in erin.page.inner_text("#workflow")
    erin.shot("05-review")
    erin.page.fill("form.action-approve textarea[name=note]", "Checked the report myself.")
    erin.press("approve")
    erin.press("publish")
    assert erin.page.locator(".status-published").count() > 0
    erin.shot("06-published-desk")

    # 6. Anyone sees the public page, with the quote and the archived copy.
    reader = Desk(browser, live_server, "reader")
    reader.go(f"/fact-checks/{fc_id}/")
    text = reader.page.inner_text("main")
    assert "Vaccine X causes infertility" in text and "False" in text and QUOTE in text
    reader.shot("07-public-page")

    for person in (chris, erin, reader):
        assert person.errors == [] and person.failed == [], (
            person.name,
            person.errors,
            person.failed,
        )
        person.context.close()


def test_browser_refuses_self_approval_and_viewer_edits(
    live_server: str, browser: Any, db: sessionmaker[Session], evidence_server: Pages
) -> None:
    add_user(db, "erin", "editor")
    add_user(db, "vic", "viewer")
    claim_id = seed_claim(db)
    erin = Desk(browser, live_server, "erin")
    erin.sign_in()
    erin.go(f"/desk/claims/{claim_id}")
    with erin.page.expect_navigation():
        erin.page.click("text=Start a fact-check")
    fc_id = int(erin.page.url.rstrip("/").rsplit("/", 1)[1])
    erin.page.fill("#cite-form input[name=url]", evidence_server.add("/r.html", REPORT))
    erin.page.fill("#cite-form textarea[name=quote]", QUOTE)
    with erin.page.expect_navigation():
        erin.page.click("#cite-form button[type=submit]")
    erin.press("draft")
    erin.page.select_option("#verdict-form select[name=rating_label]", "False")
    erin.page.fill("#verdict-form input[name=summary]", "No.")
    with erin.page.expect_navigation():
        erin.page.click("#verdict-form button[type=submit]")
    erin.press("submit")
    approve = erin.page.locator("button[data-action='approve']")
    assert approve.is_disabled()
    assert "you wrote this version: another editor must approve" in erin.page.inner_text(
        "#workflow"
    )
    erin.shot("08-self-approval-refused")
    # Forcing the disabled button's form anyway is refused by the server too.
    with erin.page.expect_navigation():  # wait for the answer, not the page already loaded
        erin.page.eval_on_selector("form.action-approve", "f => f.submit()")
    assert "cannot approve their own" in erin.page.inner_text("main")

    vic = Desk(browser, live_server, "vic")
    vic.sign_in()
    vic.go(f"/desk/fact-checks/{fc_id}")
    assert vic.page.locator("#verdict-form").count() == 0
    assert vic.page.locator("#cite-form").count() == 0
    assert vic.page.locator("button[data-action]:not([disabled])").count() == 0
    assert erin.failed == [f"409 {live_server}/desk/fact-checks/{fc_id}/transition"]
    for person in (erin, vic):
        assert person.errors == [], (person.name, person.errors)
        person.context.close()
