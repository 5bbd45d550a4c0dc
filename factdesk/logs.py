"""Logging set-up: plain text (default) or one JSON object per line
(``FACTDESK_LOG_FORMAT=json``), and a filter that keeps secrets out of every log line.

Infrastructure, like ``metrics.py``: the web shell sets the request id and route of the
request being answered (:data:`REQUEST`), and every line logged while answering it carries
them. The redaction filter sits on the handler, so it sees every record from every logger
(uvicorn's access log included) after its arguments are merged into the message:

- values of secret settings (any field named like a password, secret, token or key);
- ``Authorization``, ``Cookie`` and ``Set-Cookie`` values and ``Bearer`` tokens;
- ``password=``, ``secret=``, ``token=`` and ``key=`` pairs (query strings, form bodies);
- webhook secrets (``whsec_...``) and session tokens the process registers with
  :func:`register_secret`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any

from factdesk.settings import Settings

SECRET_WORDS = ("password", "secret", "token", "key")
MASK = "[redacted]"
FORMATS = ("text", "json")
# The request being answered in this context: {"request_id": ..., "route": ...}.
REQUEST: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "factdesk_request", default=None
)
_PATTERNS = [
    re.compile(r"(?i)\b(authorization|proxy-authorization)\b(['\"]?\s*[:=]\s*['\"]?)[^'\",;\n]+"),
    re.compile(r"(?i)\b(set-cookie|cookie)\b(['\"]?\s*[:=]\s*['\"]?)[^'\"\n]+"),
    re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]+"),
    # key: 'quoted value' (reprs of dicts, JSON), then key=value up to a separator
    re.compile(
        r"(?i)\b(\w*(?:password|passwd|secret|token|api_key|apikey)\w*['\"]?\s*[=:]\s*)"
        r"(['\"])(?:\\.|(?!\2).)*\2"
    ),
    re.compile(
        r"(?i)\b(\w*(?:password|passwd|secret|token|api_key|apikey)\w*)(\s*[=:]\s*)"
        r"(?!\[redacted\])[^&\s'\",;]+"
    ),
    re.compile(r"()()whsec_[A-Za-z0-9+/=]+"),
]
_known: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Never log ``value`` (at least 8 characters: shorter ones would mask ordinary words)."""
    if value and len(value) >= 8:
        with _known_lock:
            _known.add(value)


def redact(text: str) -> str:
    """``text`` with every secret it carries replaced by ``[redacted]``."""
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's message (arguments merged) and traceback without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: log what we have rather than nothing
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's id and route
    when logged while answering one, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = REQUEST.get()
        if request:
            entry.update(request)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the moment of each record, not the object it
    was when logging was configured: a command run under a test runner (or any caller that
    swaps stderr and closes its replacement) must not leave worker threads writing into a
    closed file."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        return None


def configure(settings: Settings, *, stream: Any = None, level: int = logging.INFO) -> None:
    """Send every logger's records to ``stream`` (stderr) in the configured format, through
    the redaction filter. Idempotent: a second call replaces the handler it installed."""
    for name, _info in type(settings).model_fields.items():
        if any(word in name for word in SECRET_WORDS):
            value = getattr(settings, name)
            if isinstance(value, str):
                register_secret(value)
    handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderr()
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(RedactSecrets())
    handler._factdesk = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_factdesk", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "huey"):
        logger = logging.getLogger(name)
        logger.handlers.clear()  # their own handlers would bypass the format and the filter
        logger.propagate = True
