"""The newsroom walked by two (three) people in real headless Chromium: every case of the
walk-through that failed before, now held, with axe-core checking the pages it passes.

- a verdict change goes through review; a typo does not; a withdrawal is secondary and
  confirmed; a quote not found blocks approval until an editor records why it stays;
- links where the claim appeared are internal until an editor chooses them;
- no typed word is lost (submit without save, autosave, a stale save, an expired session);
- every greyed button says why; an already answered claim asks before work starts;
- labels on every control and a keyboard-only walk.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.store import models as m
from tests.web import test_browser as base
from tests.web.conftest import PASSWORD, QUOTE, REPORT, Pages, add_user, seed_claim
from tests.web.test_browser import Desk

pytestmark = base.pytestmark
live_server = base.live_server  # the fixtures of the first browser tests
browser = base.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SERIOUS = ("serious", "critical")


def axe(desk: Desk | Any, what: str) -> None:
    """Run axe-core on the page shown (a Desk's, or a bare page): no serious or critical
    violation of WCAG 2.x A/AA."""
    page = desk.page if isinstance(desk, Desk) else desk
    page.evaluate(AXE)  # through DevTools: the page's CSP allows no injected script
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
          });
          return result.violations.map(v => ({
            id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ')),
          }));
        }"""
    )
    bad = [v for v in found if v["impact"] in SERIOUS]
    assert bad == [], (what, bad)


def _fc_id(desk: Desk) -> int:
    found = re.search(r"/desk/fact-checks/(\d+)", desk.page.url)
    assert found, desk.page.url
    return int(found[1])


def _cite(desk: Desk, url: str, quote: str) -> None:
    desk.page.fill("#cite-form input[name=url]", url)
    desk.page.fill("#cite-form textarea[name=quote]", quote)
    with desk.page.expect_navigation():
        desk.page.click("#cite-form button[type=submit]")


def _fresh(browser: Any, base: str, path: str) -> str:
    """A public page as a new reader sees it (readers' browsers may keep a page 60 s)."""
    reader = Desk(browser, base, "new-reader")
    reader.go(path)
    text = reader.page.inner_text("main")
    assert reader.errors == [], reader.errors
    reader.context.close()
    return text


def _why(desk: Desk, action: str) -> str:
    return desk.page.inner_text(f"#why-{action}")


