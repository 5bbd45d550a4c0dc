"""The demo's fact-checks go through the real workflow and land on the public site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.demo import publish_samples
from factdesk.errors import NotFound
from factdesk.publish.claimreview import claimreview_jsonld, validate_claimreview
from factdesk.services import accounts as auth
from factdesk.services.publish import organisation
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.store.reads.public import iter_public
from tests.publish.seed import T0, add_claim


def test_publish_samples_publishes_and_corrects_through_the_workflow(
    db: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(db) as s:
        add_claim(
            s,
            "A glass of warm lemon water each morning cures cancer",
            "en",
            [("https://social.example/p/1", T0 - timedelta(days=3))],
        )
        add_claim(
            s,
            "They're putting tracking chips in this year's flu shots.",
            "en",
            [("https://social.example/p/2", T0)],
        )
        for claim in s.scalars(select(m.Claim)):
            claim.status = "new"  # detected, nobody has taken them yet
    with pytest.raises(NotFound, match="demo accounts"):
        publish_samples(settings, db)
    with transaction(db) as s:
        auth.add_user(s, "checker", "checker-password-1", "checker")
        auth.add_user(s, "editor", "editor-password-1", "editor")
        auth.add_user(s, "admin", "admin-password-12", "admin")
    lines = publish_samples(settings, db)
    assert len(lines) == 2 and lines[0].endswith("then corrected after review")
    with db() as s:
        published = list(iter_public(s))
        actions = s.scalars(
            select(m.AuditEvent.action)
            .where(m.AuditEvent.entity_type == "fact_check")
            .order_by(m.AuditEvent.id)
        ).all()
    assert {fc.status for fc in published} == {"published", "corrected"}
    corrected = next(fc for fc in published if fc.status == "corrected")
    assert (
        corrected.corrections[-1].note and "rating is unchanged" in corrected.corrections[-1].note
    )
    for fc in published:
        assert fc.citations and fc.citations[0].document_id is not None
        assert (
            validate_claimreview(
                claimreview_jsonld(fc, organisation(settings), settings.public_base_url)
            )
            == []
        )
    assert "fact_check.approve" in actions and "fact_check.correct" in actions
    # the corrected verdict changes its meaning: one editor proposed it, another approved it
    assert actions.index("correction.propose") < actions.index("correction.approve")
    with db() as s:
        proposed = s.scalar(select(m.FactCheckCorrection))
    assert proposed is not None and proposed.status == "published"
    assert proposed.author_id != proposed.reviewer_id
    assert publish_samples(settings, db) == []  # nothing is published twice


def _reviewed_claims() -> list[tuple[str, str, str]]:
    """(claim key, claim text, language) of every sample ClaimReview with evidence."""
    import json

    from factdesk.demo import sample_path

    scenarios = json.loads(sample_path("scenarios.json").read_text(encoding="utf-8"))
    key_of = {
        fc["url"]: key for key, claim in scenarios["claims"].items() for fc in claim["fact_checks"]
    }
    feed = json.loads(sample_path("claimreviews.jsonld").read_text(encoding="utf-8"))
    return [
        (key_of[item["url"]], item["claimReviewed"], item["inLanguage"])
        for element in feed["dataFeedElement"]
        for item in (element["item"] if isinstance(element["item"], list) else [element["item"]])
        if item["url"] in key_of
    ]


def test_demo_library_answers_the_sample_claims(
    db: sessionmaker[Session], settings: Settings
) -> None:
    """After the demo loads its library, research finds a document bearing on each sample
    claim among the top three passages (lexically here: the same-language documents; the
    dense part's cross-lingual answers are tested in tests/services/test_library.py)."""
    import json

    from factdesk.demo import load_library, sample_path
    from factdesk.services import research

    lexical = settings.model_copy(update={"match_dense": False})
    assert load_library(lexical, db) == 36
    assert load_library(lexical, db) == 0  # loading again changes nothing
    scenarios = json.loads(sample_path("scenarios.json").read_text(encoding="utf-8"))
    docs = {
        json.loads(line)["url"]: json.loads(line)["language"]
        for line in sample_path("evidence/library.jsonl").read_text(encoding="utf-8").splitlines()
    }
    bearing: dict[str, set[str]] = {}
    for entry in scenarios["evidence"]:
        for key in entry["bears_on"]:
            bearing.setdefault(key, set()).add(entry["url"])
    asked = found = 0
    with db() as session:
        for key, text, language in _reviewed_claims():
            same = {u for u in bearing.get(key, ()) if docs[u] == language}
            if not same:
                continue
            asked += 1
            top = research.research(lexical, session, text, k=3, language=language)
            found += any(e.source_url in same for e in top)
    assert asked >= 30 and found >= asked - 1, (found, asked)
