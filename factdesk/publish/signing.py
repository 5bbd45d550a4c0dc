"""Webhook signatures: HMAC-SHA256 over the timestamp and the raw body.

The header a receiver gets is ``Factdesk-Signature: t=<unix seconds>,v1=<hex digest>``
where the digest is ``HMAC_SHA256(secret, "<t>." + raw body)``. Signing the timestamp with
the body lets a receiver refuse replays of an old delivery (see :func:`verify`; the
recipe for receivers is in ``docs/publishing.md``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Factdesk-Signature"
EVENT_HEADER = "Factdesk-Event"
DELIVERY_HEADER = "Factdesk-Delivery"
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept between signing and receipt


def new_secret() -> str:
    """A fresh random webhook secret (256 bits, URL-safe)."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + body`` under ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={int(timestamp)},v1={sign(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, *, now: float, tolerance: int = DEFAULT_TOLERANCE
) -> bool:
    """Whether ``header`` is a valid, fresh signature of ``body`` (constant-time compare)."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
