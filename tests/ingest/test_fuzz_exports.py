"""Fuzzing CSV and JSON Lines exports: any bytes, and generated exports with a text column
and random cells. Only InputError escapes; every data row is kept or rejected with a reason."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import strategies as st

from factdesk.ingest.exports import parse_csv, parse_jsonl
from tests.ingest.fuzzing import BUDGETS, TEXT, parsed_or_refused, run

HEADERS = st.lists(
    st.sampled_from(["text", "message", "url", "date", "created_time", "language", "id",
                     "platform", "author", "likes", "x"]),
    min_size=1, max_size=6, unique=True,
)  # fmt: skip
CELL = st.one_of(TEXT, st.sampled_from(["", "2024-02-30", "1e400", "http://", "vi", "-1"]))


@st.composite
def csv_exports(draw: st.DrawFn) -> tuple[bytes, int]:
    header = draw(HEADERS)
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return out.getvalue().encode(encoding, "replace"), len(rows)


@st.composite
def jsonl_exports(draw: st.DrawFn) -> bytes:
    values = st.one_of(CELL, st.integers(), st.none(), st.booleans(),
                       st.lists(CELL, max_size=2), st.dictionaries(TEXT, CELL, max_size=2))  # fmt: skip
    lines = draw(
        st.lists(
            st.one_of(
                st.dictionaries(HEADERS.flatmap(st.sampled_from), values, max_size=5).map(
                    json.dumps
                ),
                st.sampled_from(["[1]", "null", "{", '"text"', '{"text": "\\ud800"}', "", "   "]),
                TEXT,
            ),
            max_size=8,
        )
    )
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_csv_rows_kept_or_quarantined(profile: str) -> None:
    def check(export: tuple[bytes, int]) -> None:
        data, rows = export
        result = parsed_or_refused(lambda: parse_csv(data, origin="fuzz.csv"))
        if result is not None:
            assert len(result.records) + len(result.rejected) <= rows
            assert all(item.text.strip() for item in result.records)

    run(profile, csv_exports(), check)


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_csv_any_bytes(profile: str) -> None:
    run(profile, st.binary(max_size=600), lambda data: parsed_or_refused(
        lambda: parse_csv(data, origin="fuzz.csv")))  # fmt: skip


@pytest.mark.parametrize("profile", BUDGETS)
def test_fuzz_jsonl_every_line_kept_or_quarantined(profile: str) -> None:
    def check(data: bytes) -> None:
        result = parsed_or_refused(lambda: parse_jsonl(data, origin="fuzz.jsonl"))
        if result is None:
            return
        lines = [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
        assert len(result.records) + len(result.rejected) <= len(lines)
        assert all(item.text.strip() for item in result.records)

    run(profile, st.one_of(jsonl_exports(), st.binary(max_size=400)), check)
