"""A process-wide counter of changes to what the public sees.

Infrastructure, like ``metrics.py``: a service that changes public content — publishing,
correcting or withdrawing a fact-check, showing or hiding an appearance link, changing the
rating scale — calls :func:`after_commit`, and once the transaction commits the web shell's
public cache (:mod:`factdesk.web.publiccache`) drops every entry made before. Other
processes' caches expire on their own within ``FACTDESK_PUBLIC_CACHE_SECONDS``.
"""

from __future__ import annotations

import itertools
import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

_counter = itertools.count(1)
_lock = threading.Lock()
_generation = 0


def bump(_session: Session | None = None) -> None:
    """Public content changed in this process: cached public answers are stale."""
    global _generation
    with _lock:
        _generation = next(_counter)


def generation() -> int:
    with _lock:
        return _generation


def after_commit(session: Session) -> None:
    """Bump once ``session``'s transaction commits (never before: a request in between
    would cache the old rows under the new generation)."""
    if not event.contains(session, "after_commit", bump):
        event.listen(session, "after_commit", bump)
