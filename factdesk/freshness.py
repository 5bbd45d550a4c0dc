"""Process-wide counters of changes to what the public sees, and who to tell.

Infrastructure, like ``metrics.py``: a service that changes public content calls
:func:`after_commit` in its transaction, naming the fact-checks whose own documents changed
(publishing, correcting or withdrawing one, showing or hiding a link where its claim
appeared), or nothing for a change that touches every page (the rating scale). Once the
transaction commits (never before: a request in between would cache the old rows under the
new stamp) the counters move and the subscribers hear of it: the web shell's public cache
(:mod:`factdesk.web.publiccache`) drops what is now stale and renders it again at once.

A cached answer records the :func:`stamp` of what it shows when its render began: one
fact-check's documents depend on that fact-check and the site (``stamp(id)``); lists, feeds
and everything else on any change (``stamp(None)``). An answer is current while its stamp
is. So a correction re-renders that page and the lists, not the other two thousand pages.
Other processes learn of changes from the database (the cache polls it).
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

_counter = itertools.count(1)
_lock = threading.Lock()
_generation = 0  # any change
_site = 0  # a change to every page
_fact_checks: dict[int, int] = {}  # a change to one fact-check's own documents
_listeners: list[weakref.WeakMethod[Callable[[Change], None]]] = []
_PENDING = "factdesk.freshness.pending"


@dataclass(frozen=True)
class Change:
    """What changed: these fact-checks' documents (and every list), or, when
    ``fact_checks`` is None, every public answer."""

    fact_checks: frozenset[int] | None


def bump(_session: Session | None = None, *, fact_checks: Iterable[int] | None = None) -> None:
    """Public content changed in this process: cached answers that show it are stale."""
    global _generation, _site
    change = Change(None if fact_checks is None else frozenset(fact_checks))
    with _lock:
        _generation = next(_counter)
        if change.fact_checks is None:
            _site = _generation
        else:
            for fc_id in change.fact_checks:
                _fact_checks[fc_id] = _generation
        listeners = [ref() for ref in _listeners]
        _listeners[:] = [ref for ref, fn in zip(_listeners, listeners, strict=True) if fn]
    for listener in listeners:
        if listener is not None:
            listener(change)


def generation() -> int:
    """Moves on every change (a cheap "has anything changed since?")."""
    with _lock:
        return _generation


def stamp(fact_check_id: int | None) -> tuple[int, int]:
    """The state an answer depends on: a fact-check's own documents when ``fact_check_id``
    is given, else every public change (lists, feeds, archived copies)."""
    with _lock:
        if fact_check_id is None:
            return (_site, _generation)
        return (_site, _fact_checks.get(fact_check_id, 0))


def subscribe(listener: Callable[[Change], None]) -> None:
    """Call the bound method ``listener`` after each change (in the committing thread; it
    must be quick). Held weakly: an app that is gone stops listening."""
    with _lock:
        _listeners.append(weakref.WeakMethod(listener))


def after_commit(session: Session, *, fact_checks: Iterable[int] | None = None) -> None:
    """Bump once ``session``'s transaction commits, for ``fact_checks`` (their documents and
    the lists) or, when None, for everything; several calls in one transaction add up."""
    pending: set[int] | None = session.info.get(_PENDING, set())
    if pending is not None:
        pending = None if fact_checks is None else pending | set(fact_checks)
    session.info[_PENDING] = pending
    if not event.contains(session, "after_commit", _committed):
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_rollback", _rolled_back)


def _committed(session: Session) -> None:
    if _PENDING in session.info:
        bump(fact_checks=session.info.pop(_PENDING))


def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
