from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.errors import InputError
from factdesk.ingest.exports import (
    ColumnMapping,
    is_author_column,
    iter_csv,
    iter_jsonl,
    parse_csv,
    parse_jsonl,
)
from factdesk.types import Item, Rejected

from .helpers import fixture, to_cp1258

AUTHORS = ("Nguyễn Văn A", "nva_1990", "Jane Doe", "jdoe", "some1", "someone", "Some One", "998877")


def test_parse_csv_fixture_items_and_detected_columns() -> None:
    result = parse_csv(fixture("posts.csv"), origin="posts.csv")
    assert [i.external_id for i in result.records] == ["1001", "1002", "1006"]
    first = result.records[0]
    assert first == Item(
        text="Giá xăng sẽ tăng gấp đôi từ tuần sau, mọi người đổ xăng ngay!",
        url="https://social.example.com/p/1001?utm_source=share",
        language="vi",
        published_at=datetime(2024, 3, 5, 14, 30, tzinfo=UTC),  # day first
        platform="facebook",
        external_id="1001",
    )
    assert result.records[2].published_at == datetime(2024, 3, 6, 8, tzinfo=UTC)  # unix seconds
    assert result.records[2].language == "vi" and result.records[2].url is None
    assert result.meta["column_text"] == "Message"
    assert result.meta["column_time"] == "Created At"
    assert result.meta["column_id"] == "post_id"


def test_parse_csv_multiline_field_and_real_line_numbers() -> None:
    result = parse_csv(fixture("posts.csv"), origin="posts.csv")
    assert result.records[1].text == (
        "The new bridge cost 40 billion dollars,\nwhich is more than the whole city budget.\nShocking!"
    )
    assert [(r.where, r.reason) for r in result.rejected] == [
        ("posts.csv line 6", "expected 9 columns, found 5"),
        ("posts.csv line 7", "missing text (column 'Message')"),
        ("posts.csv line 8", "unparseable date 'tomorrow-ish' (column 'Created At')"),
        ("posts.csv line 11", "expected 9 columns, found 10"),
    ]
    # Cells out of place: withheld, since one of them may be an author's name.
    assert result.rejected[0].raw.startswith("[withheld")
    # Well-formed rows are kept as JSON, without the author columns.
    assert result.rejected[1].raw.startswith('{"post_id": "1004", "Message": ""')


def test_parse_csv_drops_author_columns_and_reports_names_only() -> None:
    result = parse_csv(fixture("posts.csv"), origin="posts.csv")
    assert result.meta["dropped_columns"] == "Author Name,username"
    assert result.meta["dropped_count"] == "2"
    records = repr(result.records)
    for author in AUTHORS:
        assert author not in records
    assert "Nguyễn Văn A" not in repr(result.meta)


def test_rejected_raw_never_names_authors() -> None:
    csv_result = parse_csv(fixture("posts.csv"), origin="posts.csv")
    jsonl_result = parse_jsonl(fixture("posts.jsonl"), origin="posts.jsonl")
    raws = " ".join(r.raw for r in csv_result.rejected + jsonl_result.rejected)
    for author in ("X Y", "xy", "A B", "ab", "Someone", "some1", "E F", "ef"):
        assert f'"{author}"' not in raws and f",{author}," not in raws
    broken = list(
        iter_jsonl(['{"text": "x", "user": {"screen_name": "someone_07"}, "date": '], origin="j")
    )
    assert "someone_07" not in broken[0].raw  # type: ignore[union-attr]
    nested = list(
        iter_jsonl(
            ['{"text": "x", "date": "never", "quoted": {"user_name": "someone_08"}}'], origin="j"
        )
    )
    assert "someone_08" not in nested[0].raw and "never" in nested[0].raw  # type: ignore[union-attr]