def test_browser_verdict_changes_citations_and_links_go_through_two_editors(
    live_server: str, browser: Any, db: sessionmaker[Session], evidence_server: Pages
) -> None:
    add_user(db, "chris", "checker")
    add_user(db, "erin", "editor")
    add_user(db, "olga", "editor")
    claim_id = seed_claim(db, "Vaccine X causes infertility in half of women", mentions=3)
    with db.begin() as session:  # a local file seen by an ingest run: never public
        item = m.Item(dedupe_key="file", url="file:///srv/feeds/x.html", text="t", content_hash="h")
        session.add(item)
        session.flush()
        session.add(
            m.Mention(item_id=item.id, claim_id=claim_id, text="t", start=0, end=1, score=1)
        )
    report = evidence_server.add("/report.html", REPORT)

    chris = Desk(browser, live_server, "chris")
    chris.go("/desk/login")
    axe(chris, "sign-in page")
    chris.sign_in()
    axe(chris, "dashboard")
    chris.go(f"/desk/claims/{claim_id}")
    axe(chris, "claim page")
    with chris.page.expect_navigation():
        chris.page.click("text=Start a fact-check")
    fc_id = _fc_id(chris)
    # every greyed button says why, in plain words
    assert chris.page.locator("button[data-action='draft']").is_disabled()
    assert _why(chris, "draft") == "needs one cited source"
    axe(chris, "fact-check, researching")

    # a misquote and an honest quote
    _cite(chris, report, "fertility fell by half")
    _cite(chris, report, QUOTE)
    assert chris.page.locator("#evidence-list .warn").count() == 1
    chris.press("draft")

    # typed, never saved, then "Submit for review": the typed verdict is what goes
    chris.page.select_option("#verdict-form select[name=rating_label]", "False")
    typed = "No. A three-year study of 120,000 women found no change in fertility."
    chris.page.fill("#verdict-form input[name=summary]", typed)
    chris.page.fill("#verdict-form input[name=title]", "Vaccine X does not cause infertility")
    chris.press("submit")
    assert chris.page.locator(".status-in_review").count() > 0
    assert typed in chris.page.inner_text(".verdict")
    assert _why(chris, "approve") == "only an editor can do this"

    # the editor: approval is blocked by the misquote until she records why it stays
    erin = Desk(browser, live_server, "erin")
    erin.sign_in()
    erin.go(f"/desk/fact-checks/{fc_id}/review")
    assert erin.page.locator("button[data-action='approve']").is_disabled()
    assert "archived copy" in _why(erin, "approve")
    axe(erin, "review page")
    erin.shot("19-quote-blocks-approval")
    reason = "The report's table gives it as a figure; the archived text lost the table."
    erin.page.fill("form.keep-quote textarea[name=reason]", reason)
    with erin.page.expect_navigation():
        erin.page.click("form.keep-quote button[type=submit]")
    erin.press("approve")
    erin.press("publish")
    assert erin.page.locator(".status-published").count() > 0

    # links: nothing public until chosen; a file link can never be
    erin.go(f"/desk/fact-checks/{fc_id}")
    assert erin.page.locator("text=not a web link: stays internal").count() == 1
    with erin.page.expect_navigation():
        erin.page.locator(
            "form:has(input[value='https://news.example/post/1']) button", has_text="Make public"
        ).click()
    reader = Desk(browser, live_server, "reader")
    reader.go(f"/fact-checks/{fc_id}/")
    public = reader.page.inner_text("main")
    assert reason in public  # the reason beside the quote
    assert "https://news.example/post/1" in reader.page.content()
    assert (
        "news.example/post/2" not in reader.page.content()
        and "file://" not in reader.page.content()
    )
    axe(reader, "public fact-check")
    reader.go("/")
    axe(reader, "public index")

    # a verdict change: proposed by one editor, the public keeps the approved verdict
    erin.go(f"/desk/fact-checks/{fc_id}")
    erin.page.click("details.correction summary")
    options = erin.page.locator(
        "details.correction select[name=rating_label] option"
    ).all_inner_texts()
    assert options[0] == "(not rated yet)" and "False (1)" in options  # values kept
    erin.page.select_option("details.correction select[name=rating_label]", "Mostly false")
    erin.page.fill(
        "details.correction textarea[name=note]", "Fertility fell slightly in one group."
    )
    with erin.page.expect_navigation():
        erin.page.click("details.correction button[type=submit]")
    assert "correction under review" in erin.page.inner_text("p.meta")
    own = erin.page.locator("section.pending-correction button", has_text="Approve")
    assert own.is_disabled()
    assert "another editor must approve" in erin.page.inner_text("#why-approve-correction")
    axe(erin, "correction under review")
    erin.shot("20-correction-under-review")
    assert "Mostly false" not in _fresh(browser, live_server, f"/fact-checks/{fc_id}/")

    olga = Desk(browser, live_server, "olga")
    olga.sign_in()
    olga.go(f"/desk/fact-checks/{fc_id}")
    with olga.page.expect_navigation():
        olga.page.click("section.pending-correction button:has-text('Approve')")
    # the editor's own browser shows the new verdict at once (no shared cache for staff)
    erin.go(f"/fact-checks/{fc_id}/")
    assert "Mostly false" in erin.page.inner_text("main")
    assert "Fertility fell slightly in one group." in _fresh(
        browser, live_server, f"/fact-checks/{fc_id}/"
    )

    # a typo: one editor, at once, listed in the public history
    erin.go(f"/desk/fact-checks/{fc_id}")
    erin.page.click("details.correction summary")
    erin.page.fill("details.correction input[name=title]", "Vaccine X does not cause infertilty")
    erin.page.fill("details.correction textarea[name=note]", "Typo in the headline.")
    with erin.page.expect_navigation():
        erin.page.click("details.correction button[type=submit]")
    assert "Typo in the headline." in _fresh(browser, live_server, f"/fact-checks/{fc_id}/")

    # withdrawing is secondary and confirmed
    erin.go(f"/desk/fact-checks/{fc_id}")
    assert erin.page.locator("details.action-withdraw summary").is_visible()
    erin.page.click("details.action-withdraw summary")
    erin.page.fill("details.action-withdraw textarea[name=note]", "The ministry retracted it.")
    erin.page.once("dialog", lambda dialog: dialog.dismiss())
    erin.page.click("button[data-action='withdraw']")
    erin.page.wait_for_timeout(200)
    assert erin.page.locator(".status-corrected").count() > 0  # dismissed: nothing happened
    erin.page.once("dialog", lambda dialog: dialog.accept())
    erin.press("withdraw")
    assert erin.page.locator(".status-withdrawn").count() > 0
    feed = reader.page.request.get(f"{live_server}/feed.atom").text()
    assert "Withdrawn (" in feed

    for person in (chris, erin, olga, reader):
        assert person.errors == [], (person.name, person.errors)
        person.context.close()


