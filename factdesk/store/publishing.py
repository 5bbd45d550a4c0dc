"""Publishing tables: webhooks with their delivery outbox, and read tokens for API partners
(migration 0004_publish).

A module of its own because ``models.py`` is at the size cap and these tables stand apart
from the claim pipeline (nothing here points at items, claims or mentions); ``models``
imports them at its end, so ``Base.metadata`` always has them and ``models.Webhook`` etc.
keep working.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from factdesk.store.models import Base, utcnow


class Webhook(Base):
    """A partner's endpoint that receives signed event notifications.

    ``secret`` is kept as given: signing needs it (HMAC), so unlike a password it cannot be
    hashed. ``events`` lists the event names sent, ``["*"]`` for all of them.
    """

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))  # whsec_<base64 key> (0009_interop)
    events: Mapped[list[Any]] = mapped_column(default=lambda: ["*"])
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event for one webhook: the outbox row, and the delivery log.

    The row is the source of truth; the job queue only nudges. ``next_attempt_at`` is when
    the next attempt is due (a worker pushes it forward while it holds the attempt, so a
    crash mid-send is retried when that lease runs out).
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[datetime | None]


class ApiToken(Base):
    """A read token for an API partner. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
