"""Accounts, passwords, sign-in sessions, and the partners' API read tokens.

Passwords are argon2id hashes (argon2-cffi). A session is a random token in an HttpOnly
cookie; the database keeps only its SHA-256, the user, a CSRF token and an expiry, so any
number of app servers can share sessions and a leaked database signs nobody in.
Failed sign-ins slow down the pair (address, user name) that fails, and an address that
tries many names, with growing waits (``ratelimit.backoff``); never the account as such, so
no one can lock its owner out. They are logged, and counted per account for the admins.
Disabling an account or changing its password ends its sessions at once.
Every change to an account (added, role changed, signed in) is audited here.

A partner sends ``Authorization: Bearer fdt_...`` to read the desk's claims and ask "has
this been checked?". A read token is shown once when created and only its SHA-256 is
stored, like a session's. Tokens read, never write: changes go through a signed-in role.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from factdesk.errors import InputError, NotFound
from factdesk.services import audit, ratelimit
from factdesk.settings import Settings
from factdesk.store.db import rowcount
from factdesk.store.models import ApiToken, User, WebSession
from factdesk.store.reads.common import as_account
from factdesk.types import Account, ActiveSession, Actor, ReadToken, SignedIn, SignInFailures
from factdesk.workflow import Role

LOG = logging.getLogger("factdesk.accounts")
HASHER = PasswordHasher()  # argon2id with the library's recommended cost
MIN_PASSWORD = 10
# Verified against when the user name is unknown, so both failures take the same time.
_DUMMY_HASH = HASHER.hash("factdesk-dummy-password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters", where="password")
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(
    session: Session, settings: Settings, username: str, password: str, client: str
) -> Account | None:
    """The active user with these credentials, or None; raises RateLimited while a wait
    runs for this address and user name (or this address, if it tries many names).

    Never by the user name alone: failures from other addresses cannot keep the owner out.
    Returns rather than raises on a wrong password so the caller commits the counted
    failure before it reports it."""
    name = username.strip()
    _wait(session, settings, name, client)
    user = session.scalar(select(User).where(User.username == name))
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = ok and user is not None and user.active
    if not ok or user is None:
        _failed(session, name, client)
        return None
    ratelimit.forgive(session, "login", _pair(name, client))
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return as_account(user)


def _pair(username: str, client: str) -> str:
    return f"pair:{client}|{username.lower()}"


def _wait(session: Session, settings: Settings, username: str, client: str) -> None:
    window = timedelta(minutes=settings.login_window_minutes)
    cap = settings.login_max_delay_seconds
    pair, free = _pair(username, client), settings.login_max_failures
    ratelimit.backoff(session, "login", pair, free, window, cap)
    ratelimit.backoff(session, "login-addr", client, settings.login_address_failures, window, cap)


def _failed(session: Session, username: str, client: str) -> None:
    """Count a failed sign-in three ways: for its pair and its address (the waits) and for
    the account (what admins see), and log it for the operator."""
    ratelimit.record(session, "login", _pair(username, client), ok=False)
    ratelimit.record(session, "login-addr", client, ok=False)
    ratelimit.record(session, "login-user", username.lower(), ok=False)
    LOG.warning("failed sign-in for %r from %s", username[:100], client)


def failed_sign_ins(session: Session) -> SignInFailures:
    """Failed sign-ins of the last day, in all and per existing account (for admins)."""
    since = datetime.now(UTC) - ratelimit.KEEP
    total = ratelimit.failures(session, "login-user", since)
    counts = {}
    for name in session.scalars(select(User.username).order_by(User.username)):
        found = ratelimit.failures(session, "login-user", since, [name.lower()])
        if found:
            counts[name] = found
    return SignInFailures(total, counts)


def sign_in(
    session: Session, settings: Settings, username: str, password: str, client: str
) -> str | None:
    """Check the credentials and start a session, audited as ``user.login``: the cookie
    token, or None when they are wrong (the counted failure is written in the caller's
    transaction, which commits before the caller reports it). RateLimited while paused."""
    account = authenticate(session, settings, username, password, client)
    if account is None:
        return None
    token = start_session(session, settings, account)
    actor = Actor(account.id, account.username, Role(account.role))
    audit.record(session, actor, "user.login", "user", account.id)
    return token


def start_session(session: Session, settings: Settings, user: Account) -> str:
    """Create a session for ``user`` and return the cookie token (shown once, never stored)."""
    now = datetime.now(UTC)
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
        )
    )
    return token


# Built once: every signed-in request reads it (building costs more than running it).
_SIGNED_IN = (
    select(WebSession.id, WebSession.csrf, User.id, User.username, User.role)
    .join(User, User.id == WebSession.user_id)
    .where(
        WebSession.token_hash == bindparam("token"),
        WebSession.expires_at > bindparam("now"),
        User.active.is_(True),
    )
)


def load_session(session: Session, token: str | None) -> SignedIn | None:
    """The sign-in behind a session cookie, or None when it is missing, expired or disabled."""
    if not token:
        return None
    row = session.execute(
        _SIGNED_IN, {"token": token_hash(token), "now": datetime.now(UTC)}
    ).first()
    if row is None:
        return None
    session_id, csrf, user_id, username, role = row
    try:
        return SignedIn(Actor(user_id, username, Role(role)), csrf, session_id)
    except ValueError:  # a role this version does not know holds no rights
        return None


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


# --- accounts (used by `factdesk users ...` and the users page) ----------------------------


def add_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    actor: Actor | str | None = None,
) -> Account:
    """Create an account, audited as ``user.add`` by ``actor`` (the signed-in admin, or the
    name of the tool, e.g. ``"cli"``, which the audit row also notes as ``by``)."""
    name = username.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise InputError("a user name is 1-100 characters without spaces", where="username")
    role_value = _role(role)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise InputError(f"user {name!r} exists already", where="username")
    user = User(username=name, password_hash=hash_password(password), role=role_value)
    session.add(user)
    session.flush()
    after = {"username": user.username, "role": user.role} | _by(actor)
    audit.record(session, actor, "user.add", "user", user.id, None, after)
    return as_account(user)


def set_role(
    session: Session, username: str, role: str, *, actor: Actor | str | None = None
) -> tuple[str, str]:
    """Change a user's role; returns (before, after). Signs the user out everywhere.
    Audited as ``user.set_role`` by ``actor`` (see :func:`add_user`)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    before, user.role = user.role, _role(role)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(
        session,
        actor,
        "user.set_role",
        "user",
        None,
        {"username": username, "role": before},
        {"username": username, "role": user.role} | _by(actor),
    )
    return before, user.role


