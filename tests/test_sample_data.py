"""The bundled sample data (factdesk/data/sample) is well-formed where it should be, broken
exactly where it is meant to be, and tells the stories the demo relies on.

Standard library only: the checks must not depend on the parsers they exist to exercise.
``scenarios.json`` is the answer key; these tests check it against the data, and check the
data's own properties (reserved domains, no handles, the resurgence) independently of it.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

SAMPLE = Path(str(resources.files("factdesk") / "data" / "sample"))
ATOM = "{http://www.w3.org/2005/Atom}"
CSV_HEADER = ["post_id", "created_at", "platform", "author_handle", "lang", "text", "url"]
JSONL_KEYS = {"id", "time", "platform", "language", "text", "url"}
RESERVED_HOSTS = ("example.org", "example.com", "example.net")
# Vocabulary identifiers that are URLs by convention, not links to anyone's site.
VOCABULARY_URLS = {"https://schema.org", "http://www.w3.org/2005/Atom"}
VI_LETTERS = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
LABELS = {
    "vi": {1: "Sai", 2: "Gây hiểu nhầm", 3: "Đúng một phần", 4: "Phần lớn đúng", 5: "Đúng"},
    "en": {1: "False", 2: "Misleading", 3: "Half true", 4: "Mostly true", 5: "True"},
}
RESURGENCE_WORDS = re.compile(r"\b(chanh|lemon)\b", re.IGNORECASE)
URL_RE = re.compile(r"https?://[^\s\"'<>)\]]+")


# --- readers -------------------------------------------------------------------------------


def read(name: str) -> str:
    return (SAMPLE / name).read_text(encoding="utf-8")


def claimreviews() -> list[dict[str, Any]]:
    feed = json.loads(read("claimreviews.jsonld"))
    return [element["item"] for element in feed["dataFeedElement"]]


class _PageParser(HTMLParser):
    """Collects what the page test needs: title, meta properties, scripts by type."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.meta: dict[str, str] = {}
        self.scripts: list[tuple[str, str]] = []
        self.paragraphs = 0
        self.tags: set[str] = set()
        self._in: str | None = None
        self._script_type = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if tag == "meta" and "property" in a:
            self.meta[a["property"]] = a.get("content", "")
        elif tag == "script":
            self._in, self._script_type = "script", a.get("type", "")
            self.scripts.append((self._script_type, ""))
        elif tag == "title":
            self._in = "title"
        elif tag == "p":
            self.paragraphs += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "title"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            kind, body = self.scripts[-1]
            self.scripts[-1] = (kind, body + data)


def page() -> _PageParser:
    parser = _PageParser()
    parser.feed(read("page-factcheck.html"))
    parser.close()
    return parser


def page_claimreview() -> dict[str, Any]:
    [ld] = [json.loads(body) for kind, body in page().scripts if kind == "application/ld+json"]
    [review] = [node for node in ld["@graph"] if node["@type"] == "ClaimReview"]
    return review


def parse_time(value: str) -> datetime:
    """ISO 8601, or the dd/mm/yyyy HH:MM a few export rows use (read as UTC+7 local time)."""
    if re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", value):
        naive = datetime.strptime(value, "%d/%m/%Y %H:%M")
        return datetime.fromisoformat(naive.isoformat() + "+07:00")
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value!r} has no UTC offset"
    return parsed


def csv_rows() -> list[list[str]]:
    with (SAMPLE / "posts.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def jsonl_lines() -> list[str]:
    return read("posts.jsonl").splitlines()


def posts() -> list[dict[str, Any]]:
    """Every usable post-like item in every content file, as file/id/lang/at/text."""
    out: list[dict[str, Any]] = []
    for row in csv_rows()[1:]:
        if len(row) == len(CSV_HEADER) and row[5].strip():
            out.append(
                {
                    "file": "posts.csv",
                    "id": row[0],
                    "lang": row[4],
                    "at": parse_time(row[1]),
                    "text": row[5],
                }
            )
    for line in jsonl_lines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict):
            out.append(
                {
                    "file": "posts.jsonl",
                    "id": rec["id"],
                    "lang": rec["language"],
                    "at": parse_time(rec["time"]),
                    "text": rec["text"],
                }
            )
    for item in ET.parse(SAMPLE / "feed-vi.xml").getroot().iter("item"):
        out.append(
            {
                "file": "feed-vi.xml",
                "id": item.findtext("guid"),
                "lang": "vi",
                "at": parsedate_to_datetime(item.findtext("pubDate") or ""),
                "text": f"{item.findtext('title')}. {item.findtext('description')}",
            }
        )
    for entry in ET.parse(SAMPLE / "feed-en.atom").getroot().iter(f"{ATOM}entry"):
        out.append(
            {
                "file": "feed-en.atom",
                "id": entry.findtext(f"{ATOM}id"),
                "lang": "en",
                "at": datetime.fromisoformat(entry.findtext(f"{ATOM}published") or ""),
                "text": f"{entry.findtext(f'{ATOM}title')}. {entry.findtext(f'{ATOM}summary')}",
            }
        )
    return out


