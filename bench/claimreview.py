"""ClaimReview import throughput: reviews/s through the parse and language steps.

Runs, in one process and one run, on a generated DataFeed of reviews written the way
publishers write them (the shapes of tests/fixtures/claimreview_world, repeated with
varied claims, in a dozen languages, most without ``inLanguage``):
  * factdesk: ``parse_claimreview`` then ``with_languages`` — what an import stores: the
    declared language, else the one identified among every language lingua knows (one
    batch, its fast pass multi-threaded);
  * factdesk-one-by-one: the same with ``claimreview_language`` per review (no batch);
  * baseline "vi/en-restricted": the import before issue 14 — ``parse_claimreview`` then
    ``detect_language`` restricted to the desk's languages (fast, and wrong for every review
    in another language: ``factdesk eval claimreview`` scores that);
  * floor "json-only": ``json.loads`` and ``find_claimreviews`` alone.

Usage:  .venv/bin/python bench/claimreview.py [--reviews 5000] [--repeat 3]
Prints one line per run and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from factdesk.ingest.claimreview import (
    claimreview_language,
    find_claimreviews,
    parse_claimreview,
    with_languages,
)
from factdesk.text.langid import detect_language
from factdesk.types import FactCheck

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "claimreview_world"


def _restricted(records: list[FactCheck]) -> list[FactCheck]:
    """The language step before issue 14: detection among the desk's languages only."""
    return [
        fc if fc.language else replace(fc, language=detect_language(fc.claim_reviewed))
        for fc in records
    ]


def generate(reviews: int) -> bytes:
    """A DataFeed of ``reviews`` ClaimReview objects built from the fixture files."""
    samples = []
    for path in sorted(FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        samples.extend(find_claimreviews(doc))
    items = []
    for n in range(reviews):
        review = json.loads(json.dumps(samples[n % len(samples)]))
        review["claimReviewed"] = f"{review['claimReviewed']} ({n})"
        review["url"] = f"{review['url'].rstrip('/')}/{n}"
        items.append({"@type": "DataFeedItem", "item": [review]})
    feed = {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": items}
    return json.dumps(feed, ensure_ascii=False).encode("utf-8")


def _time(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = run()
        best = min(best, time.perf_counter() - started)
    return best, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = generate(args.reviews)

    def ours() -> int:
        return len(with_languages(parse_claimreview(data, origin="bench.json").records))

    def one_by_one() -> int:
        records = parse_claimreview(data, origin="bench.json").records
        return len([replace(fc, language=claimreview_language(fc)) for fc in records])

    def restricted() -> int:
        return len(_restricted(parse_claimreview(data, origin="bench.json").records))

    def json_only() -> int:
        return sum(1 for _ in find_claimreviews(json.loads(data)))

    warm = parse_claimreview(generate(200), origin="warm.json").records  # load the models
    with_languages(warm), _restricted(warm)
    figures = {}
    runs = (
        ("factdesk", ours),
        ("factdesk-one-by-one", one_by_one),
        ("vi/en-restricted", restricted),
        ("json-only", json_only),
    )
    for name, run in runs:
        seconds, count = _time(run, args.repeat)
        figures[name] = round(count / seconds, 1)
        print(f"{name:20s} {count} reviews in {seconds:.3f} s: {figures[name]:.0f} reviews/s")
    print(json.dumps({"reviews": args.reviews, "reviews_per_s": figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