def _by(actor: Actor | str | None) -> dict[str, str]:
    """A tool acting (not a signed-in person) is named in the audit row's ``after`` too."""
    return {"by": actor} if isinstance(actor, str) else {}


def set_password(
    session: Session, username: str, password: str, *, actor: Actor | str | None = None
) -> None:
    """Give ``username`` a new password (an admin or the CLI); ends all its sessions.
    Audited as ``user.password`` (never the password)."""
    user = _user(session, username)
    user.password_hash = hash_password(password)
    _end_all(session, user.id)
    audit.record(
        session, actor, "user.password", "user", user.id, None, {"username": username} | _by(actor)
    )


def change_own_password(
    session: Session,
    settings: Settings,
    actor: Actor,
    current: str,
    new: str,
    client: str,
) -> str | None:
    """A signed-in user's own change: the current password is required (and its failures
    count like sign-in failures, so a stolen session cannot guess it). Ends every session
    of the user, this one too, and returns the token of a fresh one for this browser; None
    when the current password is wrong (the counted failure is written in the caller's
    transaction, which commits before the caller reports it)."""
    _wait(session, settings, actor.username, client)
    user = session.get(User, actor.id)
    if user is None or not user.active:
        raise NotFound(f"no active user {actor.username!r}")
    if not verify_password(user.password_hash, current):
        _failed(session, actor.username, client)
        return None
    if new == current:
        raise InputError("choose a password different from the current one", where="password")
    user.password_hash = hash_password(new)
    _end_all(session, user.id)
    audit.record(session, actor, "user.password", "user", user.id, None, {"own": True})
    return start_session(session, settings, as_account(user))