def scenarios() -> dict[str, Any]:
    return json.loads(read("scenarios.json"))


def all_files() -> list[Path]:
    return sorted(p for p in SAMPLE.rglob("*") if p.is_file())


def is_vietnamese(text: str) -> bool:
    return any(ch in VI_LETTERS for ch in text.lower())


# --- files and encoding ----------------------------------------------------------------------


def test_sample_files_all_present() -> None:
    names = {str(p.relative_to(SAMPLE)) for p in all_files()}
    assert names >= {
        "README.md",
        "claimreviews.jsonld",
        "claimreview-single.json",
        "feed-vi.xml",
        "feed-en.atom",
        "posts.csv",
        "posts.jsonl",
        "page-factcheck.html",
        "evidence/library.jsonl",
        "scenarios.json",
    }


@pytest.mark.parametrize("path", all_files(), ids=lambda p: p.name)
def test_sample_file_is_utf8_nfc(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert "\ufffd" not in text


def test_sample_urls_all_on_reserved_domains() -> None:
    for path in all_files():
        for url in URL_RE.findall(path.read_text(encoding="utf-8")):
            url = url.rstrip(".,;")
            if url in VOCABULARY_URLS:
                continue
            host = urlsplit(url).hostname or ""
            assert host in RESERVED_HOSTS or host.endswith(
                tuple("." + h for h in RESERVED_HOSTS)
            ), f"{path.name}: {url}"


def test_sample_handles_only_in_the_csv_column_meant_to_be_dropped() -> None:
    handle = re.compile(r"user_\d")
    mention = re.compile(r"(?<![\w\"@])@[A-Za-z0-9_.]{2,}")
    for path in all_files():
        text = path.read_text(encoding="utf-8")
        assert not mention.search(text), f"{path.name}: {mention.search(text)}"
        if path.name not in ("posts.csv", "README.md", "scenarios.json"):
            assert not handle.search(text), path.name
    rows = csv_rows()
    assert rows[0] == CSV_HEADER
    for row in rows[1:]:
        assert re.fullmatch(r"user_\d{4}", row[3]), row
        assert not any(handle.search(cell) for i, cell in enumerate(row) if i != 3), row


# --- ClaimReview -----------------------------------------------------------------------------


def check_claimreview(review: dict[str, Any]) -> None:
    where = review.get("url", review)
    assert review["@type"] == "ClaimReview", where
    for key in ("url", "claimReviewed", "headline", "description", "datePublished", "inLanguage"):
        assert isinstance(review[key], str) and review[key].strip(), (where, key)
    assert review["author"]["@type"] == "Organization" and review["author"]["name"], where
    assert urlsplit(review["author"]["url"]).scheme == "https", where
    rating = review["reviewRating"]
    lang = review["inLanguage"]
    assert rating["@type"] == "Rating", where
    assert (rating["worstRating"], rating["bestRating"]) == (1, 5), where
    assert rating["alternateName"] == LABELS[lang][rating["ratingValue"]], where
    published = datetime.fromisoformat(review["datePublished"])
    assert date(2025, 1, 1) <= published.date() <= date(2026, 11, 28), where
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim", where
    assert date.fromisoformat(claim["datePublished"]) <= published.date(), where
    assert [a["@type"] for a in claim["appearance"]] == ["CreativeWork"], where
    assert urlsplit(claim["appearance"][0]["url"]).hostname == "example.net", where
    assert review["claimReviewed"] not in review["description"], where
    assert is_vietnamese(review["description"]) == (lang == "vi"), where
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", review["description"]) if s]
    assert 2 <= len(sentences) <= 4, where


def test_claimreview_feed_is_a_datafeed_of_valid_claimreviews() -> None:
    feed = json.loads(read("claimreviews.jsonld"))
    assert feed["@context"] == "https://schema.org" and feed["@type"] == "DataFeed"
    assert all(e["@type"] == "DataFeedItem" for e in feed["dataFeedElement"])
    reviews = claimreviews()
    for review in reviews:
        check_claimreview(review)
    languages = Counter(r["inLanguage"] for r in reviews)
    assert 35 <= len(reviews) <= 45
    assert languages["vi"] >= 15 and languages["en"] >= 15 and set(languages) == {"vi", "en"}
    assert {r["author"]["name"] for r in reviews if r["inLanguage"] == "vi"} == {
        "Bàn Kiểm Chứng Mẫu"
    }
    assert {r["author"]["name"] for r in reviews if r["inLanguage"] == "en"} == {"Demo Truth Lab"}
    # Like real fact-check output: mostly False or Misleading, a few of everything else.
    values = Counter(r["reviewRating"]["ratingValue"] for r in reviews)
    assert values[1] + values[2] >= 0.7 * len(reviews)
    assert set(values) == {1, 2, 3, 4, 5}
    years = Counter(r["datePublished"][:4] for r in reviews)
    assert years["2025"] >= 10 and years["2026"] >= 10


def test_claimreview_single_and_embedded_are_valid_and_not_in_the_feed() -> None:
    single = json.loads(read("claimreview-single.json"))
    assert single["@context"] == "https://schema.org"
    embedded = page_claimreview()
    for review in (single, embedded):
        check_claimreview(review)
    urls = [r["url"] for r in claimreviews()] + [single["url"], embedded["url"]]
    assert len(urls) == len(set(urls))


def test_claimreview_about_a_third_of_claims_reviewed_in_both_languages() -> None:
    feed_urls = {r["url"]: r for r in claimreviews()}
    covered: set[str] = set()
    both = 0
    for claim in scenarios()["claims"].values():
        in_feed = [fc for fc in claim["fact_checks"] if fc["file"] == "claimreviews.jsonld"]
        covered.update(fc["url"] for fc in in_feed)
        for fc in claim["fact_checks"]:
            assert (
                fc["file"] != "claimreviews.jsonld"
                or feed_urls[fc["url"]]["inLanguage"] == fc["language"]
            )
        if {fc["language"] for fc in in_feed} == {"vi", "en"}:
            both += 1
            # two different publishers, same verdict
            labels = {
                LABELS["en"][feed_urls[fc["url"]]["reviewRating"]["ratingValue"]] for fc in in_feed
            }
            assert labels == {claim["rating"]}
    assert covered == set(feed_urls)
    distinct = len(feed_urls) - both
    assert 0.25 <= both / distinct <= 0.45


# --- the article page ------------------------------------------------------------------------


def test_page_has_metadata_boilerplate_script_and_graph() -> None:
    parsed = page()
    assert "Bàn Kiểm Chứng Mẫu" in parsed.title
    for prop in ("og:title", "og:description", "og:url", "og:type", "article:published_time"):
        assert parsed.meta.get(prop), prop
    assert {"nav", "header", "footer", "article", "main"} <= parsed.tags
    assert parsed.paragraphs >= 6
    kinds = [kind for kind, _ in parsed.scripts]
    assert kinds.count("application/ld+json") == 1 and "" in kinds
    [ld] = [json.loads(body) for kind, body in parsed.scripts if kind == "application/ld+json"]
    types = {node["@type"] for node in ld["@graph"]}
    assert types == {"WebPage", "ClaimReview"}
    assert parsed.meta["og:url"] == page_claimreview()["url"]


# --- feeds -----------------------------------------------------------------------------------


def test_rss_feed_parses_with_fifteen_described_items() -> None:
    root = ET.parse(SAMPLE / "feed-vi.xml").getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.findtext("channel/language") == "vi"
    items = root.findall("channel/item")
    assert 12 <= len(items) <= 18
    for item in items:
        for child in ("title", "link", "guid", "pubDate", "description"):
            assert (item.findtext(child) or "").strip(), child
        parsedate_to_datetime(item.findtext("pubDate") or "")
        assert len(re.findall(r"[.?!…](\s|$)", item.findtext("description") or "")) >= 2
    assert len({i.findtext("guid") for i in items}) == len(items)


def test_atom_feed_parses_with_fifteen_summarised_entries() -> None:
    root = ET.parse(SAMPLE / "feed-en.atom").getroot()
    assert root.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{child}")
    entries = root.findall(f"{ATOM}entry")
    assert 12 <= len(entries) <= 18
    for entry in entries:
        for child in ("id", "title", "updated", "published", "summary"):
            assert (entry.findtext(f"{ATOM}{child}") or "").strip(), child
        assert entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
        assert len(re.findall(r"[.?!](\s|$)", entry.findtext(f"{ATOM}summary") or "")) >= 2
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)


