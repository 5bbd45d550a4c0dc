"""Folders the desk keeps beside its database (the match index, the passage index).

Several processes (web workers, the job worker, the CLI) may rebuild the same on-disk index;
one exclusive lock per folder keeps them from writing it at the same time. The lock lives in a
file, so it holds across processes and is released when the process dies."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (created if missing) for the ``with`` block."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
