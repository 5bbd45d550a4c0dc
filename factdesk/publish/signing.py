"""Webhook signatures, the Standard Webhooks way (https://www.standardwebhooks.com/).

Every delivery carries three headers:

- ``webhook-id``: the message id, the same on every retry of one delivery (receivers use
  it to ignore a message they already handled);
- ``webhook-timestamp``: Unix seconds when this attempt was signed;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256>`` of ``"<id>.<timestamp>.<raw body>"``.
  Several space-separated signatures may be sent during a secret rotation.

The secret is ``whsec_<base64 key>`` and the HMAC key is the *decoded* key bytes, exactly
as the reference libraries (the ``standardwebhooks`` packages for Python, JavaScript,
Go, ...) expect: a receiver verifies with ``Webhook(secret).verify(body, headers)``.
Signing the id and timestamp with the body lets a receiver refuse replays (see
:func:`verify`; the recipe for receivers is in ``docs/publishing.md``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
EVENT_HEADER = "Factdesk-Event"  # the event name, for receivers that route before parsing
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept between signing and receipt
PREFIX = "whsec_"
KEY_BYTES = 32  # a fresh key: 256 bits
MIN_KEY_BYTES, MAX_KEY_BYTES = 16, 64


def new_secret() -> str:
    """A fresh random webhook secret: ``whsec_`` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; ValueError naming what is wrong."""
    if not secret.startswith(PREFIX):
        raise ValueError("a webhook secret starts with 'whsec_'")
    encoded = secret[len(PREFIX) :]
    encoded += "=" * (-len(encoded) % 4)  # unpadded base64, as some libraries write it
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "a webhook secret is 'whsec_' and base64 (A-Z a-z 0-9 + /, = padding)"
        ) from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(
            f"a webhook secret's key is {MIN_KEY_BYTES}-{MAX_KEY_BYTES} bytes (found {len(key)})"
        )
    return key


def message_id(delivery_id: int) -> str:
    """The ``webhook-id`` of a delivery: stable across its retries."""
    return f"msg_{delivery_id}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``"<msg_id>.<timestamp>." + body`` under the key."""
    content = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(int(timestamp)),
        SIGNATURE_HEADER: sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """Whether ``headers`` carry a valid, fresh signature of ``body`` (constant-time).

    Header names are matched case-insensitively, as HTTP does."""
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get(ID_HEADER, "")
    try:
        timestamp = int(lowered.get(TIMESTAMP_HEADER, ""))
    except ValueError:
        return False
    if not msg_id or abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, msg_id, timestamp, body).encode("ascii")
    return any(
        hmac.compare_digest(expected, given.encode("ascii", "replace"))
        for given in lowered.get(SIGNATURE_HEADER, "").split()
    )
