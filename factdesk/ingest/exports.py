"""CSV and JSONL exports of posts (social media tools, spreadsheets, scrapers) to items.

Columns are found by name (see :data:`CANDIDATES`, names compared case- and
punctuation-insensitively, ``createdAt`` = ``created_at`` = ``Created At``) unless the
caller names them in a :class:`ColumnMapping`. Only the six mapped columns — text, url,
time, platform, language, id — ever reach a record. Columns that describe people
(author, user, handle, account, profile, name...) are refused as a mapping and reported
in ``meta`` by name only, so a user can see they were dropped.

Both readers stream: memory stays flat on files of any size, each row costs a few
microseconds (one ``json.loads`` or csv split, one ``fromisoformat``, one dataclass), and
a bad row becomes a :class:`Rejected` with its real line number — a quoted CSV field over
several lines is counted as those lines.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from itertools import chain
from typing import TextIO

from factdesk.errors import InputError
from factdesk.ingest.dates import parse_datetime
from factdesk.ingest.decode import decode_text
from factdesk.ingest.fields import http_url, language_code, scrub
from factdesk.ingest.redact import (
    AUTHOR_TOKENS,
    is_author_column,
    line_excerpt,
    normalise_name,
    record_excerpt,
)
from factdesk.types import Item, ParseResult, Rejected

__all__ = [
    "AUTHOR_TOKENS",
    "CANDIDATES",
    "ColumnMapping",
    "is_author_column",
    "iter_csv",
    "iter_jsonl",
    "parse_csv",
    "parse_jsonl",
]


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column (CSV header) or key (JSONL) holds each field; None means "find it by
    name". Name only the ones auto-detection gets wrong."""

    text: str | None = None
    url: str | None = None
    time: str | None = None
    platform: str | None = None
    language: str | None = None
    id: str | None = None


FIELDS = tuple(f.name for f in fields(ColumnMapping))

# Auto-detection: the first candidate present wins (names in normalised form).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": (
        "text", "full_text", "message", "content", "body", "post_text", "post_message",
        "message_text", "post_content", "tweet", "tweet_text", "caption", "post", "status",
        "description", "nội_dung", "noi_dung",
    ),
    "url": (
        "url", "link", "permalink", "permalink_url", "post_url", "post_link", "tweet_url",
        "href", "uri", "đường_dẫn", "liên_kết",
    ),
    "time": (
        "created_at", "created_time", "date", "time", "timestamp", "datetime", "date_time",
        "published_at", "published", "posted_at", "post_date", "post_created", "created",
        "creation_time", "thời_gian", "thoi_gian", "ngày_đăng", "ngày", "ngay",
    ),
    "platform": ("platform", "network", "social_network", "site", "source"),
    "language": ("lang", "language", "lang_code", "language_code", "locale", "ngôn_ngữ"),
    "id": (
        "id", "post_id", "id_str", "message_id", "tweet_id", "status_id", "item_id",
        "external_id", "ccpageid_postid",
    ),
}  # fmt: skip

_DELIMITERS = (",", ";", "\t", "|")


# --- CSV -----------------------------------------------------------------------------------


