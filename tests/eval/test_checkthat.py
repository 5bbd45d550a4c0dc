"""CheckThat! 2A readers: quoted TSV, TREC qrels, vclaim JSON straight from a zip."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factdesk.errors import InputError, ParseError
from factdesk.eval.checkthat import iter_vclaims, read_qrels, read_queries, write_run


def test_read_queries_handles_csv_quoting_and_embed_dates(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text(
        'q-1\tPlain text claim\nq-2\t"He said ""no"" twice" — Someone (@someone) March 5, 2020\n',
        encoding="utf-8",
    )
    queries = read_queries(path)
    assert list(queries) == ["q-1", "q-2"]
    assert queries["q-2"].text.startswith('He said "no" twice')
    assert queries["q-2"].date == datetime(2020, 3, 5, tzinfo=UTC)
    assert queries["q-1"].date is None


def test_read_queries_names_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text("q-1\tok\nlonely-id\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"q.tsv:2"):
        read_queries(path)


def test_read_qrels_keeps_relevant_only(tmp_path: Path) -> None:
    path = tmp_path / "qrels.tsv"
    path.write_text("q-1\t0\td-1\t1\nq-1\t0\td-2\t0\nq-2\t0\td-3\t1\n", encoding="utf-8")
    assert read_qrels(path) == {"q-1": {"d-1"}, "q-2": {"d-3"}}
    path.write_text("q-1 0 d-1\n", encoding="utf-8")
    with pytest.raises(ParseError):
        read_qrels(path)


def test_iter_vclaims_reads_zip_and_drops_author(tmp_path: Path) -> None:
    path = tmp_path / "v.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "vclaims/b.json",
            json.dumps(
                {
                    "vclaim_id": "b",
                    "vclaim": "Claim B.",
                    "title": "T",
                    "subtitle": "S",
                    "author": "Somebody",
                    "date": "6 March 2021",
                }
            ),
        )
        zf.writestr("vclaims/a.json", json.dumps({"vclaim": "Claim A.", "title": "", "date": "?"}))
    records = list(iter_vclaims(path))
    assert [r[0] for r in records] == ["a", "b"]
    b = records[1][1]
    # no language field: unknown, for the evaluation to identify (never assumed English)
    assert (b.claim_reviewed, b.title, b.summary, b.language) == ("Claim B.", "T", "S", None)
    assert b.date_published == datetime(2021, 3, 6, tzinfo=UTC)
    assert "Somebody" not in repr(b)
    assert records[0][1].title is None and records[0][1].date_published is None


def test_iter_vclaims_rejects_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("vclaims/x.json", "{not json")
    with pytest.raises(ParseError, match="x.json"):
        list(iter_vclaims(bad))
    (tmp_path / "nozip.zip").write_bytes(b"plain")
    with pytest.raises(InputError):
        list(iter_vclaims(tmp_path / "nozip.zip"))


def test_write_run_is_trec_format(tmp_path: Path) -> None:
    write_run(tmp_path / "run.tsv", {"q": [("d1", 0.9), ("d2", 0.5)]}, tag="t")
    lines = (tmp_path / "run.tsv").read_text().splitlines()
    assert lines == ["q\tQ0\td1\t1\t0.900000\tt", "q\tQ0\td2\t2\t0.500000\tt"]


def test_iter_vclaims_reads_a_declared_language(tmp_path: Path) -> None:
    path = tmp_path / "v.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("vclaims/a.json", json.dumps({"vclaim": "Impfung macht krank.", "lang": "deu"}))
        zf.writestr("vclaims/b.json", json.dumps({"vclaim": "Vaksin.", "language": "ms-MY"}))
    assert [fc.language for _, fc in iter_vclaims(path)] == ["de", "ms"]