def test_parse_jsonl_fixture_items_and_rejections() -> None:
    result = parse_jsonl(fixture("posts.jsonl"), origin="posts.jsonl")
    assert [i.external_id for i in result.records] == ["2001", "2002", "2006"]
    tweet, vietnamese, facebook = result.records
    assert tweet.published_at == datetime(2024, 3, 1, 3, tzinfo=UTC)
    assert vietnamese.text.startswith("Tỉ lệ thất nghiệp") and vietnamese.language == "vi"
    assert vietnamese.published_at == datetime(2024, 3, 5, 10, 20, tzinfo=UTC)
    assert facebook.platform == "facebook" and facebook.url == "https://social.example.com/p/2006"
    assert facebook.published_at == datetime(2024, 3, 6, 8, tzinfo=UTC)  # milliseconds
    assert [(r.where, r.reason.split(" (")[0].split(":")[0]) for r in result.rejected] == [
        ("posts.jsonl line 3", "invalid JSON"),
        ("posts.jsonl line 4", "not a JSON object but list"),
        ("posts.jsonl line 6", "missing text"),
        ("posts.jsonl line 7", "unparseable date 'the day before yesterday'"),
        ("posts.jsonl line 9", "text is not a string"),
        ("posts.jsonl line 10", "no text key"),
    ]
    assert result.meta["dropped_columns"] == "author_id,user"
    for author in AUTHORS:
        assert author not in repr(result.records)


def test_iter_csv_streams_from_a_text_file() -> None:
    handle = io.StringIO("text;date\nfirst;2024-01-02\nsecond;03/01/2024\n", newline="")
    records = list(iter_csv(handle, origin="f.csv"))
    assert [r.text for r in records if isinstance(r, Item)] == ["first", "second"]
    assert records[1].published_at == datetime(2024, 1, 3, tzinfo=UTC)  # type: ignore[union-attr]


def test_iter_csv_meta_filled_when_header_read() -> None:
    meta: dict[str, str] = {}
    records = iter_csv(["Tweet\tUser\n", "hello\tsomebody\n"], origin="t", meta=meta)
    assert next(records) == Item(text="hello")
    assert meta["delimiter"] == "tab" and meta["dropped_columns"] == "User"


def test_iter_csv_explicit_mapping_overrides_detection() -> None:
    lines = ["a,b,text\n", "the claim,https://x.example/1,not this\n"]
    mapping = ColumnMapping(text="a", url="b")
    [item] = list(iter_csv(lines, origin="m", mapping=mapping))
    assert item == Item(text="the claim", url="https://x.example/1")


def test_iter_csv_mapping_to_author_column_refused() -> None:
    with pytest.raises(InputError, match="person"):
        list(
            iter_csv(
                ["username,text\n", "a,b\n"], origin="m", mapping=ColumnMapping(text="username")
            )
        )
    with pytest.raises(InputError, match="person"):
        list(iter_jsonl(['{"author": "x"}'], origin="m", mapping=ColumnMapping(id="author")))


def test_iter_csv_missing_mapped_column_names_columns() -> None:
    with pytest.raises(InputError, match="no column 'body'") as err:
        list(iter_csv(["a,b\n", "1,2\n"], origin="m", mapping=ColumnMapping(text="body")))
    assert err.value.where == "m line 1"


def test_iter_csv_no_text_column_is_input_error() -> None:
    with pytest.raises(InputError, match="no text column"):
        list(iter_csv(["likes,shares\n", "1,2\n"], origin="m"))


def test_iter_csv_never_auto_detects_author_column_as_text() -> None:
    # "name" is not a text candidate; "author_text" would be, but names a person.
    with pytest.raises(InputError):
        list(iter_csv(["author_text,name\n", "x,y\n"], origin="m"))


def test_iter_csv_trailing_empty_cells_accepted() -> None:
    [item] = list(iter_csv(["text,url\n", "hello,https://a.example/1,,\n"], origin="m"))
    assert isinstance(item, Item) and item.url == "https://a.example/1"


def test_iter_csv_empty_input_yields_nothing() -> None:
    assert list(iter_csv([], origin="m")) == []
    assert list(iter_csv(["\n", "  \n"], origin="m")) == []


