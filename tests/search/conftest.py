"""A tiny hand-written fact-check collection (invented for these tests), in two languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from factdesk.types import FactCheck, Rating


def fc(
    claim: str,
    *,
    title: str = "",
    summary: str = "",
    language: str = "en",
    rating: str = "False",
    publisher: str = "Desk",
    year: int = 2024,
) -> FactCheck:
    return FactCheck(
        claim_reviewed=claim,
        rating=Rating(rating),
        title=title or None,
        summary=summary or None,
        publisher=publisher,
        language=language,
        url=f"https://checks.example/{abs(hash(claim)) % 10_000}",
        date_published=datetime(year, 3, 1, tzinfo=UTC),
    )


COLLECTION: list[tuple[str, FactCheck]] = [
    (
        "hot-water",
        fc(
            "Drinking hot water every fifteen minutes cures the flu.",
            title="No, hot water does not cure the flu",
            summary="Doctors say warm drinks soothe a sore throat but kill no virus.",
        ),
    ),
    (
        "moon-base",
        fc(
            "A secret military base was photographed on the far side of the moon.",
            title="Moon base photo is a video-game render",
        ),
    ),
    (
        "salt-price",
        fc(
            "The government will double the price of salt next month.",
            title="Salt price rumour has no source",
            summary="The ministry of industry denied any change to salt prices.",
        ),
    ),
    (
        "bridge-collapse",
        fc(
            "The new river bridge collapsed during its opening ceremony.",
            title="Video of collapsing bridge was filmed abroad in 2015",
        ),
    ),
    (
        "vi-dien",
        fc(
            "Giá điện sẽ tăng gấp ba từ tháng sau.",
            title="Tin giá điện tăng gấp ba là sai sự thật",
            summary="Tập đoàn điện lực khẳng định không có kế hoạch tăng giá như vậy.",
            language="vi",
        ),
    ),
    (
        "vi-chanh",
        fc(
            "Uống nước chanh nóng chữa khỏi ung thư.",
            title="Nước chanh nóng không chữa được ung thư",
            summary="Các bác sĩ cảnh báo thông tin sai lệch về chữa ung thư tại nhà.",
            language="vi",
        ),
    ),
    (
        "vi-lu",
        fc(
            "Đập thủy điện lớn nhất miền Trung đã bị vỡ sau trận lũ.",
            title="Ảnh đập thủy điện bị vỡ là ảnh cũ ở nước ngoài",
            language="vi",
        ),
    ),
    (
        "exam-cancelled",
        fc(
            "The national high-school exam has been cancelled this year.",
            title="National exam goes ahead as planned",
            summary="The education ministry confirmed the exam dates.",
        ),
    ),
]


@pytest.fixture
def collection() -> list[tuple[str, FactCheck]]:
    return list(COLLECTION)
