"""CheckThat! 2022 Task 2A ("detecting previously fact-checked claims") in its public formats.

* queries: TSV ``iclaim_id<TAB>iclaim``, no header, CSV-style quoting (a text starting with
  ``"`` doubles inner quotes), so it is read with :mod:`csv`, not split on the tab;
* qrels: TREC ``iclaim_id 0 vclaim_id relevance``;
* vclaims: a zip of ``vclaims/<vclaim_id>.json`` files with ``vclaim``, ``title``,
  ``subtitle``, ``date`` (and more), read straight from the zip. A ``lang`` or ``language``
  field, when a copy of the data has one (multilingual sets converted to this layout), is
  the fact-check's declared language; without it the language is left unknown for the caller
  to identify (:func:`factdesk.eval.retrieval.with_languages`), never assumed English.

A vclaim maps to a :class:`~factdesk.types.FactCheck`: the claim as written by the
fact-checker is ``claim_reviewed``, the article title is ``title``, its subtitle ``summary``.
The author field is dropped on purpose (factdesk works on claims, not people).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from factdesk.errors import InputError, ParseError
from factdesk.text.langid import declared_language
from factdesk.types import FactCheck, Rating

# The date at the end of an embedded tweet: "— Name (@handle) January 14, 2020".
_EMBED_DATE = re.compile(r"\)\s+([A-Z][a-z]+ \d{1,2}, \d{4})\s*$")


@dataclass(frozen=True, slots=True)
class Query:
    """One input claim (a tweet) and, when its text carries one, the date it was posted."""

    id: str
    text: str
    date: datetime | None = None


def read_queries(path: Path) -> dict[str, Query]:
    """Every query of a CheckThat! queries TSV, by id, in file order."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read queries: {exc}", where=str(path)) from None
    queries: dict[str, Query] = {}
    for line_no, row in enumerate(csv.reader(io.StringIO(raw), delimiter="\t"), start=1):
        if not row or not row[0].strip():
            continue
        if len(row) < 2:
            raise ParseError("expected 'id<TAB>text'", where=f"{path}:{line_no}")
        qid, text = row[0].strip(), row[1]
        queries[qid] = Query(qid, text, _embed_date(text))
    return queries


def _embed_date(text: str) -> datetime | None:
    match = _EMBED_DATE.search(text)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%B %d, %Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def read_qrels(path: Path) -> dict[str, set[str]]:
    """The relevant document ids of each query in a TREC qrels file (relevance > 0 only)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read qrels: {exc}", where=str(path)) from None
    qrels: dict[str, set[str]] = {}
    for line_no, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise ParseError("expected 'query 0 doc relevance'", where=f"{path}:{line_no}")
        qid, _, doc, rel = parts
        try:
            relevant = int(rel) > 0
        except ValueError:
            raise ParseError(
                f"relevance {rel!r} is not a number", where=f"{path}:{line_no}"
            ) from None
        entry = qrels.setdefault(qid, set())
        if relevant:
            entry.add(doc)
    return qrels


def iter_vclaims(path: Path) -> Iterator[tuple[str, FactCheck]]:
    """``(vclaim_id, FactCheck)`` for every JSON file in a vclaims zip, in name order."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot open vclaims zip: {exc}", where=str(path)) from None
    with archive:
        for name in sorted(archive.namelist()):
            if not name.endswith(".json"):
                continue
            where = f"{path}:{name}"
            try:
                record = json.loads(archive.read(name).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ParseError(f"bad JSON: {exc}", where=where) from None
            if not isinstance(record, dict) or not str(record.get("vclaim", "")).strip():
                raise ParseError("no 'vclaim' text", where=where)
            vid = str(record.get("vclaim_id") or Path(name).stem)
            yield vid, _vclaim_fact_check(record)


def _vclaim_fact_check(record: dict[str, object]) -> FactCheck:
    def text(key: str) -> str | None:
        value = record.get(key)
        return str(value).strip() or None if value is not None else None

    date: datetime | None = None
    raw_date = text("date")
    if raw_date:
        try:
            date = datetime.strptime(raw_date, "%d %B %Y").replace(tzinfo=UTC)
        except ValueError:
            date = None
    return FactCheck(
        claim_reviewed=str(record["vclaim"]).strip(),
        rating=Rating(label=""),
        url=text("page_url"),
        title=text("title"),
        summary=text("subtitle"),
        publisher="Snopes",
        language=declared_language(record.get("lang") or record.get("language")),
        date_published=date,
    )


def write_run(path: Path, ranking: dict[str, list[tuple[str, float]]], tag: str) -> None:
    """Write rankings as a TREC run file (``qid Q0 doc rank score tag``)."""
    with path.open("w", encoding="utf-8") as fh:
        for qid, docs in ranking.items():
            for rank, (doc, score) in enumerate(docs, start=1):
                fh.write(f"{qid}\tQ0\t{doc}\t{rank}\t{score:.6f}\t{tag}\n")
