"""Rate limits kept in the database, so they hold across processes and app servers.

Each counted attempt is a row in ``rate_events``. Keys are HMACs of the client address or
user name with a random per-installation secret (kept in ``app_settings``), so the table
never holds an address or a name in clear. Old rows are pruned as new ones arrive.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from factdesk.errors import RateLimited
from factdesk.store.models import AppSetting, RateEvent

KEEP = timedelta(days=1)  # rows older than this are of no use to any window
_SECRET_KEY = "rate_limit_secret"
_secret_cache: dict[str, bytes] = {}
_lock = threading.Lock()


def _secret(session: Session) -> bytes:
    bind = str(session.get_bind().engine.url)
    with _lock:
        if bind in _secret_cache:
            return _secret_cache[bind]
    row = session.get(AppSetting, _SECRET_KEY)
    if row is None:
        row = AppSetting(key=_SECRET_KEY, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    with _lock:
        _secret_cache[bind] = bytes.fromhex(str(row.value))
        return _secret_cache[bind]


def forget_secret() -> None:
    """Drop the cached secret (tests empty the tables between runs)."""
    with _lock:
        _secret_cache.clear()


def hashed(session: Session, key: str) -> str:
    return hmac.new(_secret(session), key.encode(), hashlib.sha256).hexdigest()


def check(
    session: Session,
    scope: str,
    key: str,
    limit: int,
    window: timedelta,
    *,
    failures: bool = False,
) -> None:
    """Raise RateLimited when ``key`` has ``limit`` attempts (or failures) within ``window``."""
    now = datetime.now(UTC)
    query = select(func.count(), func.min(RateEvent.at)).where(
        RateEvent.scope == scope, RateEvent.key == hashed(session, key), RateEvent.at > now - window
    )
    if failures:
        query = query.where(RateEvent.ok.is_(False))
    count, oldest = session.execute(query).one()
    if count >= limit:
        retry = int(((oldest or now) + window - now).total_seconds()) + 1
        raise RateLimited(
            f"too many attempts; try again in {max(retry, 1)} seconds", retry_after=max(retry, 1)
        )


def record(session: Session, scope: str, key: str, *, ok: bool) -> None:
    now = datetime.now(UTC)
    session.add(RateEvent(scope=scope, key=hashed(session, key), at=now, ok=ok))
    session.execute(delete(RateEvent).where(RateEvent.scope == scope, RateEvent.at < now - KEEP))


def backoff(
    session: Session,
    scope: str,
    key: str,
    free: int,
    window: timedelta,
    cap_seconds: int,
) -> None:
    """Growing delays instead of a lock: after ``free`` failures of ``key`` within ``window``,
    each further try must wait 2 s after the last failure, twice as long after each new one,
    at most ``cap_seconds``; RateLimited (with the seconds left) while a wait runs. A wait
    never outlasts ``cap_seconds``, so whoever owns ``key`` always gets through again."""
    now = datetime.now(UTC)
    count, last = session.execute(
        select(func.count(), func.max(RateEvent.at)).where(
            RateEvent.scope == scope,
            RateEvent.key == hashed(session, key),
            RateEvent.at > now - window,
            RateEvent.ok.is_(False),
        )
    ).one()
    if count < free or last is None:
        return
    delay = min(2.0 * 2 ** min(count - free, 30), float(cap_seconds))
    left = (last + timedelta(seconds=delay) - now).total_seconds()
    if left > 0:
        wait = int(left) + 1
        raise RateLimited(
            f"too many failed attempts; try again in {wait} seconds", retry_after=wait
        )


def forgive(session: Session, scope: str, key: str) -> None:
    """Forget the failures of ``key`` (its owner has just proved who they are)."""
    session.execute(
        delete(RateEvent).where(
            RateEvent.scope == scope,
            RateEvent.key == hashed(session, key),
            RateEvent.ok.is_(False),
        )
    )


def failures(session: Session, scope: str, since: datetime, keys: list[str] | None = None) -> int:
    """Failures counted in ``scope`` since ``since`` (all keys, or only ``keys``)."""
    query = select(func.count()).where(
        RateEvent.scope == scope, RateEvent.at > since, RateEvent.ok.is_(False)
    )
    if keys is not None:
        query = query.where(RateEvent.key.in_([hashed(session, k) for k in keys]))
    return int(session.scalar(query) or 0)