def test_feeds_mix_repeated_claims_with_ordinary_news() -> None:
    key = scenarios()
    repeats = Counter(
        ref["file"] for claim in key["claims"].values() for ref in claim["repeated_in"]
    )
    cross = Counter(
        ref["file"]
        for claim in key["claims"].values()
        for ref in claim["repeated_in"]
        if ref["cross_lingual_only"]
    )
    others = Counter(ref["file"] for ref in key["not_claims"])
    for feed in ("feed-vi.xml", "feed-en.atom"):
        total = repeats[feed] + others[feed]
        assert total == len([p for p in posts() if p["file"] == feed])
        assert 0.4 <= repeats[feed] / total <= 0.65, feed
        assert cross[feed] >= 2, feed


# --- exported posts --------------------------------------------------------------------------


def test_posts_csv_broken_rows_are_exactly_the_intended_ones() -> None:
    rows = csv_rows()
    assert rows[0] == CSV_HEADER
    wrong_width = [
        (n, row[0]) for n, row in enumerate(rows[1:], start=2) if len(row) != len(CSV_HEADER)
    ]
    empty_text = [
        (n, row[0])
        for n, row in enumerate(rows[1:], start=2)
        if len(row) == len(CSV_HEADER) and not row[5].strip()
    ]
    assert [len(row) for row in rows if row[0] == "p037"] == [9]  # unquoted commas split it
    intended = {q["id"]: q["line"] for q in scenarios()["quarantine"] if q["file"] == "posts.csv"}
    assert dict((i, n) for n, i in wrong_width) == {"p037": intended["p037"]}
    assert dict((i, n) for n, i in empty_text) == {"p036": intended["p036"]}