def iter_csv(
    lines: Iterable[str] | TextIO,
    *,
    origin: str,
    mapping: ColumnMapping | None = None,
    meta: dict[str, str] | None = None,
) -> Iterator[Item | Rejected]:
    """Stream the rows of a CSV export (first row: the header) as items or rejections.

    The delimiter (comma, semicolon, tab or bar) is the one most frequent in the header.
    ``meta``, when given, is filled once the header is read (see :func:`parse_csv`).
    Raises :class:`InputError` when no text column can be found or a mapped column is
    missing or names a person.
    """
    _check_mapping(mapping, origin=origin)
    source = iter(lines)
    first = next(source, None)
    while first is not None and not first.strip():
        first = next(source, None)
    if first is None:
        return
    first = first.lstrip("\ufeff")
    delimiter = max(_DELIMITERS, key=first.count)
    captured: list[str] = []

    def capture(stream: Iterator[str]) -> Iterator[str]:
        for line in stream:
            captured.append(line)
            yield line

    reader = csv.reader(capture(chain([first], source)), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"unreadable CSV header: {exc}", where=f"{origin} line 1") from None
    columns = _resolve(header, mapping, origin=f"{origin} line 1")
    if meta is not None:
        meta.update(_meta(header, columns, delimiter))
    width = len(header)
    authors = any(is_author_column(name) for name in header)

    def cells(row: list[str]) -> str:
        return record_excerpt(dict(zip(header, row, strict=False)))

    _, url_i, time_i, platform_i, language_i, id_i = (columns[f] for f in FIELDS)
    text_i = columns["text"]
    assert text_i is not None  # _resolve guarantees a text column
    text_name = header[text_i]
    time_name = header[time_i] if time_i is not None else ""
    previous = reader.line_num
    captured.clear()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = f"{origin} line {previous + 1}"
            raw = line_excerpt("".join(captured), header_has_authors=authors)
            yield Rejected(where, f"malformed CSV: {exc}", raw)
            previous = reader.line_num
            captured.clear()
            continue
        line = previous + 1
        previous = reader.line_num
        if len(row) != width:
            if not row or (len(row) == 1 and not row[0].strip()):
                captured.clear()
                continue  # a blank line
            if len(row) < width or any(cell.strip() for cell in row[width:]):
                reason = f"expected {width} columns, found {len(row)}"
                # Cells out of place cannot be told apart: withheld if any could be a person.
                raw = line_excerpt("".join(captured), header_has_authors=authors)
                yield Rejected(f"{origin} line {line}", reason, raw)
                captured.clear()
                continue
        text = row[text_i].strip()
        if not text:
            reason = f"missing text (column {text_name!r})"
            yield Rejected(f"{origin} line {line}", reason, cells(row))
            captured.clear()
            continue
        published = None
        if time_i is not None and row[time_i]:
            try:
                published = parse_datetime(row[time_i])
            except ValueError:
                reason = f"unparseable date {row[time_i][:60]!r} (column {time_name!r})"
                yield Rejected(f"{origin} line {line}", reason, cells(row))
                captured.clear()
                continue
        captured.clear()
        yield Item(
            text=text.replace("\x00", "") if "\x00" in text else text,
            url=http_url(row[url_i]) if url_i is not None else None,
            language=language_code(row[language_i]) if language_i is not None else None,
            published_at=published,
            platform=_platform(row[platform_i]) if platform_i is not None else None,
            external_id=(row[id_i].strip() or None) if id_i is not None else None,
        )


def parse_csv(
    data: bytes, *, origin: str, mapping: ColumnMapping | None = None
) -> ParseResult[Item]:
    """Decode (any encoding :func:`decode_text` recognises) and parse a whole CSV export.

    ``meta`` holds ``delimiter``, the detected ``column_<field>`` names, and
    ``dropped_columns`` / ``dropped_count`` for columns naming people (names only).
    """
    meta: dict[str, str] = {}
    stream = io.StringIO(decode_text(data, where=origin), newline="")
    return _collect(iter_csv(stream, origin=origin, mapping=mapping, meta=meta), meta)


# --- JSONL ---------------------------------------------------------------------------------


def iter_jsonl(
    lines: Iterable[str] | TextIO,
    *,
    origin: str,
    mapping: ColumnMapping | None = None,
    meta: dict[str, str] | None = None,
) -> Iterator[Item | Rejected]:
    """Stream a JSON Lines export (one JSON object per line) as items or rejections.

    Keys are found per distinct key set (objects in one file may differ), with the same
    names and rules as CSV columns. ``meta`` is kept up to date as new keys appear.
    """
    _check_mapping(mapping, origin=origin)
    plans: dict[tuple[str, ...], tuple[str | None, ...] | str] = {}
    dropped: set[str] = set()
    loads = json.loads
    if meta is not None:
        meta.setdefault("dropped_count", "0")
    for number, line in enumerate(lines, start=1):
        if not line or line.isspace():
            continue
        try:
            obj = loads(line)
        except ValueError as exc:
            reason = f"invalid JSON: {getattr(exc, 'msg', exc)}"
            yield Rejected(f"{origin} line {number}", reason, line_excerpt(line))
            continue
        except RecursionError:
            yield Rejected(f"{origin} line {number}", "JSON nested too deeply", line_excerpt(line))
            continue
        if type(obj) is not dict:
            reason = f"not a JSON object but {type(obj).__name__}"
            yield Rejected(f"{origin} line {number}", reason, line_excerpt(line))
            continue
        keys = tuple(obj)
        plan = plans.get(keys)
        if plan is None:
            plan = plans[keys] = _plan(keys, mapping)
            new = {k for k in keys if is_author_column(k)} - dropped
            if new:
                dropped |= new
                if meta is not None:
                    meta["dropped_columns"] = ",".join(sorted(dropped))
                    meta["dropped_count"] = str(len(dropped))
        if isinstance(plan, str):
            yield Rejected(f"{origin} line {number}", plan, record_excerpt(obj))
            continue
        text_key, url_key, time_key, platform_key, language_key, id_key = plan
        text = obj.get(text_key)
        if type(text) is not str or not text.strip():
            kind = "missing text" if text is None or type(text) is str else "text is not a string"
            reason = f"{kind} (key {text_key!r})"
            yield Rejected(f"{origin} line {number}", reason, record_excerpt(obj))
            continue
        published = None
        if time_key is not None:
            value = obj.get(time_key)
            if value is not None and value != "":
                try:
                    published = parse_datetime(value)
                except ValueError:
                    reason = f"unparseable date {str(value)[:60]!r} (key {time_key!r})"
                    yield Rejected(f"{origin} line {number}", reason, record_excerpt(obj))
                    continue
        yield Item(
            text=scrub(text.strip()),
            url=http_url(obj.get(url_key)) if url_key is not None else None,
            language=language_code(obj.get(language_key)) if language_key is not None else None,
            published_at=published,
            platform=_platform(obj.get(platform_key)) if platform_key is not None else None,
            external_id=_identifier(obj.get(id_key)) if id_key is not None else None,
        )


