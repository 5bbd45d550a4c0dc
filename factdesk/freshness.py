"""A process-wide counter of changes to what the public sees.

Infrastructure, like ``metrics.py``: the service layer bumps it after a commit that
publishes, corrects or withdraws a fact-check (:func:`factdesk.services.publish.on_published`),
and the web shell's public cache (:mod:`factdesk.web.publiccache`) drops every entry made
before. Other processes learn of the change from the database, within
``FACTDESK_PUBLIC_CACHE_SECONDS``.
"""

from __future__ import annotations

import itertools
import threading

_counter = itertools.count(1)
_lock = threading.Lock()
_generation = 0


def bump() -> None:
    """Public content changed in this process: cached public answers are stale."""
    global _generation
    with _lock:
        _generation = next(_counter)


def generation() -> int:
    with _lock:
        return _generation
