"""Done when: a fact-check published and then corrected in the app shows on the public page,
in the feed, in the ClaimReview markup and in signed webhooks; a withdrawal leaves a
tombstone. Driven in-process by two people, with a real receiver on 127.0.0.1 and the real
job queue and worker."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from lxml import html
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from factdesk.jobs import Worker
from factdesk.publish.claimreview import validate_claimreview
from factdesk.publish.signing import verify
from factdesk.queue import JobQueue
from factdesk.settings import Settings
from factdesk.store import models as m
from tests.publish.receiver import Receiver, receiver
from tests.web.conftest import Pages, Persona
from tests.web.test_flow import act, prepare_for_review


@pytest.fixture
def web_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "web_cache_seconds": 0.0,
            "data_dir": tmp_path / "desk",
            "queue": "sqlite",
            "queue_name": "workflowtest",
            "public_base_url": "https://checks.example.org",
            "org_name": "Example Checks",
            "webhook_backoff_base": 0.2,
            "webhook_backoff_max": 0.4,
        }
    )


@pytest.fixture
def hook(personas: dict[str, Persona]) -> Iterator[tuple[Receiver, str]]:
    admin = personas["admin"]
    with receiver([200]) as rec:
        created = admin.client.post(
            "/api/v1/webhooks", json={"url": rec.url}, headers={"X-CSRF-Token": admin.csrf}
        )
        assert created.status_code == 201
        yield rec, created.json()["secret"]


@pytest.fixture
def worker(web_settings: Settings, db: sessionmaker[Session]) -> Iterator[Worker]:
    queue = JobQueue(web_settings, factory=db)
    with Worker(queue, threads=1) as running:
        yield running
    queue.flush()
    queue.close()


def _events(rec: Receiver, secret: str, count: int) -> list[dict[str, object]]:
    requests = rec.wait_for(count)
    for request in requests:
        assert verify(secret, request.headers, request.body, now=time.time())
        Webhook(secret).verify(request.body, request.headers)  # the reference verifier
    return [json.loads(r.body) for r in requests]


def _markup(page: str) -> list[dict[str, object]]:
    nodes = html.fromstring(page).xpath('//script[@type="application/ld+json"]')
    return [json.loads(node.text) for node in nodes]


def test_publish_correct_withdraw_reach_page_feed_and_webhooks(
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    claim_id: int,
    evidence_server: Pages,
    hook: tuple[Receiver, str],
    worker: Worker,
) -> None:
    rec, secret = hook
    checker, editor, reader = personas["checker"], personas["editor"], personas["outsider"]
    fc_id = prepare_for_review(checker, db, claim_id, evidence_server)
    assert act(editor, db, fc_id, "approve") == 303
    assert act(editor, db, fc_id, "publish") == 303
    page_url = f"https://checks.example.org/fact-checks/{fc_id}/"

    # links from ingested items are internal until an editor makes them public
    (review,) = _markup(reader.get(f"/fact-checks/{fc_id}/").text)
    assert "appearance" not in review["itemReviewed"]
    for url in ("https://news.example/post/0", "https://news.example/post/3"):
        chosen = editor.post(
            f"/desk/claims/{claim_id}/appearances", {"url": url, "public": "1", "back": fc_id}
        )
        assert chosen.status_code == 303

    # published: the page, its markup, the feed and a signed webhook
    (review,) = _markup(reader.get(f"/fact-checks/{fc_id}/").text)
    assert validate_claimreview(review) == [] and review["url"] == page_url
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["author"]["name"] == "Example Checks"
    assert {a["url"] for a in review["itemReviewed"]["appearance"]} == {
        "https://news.example/post/0",
        "https://news.example/post/3",
    }
    feed = feedparser.parse(reader.get("/feed.atom").content)
    assert [e.link for e in feed.entries] == [page_url]
    (published,) = _events(rec, secret, 1)
    assert published["event"] == "fact_check.published"

    # corrected in the app: the verdict's text changes, so one editor proposes and a
    # second approves; then it is a new version with a public note, everywhere
    note = "The study followed 120,000 women, not 12,000; the rating is unchanged."
    proposed = editor.post(
        f"/desk/fact-checks/{fc_id}/correct",
        {
            "version": _version(db, fc_id),
            "note": note,
            "rating_label": "False",
            "summary": "No: a three-year study of 120,000 women found no change.",
            "explanation": "The ministry's study found no effect.",
            "title": "Vaccine X does not cause infertility",
        },
    )
    assert proposed.status_code == 303
    assert note not in reader.get(f"/fact-checks/{fc_id}/").text  # not public yet
    assert "correction under review" in editor.get(f"/desk/fact-checks/{fc_id}").text
    with db() as session:
        pending = session.scalar(select(m.FactCheckCorrection.id))
    second = personas["admin"].post(f"/desk/corrections/{pending}/approve", {})
    assert second.status_code == 303
    page = reader.get(f"/fact-checks/{fc_id}/").text
    assert note in page
    (corrected_review,) = _markup(page)
    assert corrected_review["dateModified"] >= corrected_review["datePublished"]
    assert corrected_review["version"] == 2
    entry = feedparser.parse(reader.get("/feed.atom").content).entries[0]
    assert entry.title.startswith("[Corrected]") and note in entry.content[0].value
    _, corrected = _events(rec, secret, 2)
    assert corrected["event"] == "fact_check.corrected"
    assert corrected["data"]["history"][-1]["note"] == note  # type: ignore[index]
    assert corrected["data"]["claimreview"]["dateModified"] == corrected_review["dateModified"]  # type: ignore[index]

    # withdrawn: a tombstone that says why, no verdict markup, and a webhook
    reason = "The report was retracted by the ministry."
    assert act(editor, db, fc_id, "withdraw", note=reason) == 303
    page = reader.get(f"/fact-checks/{fc_id}/").text
    assert reason in page and _markup(page) == []
    _, _, withdrawn = _events(rec, secret, 3)
    assert withdrawn["event"] == "fact_check.withdrawn"
    # The receiver has the request before the worker records the answer: wait for it.
    deadline = time.monotonic() + 10
    while True:
        with db() as session:
            statuses = session.scalars(select(m.WebhookDelivery.status)).all()
        if statuses == ["delivered"] * 3 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert statuses == ["delivered"] * 3


def test_publish_refused_when_claimreview_would_be_invalid(
    personas: dict[str, Persona],
    db: sessionmaker[Session],
    claim_id: int,
    evidence_server: Pages,
) -> None:
    """Markup that would be invalid stops publication with the reason shown, and nothing
    changes (the workflow transition rolls back with it)."""
    checker, editor = personas["checker"], personas["editor"]
    fc_id = prepare_for_review(checker, db, claim_id, evidence_server)
    assert act(editor, db, fc_id, "approve") == 303
    with db() as session:  # a claim text that is only spaces cannot be reviewed
        session.get_one(m.FactCheck, fc_id).claim_reviewed = "   "
        session.commit()
    response = editor.post(
        f"/desk/fact-checks/{fc_id}/transition",
        {"action": "publish", "version": _version(db, fc_id)},
    )
    assert response.status_code == 400
    assert "claimReviewed: missing" in response.text
    with db() as session:
        assert session.get_one(m.FactCheck, fc_id).status == "in_review"


def _version(db: sessionmaker[Session], fc_id: int) -> int:
    with db() as session:
        return session.get_one(m.FactCheck, fc_id).version