def test_iter_csv_huge_field_rejected_not_fatal() -> None:
    lines = ["text\n", '"' + "x" * 200_000 + '"\n', "fine\n"]
    records = list(iter_csv(lines, origin="m"))
    assert isinstance(records[0], Rejected) and records[0].where == "m line 2"
    assert len(records[0].raw) <= 500
    assert records[-1] == Item(text="fine")


def test_parse_csv_legacy_encoding_and_bom() -> None:
    data = to_cp1258("nội dung,ngày\nGiá điện tăng,05/03/2024\n")
    [item] = parse_csv(data, origin="vn.csv").records
    assert item.text == "Giá điện tăng" and item.published_at == datetime(2024, 3, 5, tzinfo=UTC)
    bom = "\ufefftext,id\nhello,7\n".encode()
    assert parse_csv(bom, origin="b").records == [Item(text="hello", external_id="7")]


def test_iter_jsonl_keys_differ_between_lines() -> None:
    lines = [
        '{"text": "a", "lang": "en"}',
        '{"body": "b", "language": "vi-VN", "time": 1709634000}',
    ]
    records = list(iter_jsonl(lines, origin="j"))
    assert records == [
        Item(text="a", language="en"),
        Item(text="b", language="vi", published_at=datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
    ]


def test_iter_jsonl_lone_surrogates_and_nul_scrubbed() -> None:
    [item] = list(iter_jsonl(['{"text": "bad \\ud800 char \\u0000 here"}'], origin="j"))
    assert isinstance(item, Item)
    item.text.encode("utf-8")  # storable
    assert "\x00" not in item.text


def test_iter_jsonl_line_numbers_count_blank_lines() -> None:
    records = list(iter_jsonl(["", '{"text": "ok"}', "  ", "nope"], origin="j"))
    assert records[1] == Rejected("j line 4", "invalid JSON: Expecting value", "nope")


def test_is_author_column_names() -> None:
    for name in (
        "author",
        "Author Name",
        "screen_name",
        "screenName",
        "user_id",
        "from",
        "Tác giả",
        "handle",
    ):
        assert is_author_column(name), name
    for name in ("text", "message", "created_at", "url", "post_id", "platform", "likes"):
        assert not is_author_column(name), name


_CELL = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ['"', '""', ",", "\n", "\r\n", ";", "05/03/2024", "2024-03-05T10:00:00Z", "1709634000", "x"]
)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.lists(_CELL, max_size=6), max_size=8),
    st.sampled_from(["text,date,url", "message;time", "a,b"]),
)
def test_iter_csv_any_rows_give_records_or_rejections(rows: list[list[str]], header: str) -> None:
    lines = io.StringIO(header + "\n" + "\n".join(",".join(r) for r in rows), newline="")
    try:
        for record in iter_csv(lines, origin="h"):
            assert isinstance(record, Item | Rejected)
            if isinstance(record, Item):
                assert record.text.strip()
    except InputError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_parse_csv_and_jsonl_any_bytes_never_crash(data: bytes) -> None:
    for parse in (parse_csv, parse_jsonl):
        try:
            parse(data, origin="h")
        except InputError:
            pass


_VALUE = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=15)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "message",
                    "created_at",
                    "timestamp",
                    "url",
                    "id",
                    "lang",
                    "platform",
                    "user",
                ]
            ),
            _VALUE | st.lists(_VALUE, max_size=2),
            max_size=6,
        )
        | _VALUE,
        max_size=8,
    )
)
def test_iter_jsonl_any_json_lines_give_records_or_rejections(objects: list[object]) -> None:
    lines = [json.dumps(o) for o in objects]
    records = list(iter_jsonl(lines, origin="h"))
    assert len(records) <= len(lines)
    for record in records:
        if isinstance(record, Item):
            assert record.text.strip()
            assert record.published_at is None or record.published_at.tzinfo is UTC