def test_posts_csv_good_rows_are_complete_and_varied() -> None:
    good = [r for r in csv_rows()[1:] if len(r) == len(CSV_HEADER) and r[5].strip()]
    assert 38 <= len(good) <= 48
    assert len({r[0] for r in good}) == len(good)
    assert {r[4] for r in good} == {"vi", "en"}
    assert sum(1 for r in good if "/" in r[1]) >= 3
    for row in good:
        parse_time(row[1])
        assert is_vietnamese(row[5]) == (row[4] == "vi"), row[0]
    assert any(r[6] == "" for r in good) and any(r[6] for r in good)


def test_posts_jsonl_broken_lines_are_exactly_the_intended_ones() -> None:
    invalid, non_object, good = [], [], []
    for n, line in enumerate(jsonl_lines(), start=1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            invalid.append(n)
            continue
        if not isinstance(rec, dict):
            non_object.append(n)
            continue
        good.append(rec)
        assert set(rec) == JSONL_KEYS, n
        assert rec["language"] in ("vi", "en") and rec["text"].strip()
        assert rec["url"] is None or rec["url"].startswith("https://example.net/")
        parse_time(rec["time"])
        assert is_vietnamese(rec["text"]) == (rec["language"] == "vi"), rec["id"]
    intended = [q["line"] for q in scenarios()["quarantine"] if q["file"] == "posts.jsonl"]
    assert invalid + non_object == intended
    assert 20 <= len(good) <= 30 and len({r["id"] for r in good}) == len(good)


def test_near_duplicates_share_most_of_their_words() -> None:
    text = {(p["file"], p["id"]): p["text"] for p in posts()}

    def words(s: str) -> set[str]:
        return set(re.findall(r"\w+", s.lower()))

    for group in scenarios()["near_duplicates"]:
        sets = [words(text[(group["file"], i)]) for i in group["ids"]]
        for other in sets[1:]:
            assert len(sets[0] & other) / len(sets[0] | other) >= 0.6, group


# --- scenarios -------------------------------------------------------------------------------


def test_scenarios_repeats_exist_and_are_paraphrases_not_copies() -> None:
    by_ref = {(p["file"], p["id"]): p for p in posts()}
    reviews = {r["url"]: r for r in claimreviews()}
    single = json.loads(read("claimreview-single.json"))
    reviews[single["url"]] = single
    embedded = page_claimreview()
    reviews[embedded["url"]] = embedded
    seen: set[tuple[str, str]] = set()
    for key, claim in scenarios()["claims"].items():
        claimed = [reviews[fc["url"]]["claimReviewed"] for fc in claim["fact_checks"]]
        assert claim["repeated_in"], key
        for ref in claim["repeated_in"]:
            post = by_ref[(ref["file"], ref["id"])]
            assert post["lang"] == ref["language"]
            seen.add((ref["file"], ref["id"]))
            for sentence in claimed:
                assert sentence.rstrip(".").casefold() not in post["text"].casefold(), ref
    for ref in scenarios()["not_claims"]:
        assert (ref["file"], ref["id"]) in by_ref and (ref["file"], ref["id"]) not in seen
        seen.add((ref["file"], ref["id"]))
    assert seen == set(by_ref), set(by_ref) - seen


def test_resurgence_claim_waves_in_january_february_and_november_2026() -> None:
    mentions = [p for p in posts() if RESURGENCE_WORDS.search(p["text"])]
    months = Counter(p["at"].astimezone(UTC).strftime("%Y-%m") for p in mentions)
    first = months["2026-01"] + months["2026-02"]
    quiet = sum(months[f"2026-{m:02d}"] for m in range(3, 11))
    assert first >= 3 and quiet == 0 and months["2026-11"] >= 3, months
    assert set(months) == {"2026-01", "2026-02", "2026-11"}, months
    assert max(p["at"] for p in mentions).date() <= date(2026, 11, 28)
    assert {p["lang"] for p in mentions} == {"vi", "en"}
    # the claim was rated False, in both languages
    rated = [r for r in claimreviews() if RESURGENCE_WORDS.search(r["claimReviewed"])]
    assert {r["reviewRating"]["alternateName"] for r in rated} == {"False", "Sai"}
    # and the answer key names exactly these mentions
    key = scenarios()["resurgence"]
    named = {(m["file"], m["id"]) for m in key["first_wave"] + key["second_wave"]}
    assert named == {(p["file"], p["id"]) for p in mentions}
    assert {fc["url"] for fc in scenarios()["claims"][key["claim"]]["fact_checks"]} == {
        r["url"] for r in rated
    }


# --- evidence library ------------------------------------------------------------------------


def test_evidence_library_documents_are_complete() -> None:
    docs = [json.loads(line) for line in read("evidence/library.jsonl").splitlines()]
    assert 30 <= len(docs) <= 40
    assert len({d["url"] for d in docs}) == len(docs)
    assert {d["language"] for d in docs} == {"vi", "en"}
    claims = scenarios()["claims"]
    stances = {e["url"]: e["bears_on"] for e in scenarios()["evidence"]}
    for doc in docs:
        assert set(doc) == {"url", "title", "publisher", "language", "published_at", "text"}
        assert 3 <= len(doc["text"].split("\n\n")) <= 8, doc["url"]
        assert date(2025, 1, 1) <= date.fromisoformat(doc["published_at"]) <= date(2026, 11, 28)
        assert is_vietnamese(doc["text"]) == (doc["language"] == "vi"), doc["url"]
        assert stances[doc["url"]], doc["url"]
        for key, stance in stances[doc["url"]].items():
            assert key in claims and stance in ("supports", "refutes"), (doc["url"], key)
    assert set(stances) == {d["url"] for d in docs}