def parse_jsonl(
    data: bytes, *, origin: str, mapping: ColumnMapping | None = None
) -> ParseResult[Item]:
    """Decode and parse a whole JSON Lines export; ``meta`` as for :func:`parse_csv`."""
    meta: dict[str, str] = {}
    lines = decode_text(data, where=origin).split("\n")
    return _collect(iter_jsonl(lines, origin=origin, mapping=mapping, meta=meta), meta)


# --- mapping -------------------------------------------------------------------------------


def _resolve(
    header: Sequence[str], mapping: ColumnMapping | None, *, origin: str
) -> dict[str, int | None]:
    """Column index per field. Explicit names must exist and must not name a person."""
    by_key: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for index, name in enumerate(header):
        by_key.setdefault(normalise_name(name), index)
        by_name.setdefault(name.strip().lstrip("\ufeff"), index)
    columns: dict[str, int | None] = {}
    for field_name in FIELDS:
        wanted = getattr(mapping, field_name) if mapping else None
        if wanted:
            found = by_name.get(wanted.strip(), by_key.get(normalise_name(wanted)))
            if found is None:
                raise InputError(
                    f"no column {wanted!r} for {field_name}; columns are: "
                    + ", ".join(repr(h) for h in header[:30]),
                    where=origin,
                )
            columns[field_name] = found
        else:
            columns[field_name] = next(
                (
                    by_key[key]
                    for key in CANDIDATES[field_name]
                    if key in by_key and not is_author_column(header[by_key[key]])
                ),
                None,
            )
    if columns["text"] is None:
        raise InputError(
            "no text column found (looked for "
            + ", ".join(CANDIDATES["text"][:8])
            + "...); name it in the column mapping (--text-column)",
            where=origin,
        )
    return columns


def _plan(keys: tuple[str, ...], mapping: ColumnMapping | None) -> tuple[str | None, ...] | str:
    """The key per field for objects with these keys, or why they cannot give an item.
    Explicit names are used as given (a row without one simply lacks that field)."""
    by_key: dict[str, str] = {}
    for key in keys:
        by_key.setdefault(normalise_name(key), key)
    plan: list[str | None] = []
    for field_name in FIELDS:
        wanted = getattr(mapping, field_name) if mapping else None
        if wanted:
            plan.append(wanted)
            continue
        plan.append(
            next(
                (
                    by_key[key]
                    for key in CANDIDATES[field_name]
                    if key in by_key and not is_author_column(by_key[key])
                ),
                None,
            )
        )
    if plan[0] is None:
        return "no text key (looked for " + ", ".join(CANDIDATES["text"][:8]) + "...)"
    return tuple(plan)


def _check_mapping(mapping: ColumnMapping | None, *, origin: str) -> None:
    for field_name in FIELDS:
        wanted = getattr(mapping, field_name) if mapping else None
        if wanted and is_author_column(wanted):
            raise InputError(
                f"column {wanted!r} describes a person; factdesk never stores authors",
                where=origin,
            )


def _meta(header: Sequence[str], columns: dict[str, int | None], delimiter: str) -> dict[str, str]:
    dropped = [name for name in header if is_author_column(name)]
    meta = {"delimiter": "tab" if delimiter == "\t" else delimiter}
    for field_name, index in columns.items():
        if index is not None:
            meta[f"column_{field_name}"] = header[index]
    meta["dropped_count"] = str(len(dropped))
    if dropped:
        meta["dropped_columns"] = ",".join(dropped)
    return meta


def _platform(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value[:50] if value and "<" not in value else None


def _identifier(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        text = scrub(str(value).strip())
        return text[:200] or None
    return None


def _collect(records: Iterator[Item | Rejected], meta: dict[str, str]) -> ParseResult[Item]:
    result: ParseResult[Item] = ParseResult(meta=meta)
    for record in records:
        if isinstance(record, Item):
            result.records.append(record)
        else:
            result.rejected.append(record)
    return result
