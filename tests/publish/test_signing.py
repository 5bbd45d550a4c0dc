from __future__ import annotations

import hashlib
import hmac

from factdesk.publish.signing import new_secret, sign, signature_header, verify

BODY = b'{"event":"fact_check.published","id":1}'


def test_sign_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign("s3cret", 1700000000, BODY) == expected
    assert signature_header("s3cret", 1700000000, BODY) == f"t=1700000000,v1={expected}"


def test_verify_accepts_fresh_and_refuses_tampered_stale_or_garbled() -> None:
    header = signature_header("s3cret", 1000, BODY)
    assert verify("s3cret", header, BODY, now=1100)
    assert not verify("s3cret", header, BODY + b" ", now=1100)  # body changed
    assert not verify("other", header, BODY, now=1100)  # wrong secret
    assert not verify("s3cret", header, BODY, now=1000 + 301)  # replayed too late
    assert not verify("s3cret", "v1=abc", BODY, now=1000)
    assert not verify("s3cret", "t=soon,v1=abc", BODY, now=1000)
    # a receiver rotating secrets may see several v1 values; one match is enough
    assert verify("s3cret", "t=1000,v1=deadbeef," + header.split(",")[1], BODY, now=1000)


def test_new_secret_is_random_and_long() -> None:
    a, b = new_secret(), new_secret()
    assert a != b and a.startswith("whsec_") and len(a) > 40