def set_active(
    session: Session, username: str, active: bool, *, actor: Actor | str | None = None
) -> bool:
    """Disable or enable an account; returns whether it changed. Disabling ends its
    sessions at once (and its sign-ins fail). The last active admin cannot be disabled,
    so the desk can always be managed. Audited as ``user.disable`` / ``user.enable``."""
    user = _user(session, username)
    if user.active == active:
        return False
    if not active and user.role == Role.ADMIN.value:
        admins = session.scalar(
            select(func.count()).where(User.role == Role.ADMIN.value, User.active.is_(True))
        )
        if (admins or 0) <= 1:
            raise InputError("the last active admin cannot be disabled", where="username")
    user.active = active
    if not active:
        _end_all(session, user.id)
    action = "user.enable" if active else "user.disable"
    after = {"username": username, "active": active} | _by(actor)
    audit.record(session, actor, action, "user", user.id, {"active": not active}, after)
    return True


def active_sessions(session: Session) -> list[ActiveSession]:
    """Every unexpired sign-in, newest first (for the admins' users page)."""
    rows = session.execute(
        select(WebSession.id, User.username, WebSession.created_at, WebSession.expires_at)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.expires_at > datetime.now(UTC))
        .order_by(WebSession.created_at.desc(), WebSession.id.desc())
    ).all()
    return [ActiveSession(*row) for row in rows]


def end_session_by_id(session: Session, session_id: int, *, actor: Actor | str | None) -> None:
    """An admin signs one browser out; audited as ``session.end``."""
    owner = session.scalar(select(WebSession.user_id).where(WebSession.id == session_id))
    if owner is None:
        raise NotFound(f"no active session {session_id}")
    session.execute(delete(WebSession).where(WebSession.id == session_id))
    audit.record(session, actor, "session.end", "user", owner, None, {"session": session_id})


def _end_all(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def list_users(session: Session) -> list[Account]:
    return [as_account(u) for u in session.scalars(select(User).order_by(User.username))]


def get_actor(session: Session, username: str) -> Actor:
    """The account ``username`` as an actor of the workflow; NotFound when there is none."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return Actor(user.id, user.username, Role(user.role))


# The demo's accounts, one per role (``factdesk demo``).
DEMO_USERS = (
    ("admin", Role.ADMIN),
    ("editor", Role.EDITOR),
    ("checker", Role.CHECKER),
    ("viewer", Role.VIEWER),
)


def ensure_demo_users(session: Session) -> list[tuple[str, str, str]]:
    """Create (or reset) the demo accounts with fresh random passwords, so a demo database
    never carries a known password; returns (username, password, role) for each, for the
    demo to print once."""
    accounts = []
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            session.add(
                User(username=username, password_hash=HASHER.hash(password), role=role.value)
            )
        else:
            user.password_hash, user.role, user.active = HASHER.hash(password), role.value, True
        accounts.append((username, password, role.value))
    session.flush()
    return accounts


def _role(role: str) -> str:
    try:
        return Role(role.strip().lower()).value
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InputError(f"unknown role {role!r}; choose one of {roles}", where="role") from None


# --- API read tokens (used by `factdesk tokens ...` and /api/v1/tokens) -----------------

PREFIX = "fdt_"
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is refreshed at most this often


def create_token(session: Session, name: str) -> tuple[ReadToken, str]:
    """A new token for the partner ``name``; returns it and the token itself (shown once)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("name the partner in 1-200 characters", where="name")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_hash(token), name=name, created_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return _read_token(row), token


def revoke_token(session: Session, token_id: int) -> None:
    changed = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    if rowcount(changed) != 1:
        raise NotFound(f"no active API token {token_id}")


def list_tokens(session: Session) -> list[ReadToken]:
    return [_read_token(t) for t in session.scalars(select(ApiToken).order_by(ApiToken.id))]


def _read_token(row: ApiToken) -> ReadToken:
    return ReadToken(row.id, row.name, row.created_at, row.last_used_at, row.revoked_at)


def check_token(session: Session, token: str) -> ReadToken | None:
    """The active read token for ``token``, or None. Notes the use (at most every few
    minutes, so reading the API does not write on every request)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is not None:
        now = datetime.now(UTC)
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return None if row is None else _read_token(row)
