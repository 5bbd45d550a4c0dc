"""Standard Webhooks signatures, checked against the reference ``standardwebhooks``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from factdesk.publish.signing import new_secret, secret_key, sign, signed_headers, verify

BODY = b'{"event":"fact_check.published","id":"e1"}'
KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()


def test_sign_is_base64_hmac_sha256_of_id_timestamp_body() -> None:
    digest = hmac.new(KEY, b"msg_1.1700000000." + BODY, hashlib.sha256).digest()
    assert sign(SECRET, "msg_1", 1700000000, BODY) == "v1," + base64.b64encode(digest).decode()


def test_signed_headers_verify_with_the_reference_library() -> None:
    now = int(time.time())
    headers = signed_headers(SECRET, "msg_abc", now, BODY)
    assert Webhook(SECRET).verify(BODY, headers) == {"event": "fact_check.published", "id": "e1"}
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(BODY + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_reference_library_signatures_verify_here() -> None:
    now = int(time.time())
    theirs = Webhook(SECRET).sign("msg_x", datetime_at(now), BODY.decode())
    headers = {"Webhook-Id": "msg_x", "Webhook-Timestamp": str(now), "Webhook-Signature": theirs}
    assert verify(SECRET, headers, BODY, now=now)


def datetime_at(seconds: int):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, tz=UTC)


def test_verify_refuses_tampered_stale_or_garbled() -> None:
    headers = signed_headers(SECRET, "msg_1", 1000, BODY)
    assert verify(SECRET, headers, BODY, now=1100)
    assert not verify(SECRET, headers, BODY + b" ", now=1100)  # body changed
    assert not verify(new_secret(), headers, BODY, now=1100)  # wrong secret
    assert not verify(SECRET, headers, BODY, now=1000 + 301)  # replayed too late
    assert not verify(SECRET, {**headers, "webhook-id": "msg_2"}, BODY, now=1000)  # other id
    assert not verify(SECRET, {**headers, "webhook-timestamp": "soon"}, BODY, now=1000)
    assert not verify(
        SECRET, {k: v for k, v in headers.items() if k != "webhook-id"}, BODY, now=1000
    )
    # during a rotation several signatures are sent, space-separated: one match is enough
    rotating = {**headers, "webhook-signature": "v1,AAAA " + headers["webhook-signature"]}
    assert verify(SECRET, rotating, BODY, now=1000)


def test_new_secret_is_random_32_byte_key_the_library_reads() -> None:
    a, b = new_secret(), new_secret()
    assert a != b and a.startswith("whsec_")
    assert len(secret_key(a)) == 32
    assert Webhook(a)._whsecret == secret_key(a)


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("s3cret-but-not-standard", "starts with 'whsec_'"),
        ("whsec_not*base64!", "base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "16-64 bytes"),
    ],
)
def test_secret_key_refuses_what_the_libraries_would_misread(secret: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        secret_key(secret)


def test_secret_key_accepts_unpadded_base64() -> None:
    assert secret_key(SECRET.rstrip("=")) == KEY
