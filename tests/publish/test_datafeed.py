from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from factdesk.publish.claimreview import claimreview_jsonld, validate_claimreview
from factdesk.publish.datafeed import datafeed
from factdesk.types import FactCheck, Organisation

from .conftest import BASE


def test_datafeed_wraps_each_claimreview_with_its_dates(
    fact_check: FactCheck, org: Organisation
) -> None:
    fresh = replace(fact_check, id=9, date_modified=None, status="published")
    reviews = [claimreview_jsonld(fc, org, BASE) for fc in (fact_check, fresh)]
    feed = datafeed(
        reviews,
        name="Example Checks",
        url=f"{BASE}/claimreview.json",
        modified=datetime(2026, 3, 5, tzinfo=UTC),
    )
    assert feed["@type"] == "DataFeed" and feed["@context"] == "https://schema.org"
    first, second = feed["dataFeedElement"]
    assert first["@type"] == "DataFeedItem"
    assert first["dateModified"] == "2026-03-04T12:00:00+00:00"
    assert second["dateModified"] == second["dateCreated"] == "2026-03-01T09:30:00+00:00"
    assert "@context" not in first["item"]
    for element in feed["dataFeedElement"]:
        assert validate_claimreview({"@context": "https://schema.org", **element["item"]}) == []