def test_browser_no_typed_word_is_lost(
    live_server: str, browser: Any, db: sessionmaker[Session], evidence_server: Pages
) -> None:
    add_user(db, "chris", "checker")
    claim_id = seed_claim(db, "Rice prices doubled this week", mentions=2)
    chris = Desk(browser, live_server, "chris")
    chris.sign_in()
    chris.go(f"/desk/claims/{claim_id}")
    with chris.page.expect_navigation():
        chris.page.click("text=Start a fact-check")
    fc_id = _fc_id(chris)
    _cite(chris, evidence_server.add("/r.html", REPORT), QUOTE)
    chris.press("draft")

    # autosave: typing is kept on the server a moment after it stops
    chris.page.fill("#verdict-form input[name=summary]", "Autosaved words")
    chris.page.wait_for_function(
        "() => document.querySelector('#verdict-form .autosave-status').textContent.includes('Draft kept')"
    )
    with db() as session:
        kept = session.scalar(select(m.UserDraft.fields))
    assert kept is not None and kept["summary"] == "Autosaved words"

    # a stale save: both texts side by side, the typed one still in the form
    other = chris.context.new_page()
    other.goto(f"{live_server}/desk/fact-checks/{fc_id}")
    chris.page.fill("#verdict-form input[name=summary]", "Saved in the first tab")
    with chris.page.expect_navigation():
        chris.page.click("#verdict-form button[type=submit]")
    other.fill("#verdict-form input[name=summary]", "Typed in the second tab")
    with other.expect_navigation():
        other.click("#verdict-form button:has-text('Save')")
    assert "Someone saved first" in other.inner_text("h1")
    other.screenshot(path=str(base.ARTIFACTS / "21-conflict.png"), full_page=True)
    axe(other, "conflict page")
    assert "Saved in the first tab" in other.inner_text("section[aria-labelledby=theirs]")
    assert other.input_value("#verdict-form input[name=summary]") == "Typed in the second tab"
    with other.expect_navigation():
        other.click("#verdict-form button[type=submit]")
    assert other.input_value("#verdict-form input[name=summary]") == "Typed in the second tab"
    other.close()

    # the session ends while typing: the text goes through the sign-in page
    chris.go(f"/desk/fact-checks/{fc_id}")
    with db.begin() as session:
        session.execute(
            update(m.WebSession).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    chris.page.fill("#verdict-form input[name=summary]", "Written while signed out")
    with chris.page.expect_navigation():
        chris.page.click("#verdict-form button:has-text('Save')")
    assert "the text you sent is kept" in chris.page.inner_text("main")
    axe(chris, "sign-in page keeping the text")
    chris.page.fill("input[name=username]", "chris")
    chris.page.fill("input[name=password]", PASSWORD)
    with chris.page.expect_navigation():
        chris.page.click("form[action='/desk/login'] button[type=submit]")
    assert "You have unsaved text" in chris.page.inner_text("main")
    with chris.page.expect_navigation():
        chris.page.click("text=Put it back in the form")
    assert chris.page.input_value("#verdict-form input[name=summary]") == "Written while signed out"
    axe(chris, "fact-check with a draft put back")
    assert chris.errors == [], chris.errors
    chris.context.close()


def test_browser_answered_claim_asks_first_and_keyboard_walk(
    live_server: str, browser: Any, db: sessionmaker[Session]
) -> None:
    add_user(db, "chris", "checker")
    twin = seed_claim(db, "Vaccine X makes half of women infertile", mentions=2)
    with db.begin() as session:
        fc = m.FactCheck(
            origin="imported",
            status="published",
            dedupe_key="imported:x",
            claim_reviewed="Vaccine X causes infertility",
            rating_label="False",
            url="https://checks.example.net/vaccine-x",
            publisher="Another Desk",
            content_hash="h",
        )
        session.add(fc)
        session.flush()
        session.add(m.ClaimMatch(claim_id=twin, fact_check_id=fc.id, score=1.0, band="auto"))
    chris = Desk(browser, live_server, "chris")
    chris.sign_in()
    chris.go("/desk/queue")
    badge = chris.page.locator(f"tr:has(a[href='/desk/claims/{twin}']) .badge-answered")
    assert badge.inner_text() == "already answered"
    axe(chris, "queue")
    chris.go(f"/desk/claims/{twin}")
    chris.page.click("text=Start a fact-check")  # the browser asks for the confirmation
    assert chris.page.url.endswith(f"/desk/claims/{twin}")

    # keyboard only: tick the confirmation and start, then every control has a name
    chris.page.focus("input[name=confirm]")
    chris.page.keyboard.press("Space")
    chris.page.keyboard.press("Tab")
    with chris.page.expect_navigation():
        chris.page.keyboard.press("Enter")
    assert "/desk/fact-checks/" in chris.page.url
    unnamed = chris.page.evaluate(
        """() => {
          const out = [];
          for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
            const named = el.labels && el.labels.length || el.getAttribute('aria-label')
              || (el.tagName === 'BUTTON' && el.textContent.trim());
            if (!named) out.push(el.outerHTML.slice(0, 120));
          }
          return out;
        }"""
    )
    assert unnamed == []
    seen = []
    for _ in range(60):  # Tab reaches the form controls in order
        chris.page.keyboard.press("Tab")
        seen.append(
            chris.page.evaluate(
                "() => document.activeElement.name || document.activeElement.textContent.trim()"
            )
        )
    assert "url" in seen and "quote" in seen
    assert chris.errors == [], chris.errors
    chris.context.close()
