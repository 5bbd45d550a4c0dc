"""The functional core imports nothing from the shell or from I/O frameworks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import factdesk

PACKAGE = Path(factdesk.__file__).parent
CORE = [
    "text",
    "ingest",
    "detect",
    "search",
    "verify",
    "eval",
    "types.py",
    "workflow.py",
    "errors.py",
]
FORBIDDEN = (
    "fastapi",
    "starlette",
    "typer",
    "sqlalchemy",
    "httpx",
    "alembic",
    "uvicorn",
    "factdesk.store",
    "factdesk.web",
    "factdesk.jobs",
    "factdesk.cli",
    "factdesk.publish",
    "factdesk.services.ingest",
    "factdesk.net",
    "factdesk.demo",
)


def _core_files() -> list[Path]:
    files: list[Path] = []
    for name in CORE:
        path = PACKAGE / name
        files.extend(
            sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
        )
    return files


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_module_imports_no_shell(path: Path) -> None:
    bad = [n for n in _imports(path) if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)]
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"
