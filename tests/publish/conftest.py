"""Hand-written published fact-checks for the builder tests (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from factdesk.types import Appearance, Citation, FactCheck, Organisation, Rating, Revision

BASE = "https://checks.example.org"


@pytest.fixture
def org() -> Organisation:
    return Organisation(
        name="Example Checks", url="https://example.org", logo="https://example.org/logo.png"
    )


@pytest.fixture
def fact_check() -> FactCheck:
    """One of our corrected fact-checks: two published versions (public revision 2) after
    five edits on the desk (``version`` 5, which the public never sees)."""
    return FactCheck(
        id=7,
        origin="local",
        status="corrected",
        claim_reviewed="Uống nước chanh nóng chữa khỏi ung thư",
        rating=Rating(label="False", value=1.0, best=5.0, worst=1.0),
        date_published=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        date_modified=datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
        title="No, hot lemon water does not cure cancer",
        summary="No study shows it; health agencies say so plainly.",
        explanation="## Why\n\nThe claim cites a study that does not exist.",
        language="vi",
        claim_date=datetime(2026, 2, 20, tzinfo=UTC),
        version=5,
        appearances=(
            Appearance("https://social.example.net/p/2", datetime(2026, 2, 25, tzinfo=UTC)),
            Appearance("https://news.example.com/a/1", datetime(2026, 2, 21, tzinfo=UTC)),
            Appearance("https://blog.example.com/undated"),
        ),
        citations=(
            Citation(
                url="https://who.example.int/cancer",
                quote="No food cures cancer.",
                publisher="Health agency",
                source_date="2025-11",
                document_id=3,
                archived_at=datetime(2026, 2, 28, tzinfo=UTC),
            ),
        ),
        history=(
            Revision(1, datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "published"),
            Revision(
                2,
                datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
                "The study was misattributed <script>; fixed the name.",
            ),
        ),
    )
