"""`factdesk detect`, `claims`, `alerts` and the detection evals, run in-process."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.model import write_keyword_model
from factdesk.store import models as m
from factdesk.store.db import transaction

LEMON_EN = "Hot lemon water cures cancer in three days."
LEMON_VI = "Nước chanh nóng chữa khỏi ung thư trong ba ngày."
PETROL = "Petrol prices will double next month."


@pytest.fixture
def keyword_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "model"
    write_keyword_model(directory, [LEMON_EN, LEMON_VI, PETROL])
    monkeypatch.setenv("FACTDESK_DETECT_MODEL_DIR", str(directory))
    monkeypatch.setenv("FACTDESK_CLUSTER_DENSE", "false")  # no transformer in the CLI tests
    return directory


def _items(db: sessionmaker[Session], texts: list[tuple[str, str, str]]) -> None:
    with transaction(db) as session:
        for i, (text, language, day) in enumerate(texts):
            session.add(
                m.Item(
                    dedupe_key=f"k{i}",
                    text=text,
                    language=language,
                    content_hash=str(i),
                    published_at=datetime.fromisoformat(day).replace(tzinfo=UTC),
                )
            )


def test_cli_detect_then_claims_list_and_show(cli, db, keyword_model) -> None:  # type: ignore[no-untyped-def]
    _items(
        db,
        [
            (LEMON_EN, "en", "2026-01-01"),
            (LEMON_EN, "en", "2026-01-02"),
            (f"Hello there. {PETROL}", "en", "2026-01-03"),
        ],
    )
    result = cli("detect", "--no-match")
    assert result.code == 0, result.err
    assert "3 items, 3 mentions, 2 new claims" in result.out
    again = cli("detect")
    assert "0 items" in again.out
    listed = cli("claims", "list", "--format", "json")
    rows = json.loads(listed.out)
    assert [r["mentions"] for r in rows] == [2, 1]
    assert rows[0]["text"] == LEMON_EN
    table = cli("claims", "list")
    assert "Hot lemon water" in table.out
    shown = cli("claims", "show", str(rows[0]["id"]), "--format", "json")
    detail = json.loads(shown.out)
    assert len(detail["mentions"]) == 2 and "cause and effect" in detail["why"]
    text_view = cli("claims", "show", str(rows[0]["id"]))
    assert "why:" in text_view.out and "per day:" in text_view.out


def test_cli_json_keeps_its_keys(cli, db, keyword_model) -> None:  # type: ignore[no-untyped-def]
    """`claims list`, `claims show` and `alerts list` print the same JSON keys as always."""
    _items(db, [(LEMON_EN, "en", "2026-01-01"), (PETROL, "en", "2026-01-02")])
    assert cli("detect", "--no-match").code == 0
    rows = json.loads(cli("claims", "list", "--format", "json").out)
    lemon = next(r for r in rows if r["text"] == LEMON_EN)
    with transaction(db) as session:
        session.add(
            m.FactCheck(
                dedupe_key="fc",
                claim_reviewed=LEMON_EN,
                rating_label="False",
                claim_id=lemon["id"],
                url="https://checks.example/lemon",
                content_hash="x",
            )
        )
        session.add(
            m.Alert(
                claim_id=lemon["id"],
                kind="resurgence",
                key="k",
                message="back",
                details={"quiet_days": 200, "started_at": "2026-11-02T00:00:00+00:00"},
            )
        )
    rows = json.loads(cli("claims", "list", "--format", "json").out)
    lemon = next(r for r in rows if r["text"] == LEMON_EN)
    assert list(lemon) == [
        "id",
        "rank",
        "score",
        "mentions",
        "sources",
        "languages",
        "text",
        "status",
        "first_seen_at",
        "last_seen_at",
        "fact_check",
        "fact_check_rating",
        "fact_check_band",
        "alert",
    ]
    assert lemon["fact_check"] == "https://checks.example/lemon" and lemon["alert"] is True
    assert (lemon["fact_check_rating"], lemon["fact_check_band"]) == ("False", "linked")
    assert lemon["first_seen_at"] == "2026-01-01T00:00:00+00:00" and lemon["languages"] == "en"
    detail = json.loads(cli("claims", "show", str(lemon["id"]), "--format", "json").out)
    assert list(detail) == [
        "id",
        "text",
        "language",
        "score",
        "status",
        "merged_into_id",
        "linked_at",
        "mention_count",
        "first_seen_at",
        "last_seen_at",
        "why",
        "daily_counts",
        "fact_checks",
        "similar",
        "alerts",
        "mentions",
    ]
    assert detail["daily_counts"] == {"2026-01-01": 1}
    assert detail["first_seen_at"] == "2026-01-01 00:00:00+00:00"  # str() of the datetime
    (link,) = detail["fact_checks"]
    assert link == {
        "fact_check_id": link["fact_check_id"],
        "claim_reviewed": LEMON_EN,
        "rating": "False",
        "rated_false": True,
        "publisher": None,
        "url": "https://checks.example/lemon",
        "language": None,
        "date_published": None,
        "band": "linked",
        "match_score": None,
    }
    (alert,) = detail["alerts"]
    assert list(alert) == ["id", "kind", "message", "created_at", "acknowledged_at", "details"]
    (mention,) = detail["mentions"]
    assert list(mention) == [
        "mention_id",
        "item_id",
        "seen_at",
        "language",
        "score",
        "signals",
        "why",
        "text",
        "url",
        "source",
    ]
    assert isinstance(mention["signals"], list) and mention["text"] == LEMON_EN
    (listed,) = json.loads(cli("alerts", "list", "--format", "json").out)
    assert listed == {
        "id": alert["id"],
        "claim_id": lemon["id"],
        "kind": "resurgence",
        "message": "back",
        "claim": LEMON_EN,
        "created_at": listed["created_at"],
        "acknowledged_at": None,
        "started_at": "2026-11-02T00:00:00+00:00",
        "quiet_days": 200,
        "mentions_in_window": None,
        "fact_check_url": None,
    }
    table = cli("alerts", "list")
    assert "back" in table.out and "200" in table.out


def test_cli_merge_split_and_errors(cli, db, keyword_model) -> None:  # type: ignore[no-untyped-def]
    _items(db, [(LEMON_EN, "en", "2026-01-01"), (PETROL, "en", "2026-01-02")])
    assert cli("detect", "--no-match").code == 0
    rows = json.loads(cli("claims", "list", "--format", "json").out)
    a, b = sorted(r["id"] for r in rows)
    merged = cli("claims", "merge", str(a), str(b), "--actor", "editor1")
    assert merged.code == 0 and f"into {a}" in merged.out
    again = cli("claims", "merge", str(a), str(b))
    assert again.code == 1 and "already merged" in again.err
    mention_ids = [
        x["mention_id"]
        for x in json.loads(cli("claims", "show", str(a), "--format", "json").out)["mentions"]
    ]
    split = cli("claims", "split", str(a), str(mention_ids[-1]))
    assert split.code == 0 and "new claim" in split.out
    missing = cli("claims", "show", "9999")
    assert missing.code == 1 and "no claim 9999" in missing.err


def test_cli_alerts_list_and_ack(cli, db, keyword_model) -> None:  # type: ignore[no-untyped-def]
    _items(db, [(LEMON_EN, "en", "2026-01-01")])
    cli("detect", "--no-match")
    with transaction(db) as session:
        claim_id = session.scalars(select(m.Claim.id)).one()
        session.add(
            m.Alert(
                claim_id=claim_id,
                kind="resurgence",
                key="2026-11-02",
                message="Claim rated 'False' is back",
                details={"quiet_days": 265},
            )
        )
    rows = json.loads(cli("alerts", "list", "--format", "json").out)
    assert rows[0]["claim_id"] == claim_id and rows[0]["quiet_days"] == 265
    assert cli("alerts", "ack", str(rows[0]["id"])).code == 0
    assert json.loads(cli("alerts", "list", "--format", "json").out) == []


def test_cli_eval_checkworthiness_prints_json_last(cli, tmp_path, keyword_model) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "ct.tsv"
    data.write_text(
        "Sentence_id\tText\tclass_label\n1\tTaxes rose by 20 percent.\tYes\n"
        "2\tThank you all.\tNo\n",
        encoding="utf-8",
    )
    result = cli("eval", "checkworthiness", "--data", str(data))
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert figures["f1_yes"] == 1.0 and figures["accuracy"] == 1.0
    assert {"precision_yes", "recall_yes", "sentences_per_s", "brier"} <= set(figures)
    assert sum(b["rows"] for b in figures["reliability"]) == 2


def test_cli_eval_checkworthiness_writes_the_reliability_diagram(
    cli, tmp_path, keyword_model
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "ct.tsv"
    data.write_text(
        "Sentence_id\tText\tclass_label\n1\tTaxes rose by 20 percent.\tYes\n"
        "2\tThank you all.\tNo\n",
        encoding="utf-8",
    )
    svg = tmp_path / "reliability.svg"
    result = cli("eval", "checkworthiness", "--data", str(data), "--reliability-svg", str(svg))
    assert result.code == 0, result.err
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "ct.tsv" in text and text.count("<circle") >= 1


def test_cli_eval_paraphrase_prints_json_last(cli, tmp_path, keyword_model) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "vnpara"
    folder.mkdir()
    first = [LEMON_VI, PETROL, LEMON_EN, "Nước chanh nóng chữa khỏi ung thư"]
    second = [LEMON_VI, LEMON_EN, LEMON_EN, "Petrol prices will double"]
    (folder / "Sentences1.txt").write_text("\n".join(first) + "\n", encoding="utf-8")
    (folder / "Sentences2.txt").write_text("\n".join(second) + "\n", encoding="utf-8")
    (folder / "Labels.txt").write_text("1\n0\n1\n0\n", encoding="utf-8")
    result = cli("eval", "paraphrase", "--dir", str(folder), "--folds", "2")
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert {"accuracy", "f1"} <= set(figures) and figures["pairs"] == 4


def test_cli_eval_checkworthiness_bad_file_is_one_line_error(cli, tmp_path, keyword_model) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "bad.tsv"
    data.write_text("nope\n", encoding="utf-8")
    result = cli("eval", "checkworthiness", "--data", str(data))
    assert result.code == 1 and "not a CheckThat!" in result.err


def test_cli_detect_link_all_links_waiting_claims(  # type: ignore[no-untyped-def]
    cli, db, keyword_model, monkeypatch
) -> None:
    import numpy as np

    from factdesk.services import detect

    class Translations:
        """Stands in for multilingual-e5: the two lemon wordings share a vector."""

        dim = 2

        def encode(self, texts: list[str], languages: list[str | None]) -> np.ndarray:
            return np.asarray(
                [[1.0, 0.0] if "lemon" in t or "chanh" in t else [0.0, 1.0] for t in texts]
            )

    monkeypatch.setattr(detect, "dense_encoder", lambda _s, _m: Translations())
    monkeypatch.setenv("FACTDESK_CLUSTER_LINK_BUDGET", "0")
    _items(db, [(LEMON_EN, "en", "2026-01-01"), (LEMON_VI, "vi", "2026-01-02")])
    first = cli("detect", "--no-match")
    assert first.code == 0, first.err
    assert "0 linked (0 merged, 2 waiting)" in first.out
    rows = json.loads(cli("claims", "list", "--format", "json").out)
    assert "not linked yet" in cli("claims", "show", str(rows[0]["id"])).out
    with transaction(db) as session:  # a busy stream: only --link-all links past the budget
        session.add(m.Item(dedupe_key="k9", text=PETROL, language="en", content_hash="9"))
    linked = cli("detect", "--no-match", "--link-all")
    assert linked.code == 0, linked.err
    assert "3 linked (1 merged, 0 waiting)" in linked.out, linked.out
    rows = json.loads(cli("claims", "list", "--format", "json").out)
    lemon = next(r for r in rows if r["text"] == LEMON_EN)
    assert lemon["mentions"] == 2 and set(lemon["languages"].split(",")) == {"en", "vi"}


def test_cli_eval_sample_detection_scores_the_answer_key(cli, keyword_model) -> None:  # type: ignore[no-untyped-def]
    result = cli("eval", "sample-detection")
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert set(figures) == {"model", "en", "vi"}
    assert figures["vi"]["claim_items"] > 30 and figures["vi"]["other_items"] > 5
    assert 0.0 <= figures["en"]["auc"] <= 1.0
