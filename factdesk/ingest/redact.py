"""Keeping people out of what parsers pass on — including the quarantine's raw excerpts.

A rejected record is kept (``Rejected.raw``) so an editor can see what went wrong; it must
not become a back door for the authors, handles and accounts the parsers drop from good
records. Structured records are redacted key by key; a record that cannot be parsed (so
its keys cannot be told apart) is withheld whenever it shows a person-describing key.
"""

from __future__ import annotations

import json
import re
from typing import Any

from factdesk.ingest.fields import raw_excerpt

__all__ = [
    "AUTHOR_TOKENS",
    "WITHHELD",
    "is_author_column",
    "jsonld_excerpt",
    "line_excerpt",
    "record_excerpt",
]

WITHHELD = "[withheld: this record may name a person; see its location in the source]"

# A column or key whose normalised name has one of these words describes a person.
AUTHOR_TOKENS = frozenset(
    {
        "author", "authors", "user", "users", "username", "usernames", "handle", "handles",
        "screen", "screenname", "account", "accounts", "name", "names", "fullname",
        "displayname", "nickname", "nick", "profile", "profiles", "owner", "owners", "from",
        "sender", "poster", "creator", "uploader", "by", "email", "mail", "phone", "avatar",
        "follower", "followers", "following", "friends", "page", "channel", "actor",
        "member", "commenter", "reporter", "verified", "bio", "uid", "userid",
    }
)  # fmt: skip
_AUTHOR_KEYS = frozenset(
    {"tác_giả", "tac_gia", "người_đăng", "nguoi_dang", "tên", "ten", "tài_khoản", "tai_khoan"}
)
# schema.org properties that point at people (or at organisations, which are kept).
_JSONLD_AGENTS = frozenset(
    {"author", "creator", "contributor", "editor", "accountablePerson", "sender", "sdPublisher"}
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[\W_]+")
_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.){1,80})"\s*:')
_MAX_DEPTH = 20


def normalise_name(name: str) -> str:
    """``"Created At"``, ``"createdAt"``, ``"created-at"`` → ``"created_at"``."""
    return _NOT_WORD.sub("_", _CAMEL.sub("_", name.strip().lstrip("\ufeff")).lower()).strip("_")


def is_author_column(name: str) -> bool:
    """True when a column or key name says it holds a person (author, handle, user id...)."""
    key = normalise_name(name)
    return key in _AUTHOR_KEYS or any(token in AUTHOR_TOKENS for token in key.split("_"))


def record_excerpt(record: dict[str, Any]) -> str:
    """A rejected export row or object as JSON, every person-describing key removed at any
    depth."""
    return _dumps(_without_authors(record, 0))


def line_excerpt(line: str, *, header_has_authors: bool = False) -> str:
    """A line that could not be parsed: kept only when nothing in it can name a person —
    no person-describing ``"key":`` in it and (for CSV) no such column in the header."""
    if header_has_authors or any(is_author_column(k) for k in _JSON_KEY.findall(line[:20_000])):
        return WITHHELD
    return raw_excerpt(line.strip())


def jsonld_excerpt(obj: object) -> str:
    """A rejected JSON-LD node with every Person node and person-valued agent removed."""
    return _dumps(_without_people(obj, 0))


def _without_authors(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return "…"
    if isinstance(value, dict):
        return {
            k: _without_authors(v, depth + 1)
            for k, v in value.items()
            if not (isinstance(k, str) and is_author_column(k))
        }
    if isinstance(value, list):
        return [_without_authors(v, depth + 1) for v in value]
    return value


def _without_people(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return "…"
    if isinstance(value, list):
        return [_without_people(v, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    if _is_person(value):
        return {"@type": "Person"}
    kept: dict[Any, Any] = {}
    for key, item in value.items():
        if key in _JSONLD_AGENTS and not _is_organisation(item):
            kept[key] = "[removed]"
        else:
            kept[key] = _without_people(item, depth + 1)
    return kept


def _types(node: dict[Any, Any]) -> set[str]:
    raw = node.get("@type", node.get("type"))
    values = raw if isinstance(raw, list) else [raw]
    return {v.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if isinstance(v, str)}


def _is_person(node: dict[Any, Any]) -> bool:
    return "Person" in _types(node)


def _is_organisation(value: Any) -> bool:
    nodes = value if isinstance(value, list) else [value]
    return bool(nodes) and all(
        isinstance(n, dict) and _types(n) - {""} and not _is_person(n) for n in nodes
    )


def _dumps(value: Any) -> str:
    try:
        return raw_excerpt(json.dumps(value, ensure_ascii=False, default=str))
    except (ValueError, RecursionError):
        return WITHHELD
