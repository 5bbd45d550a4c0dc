from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from factdesk.settings import get_settings


@dataclass
class Result:
    code: int
    out: str
    err: str


CLI = Callable[..., Result]


@pytest.fixture
def cli(
    engine: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> CLI:
    """Run `factdesk ARGS...` in-process against the test database; returns code and output."""
    monkeypatch.setenv("FACTDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> Result:
        from factdesk.cli import main

        get_settings.cache_clear()
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["factdesk", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
