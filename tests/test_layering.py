"""The floors of ``factdesk/`` hold (see docs/architecture.md):

records (types, errors, settings, workflow) → core (text, ingest, detect, search, verify,
eval) → infrastructure (net, queue, store, publish) → services → shells (web, cli, jobs,
demo). Each floor imports only floors below it; nothing imports a shell; no import cycle
between parts, function-level imports included; publish/ builds documents from records and
touches no database; factdesk's own modules are imported plainly (no ``except ImportError``,
no ``importlib``), so this test sees every arrow.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import factdesk

PACKAGE = Path(factdesk.__file__).parent
MAX_LINES = 600

CORE = (
    "text",
    "ingest",
    "detect",
    "search",
    "verify",
    "eval",
    "encoder",
    "types",
    "workflow",
    "errors",
)
SHELLS = ("web", "cli", "jobs", "demo")
THIRD_PARTY_SHELL = ("fastapi", "starlette", "typer", "uvicorn")
FORBIDDEN_IN_CORE = (
    *THIRD_PARTY_SHELL,
    "sqlalchemy",
    "httpx",
    "alembic",
    "factdesk.store",
    "factdesk.services",
    "factdesk.publish",
    "factdesk.net",
    "factdesk.queue",
    *(f"factdesk.{s}" for s in SHELLS),
)
FORBIDDEN_BELOW_SHELLS = (*THIRD_PARTY_SHELL, *(f"factdesk.{s}" for s in SHELLS))
FORBIDDEN_IN_PUBLISH = (
    *FORBIDDEN_BELOW_SHELLS,
    "sqlalchemy",
    "factdesk.store",
    "factdesk.services",
    "factdesk.net",
    "factdesk.queue",
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[:2] == ("store", "migrations"):
            continue
        parts = ["factdesk", *relative.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


@cache
def _imports(module: str) -> tuple[str, ...]:
    """Every module ``module`` imports, wherever the import statement sits."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            names.append(stem)
            # ``from factdesk.services import detect`` imports the module detect
            names.extend(f"{stem}.{alias.name}" for alias in node.names)
    return tuple(n for n in names if n)


def _own(module: str) -> set[str]:
    """factdesk modules ``module`` imports (names that are modules, not attributes)."""
    return {n for n in _imports(module) if n in MODULES}


def part(module: str) -> str:
    """The part a module belongs to: a top-level package or module, except that each
    service module is a part of its own (a cycle between flow stages is a cycle too)."""
    pieces = module.split(".")
    if len(pieces) >= 3 and pieces[1] == "services":
        return ".".join(pieces[:3])
    return ".".join(pieces[:2])


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _in(module: str, parts: tuple[str, ...]) -> bool:
    return _under(module, tuple(f"factdesk.{p}" for p in parts))


@pytest.mark.parametrize("module", [m for m in MODULES if _in(m, CORE)])
def test_core_module_imports_no_infrastructure_or_shell(module: str) -> None:
    bad = [n for n in _imports(module) if _under(n, FORBIDDEN_IN_CORE)]
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", [m for m in MODULES if not _in(m, SHELLS)])
def test_nothing_below_the_shells_imports_a_shell(module: str) -> None:
    bad = [n for n in _imports(module) if _under(n, FORBIDDEN_BELOW_SHELLS)]
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", [m for m in MODULES if _in(m, ("publish",))])
def test_publish_builds_documents_without_the_store(module: str) -> None:
    bad = [n for n in _imports(module) if _under(n, FORBIDDEN_IN_PUBLISH)]
    assert not bad, f"{module} imports {bad}"


def test_no_import_cycle_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        here = part(module)
        graph.setdefault(here, set()).update(
            part(other) for other in _own(module) if part(other) != here
        )
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def _hidden_imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            catches = [h.type for h in node.handlers if h.type is not None]
            names = {n.id for c in catches for n in ast.walk(c) if isinstance(n, ast.Name)}
            if {"ImportError", "ModuleNotFoundError"} & names:
                for inner in node.body:
                    for sub in ast.walk(inner):
                        module = getattr(sub, "module", None) or ""
                        aliases = [a.name for a in getattr(sub, "names", [])]
                        if isinstance(sub, ast.ImportFrom | ast.Import) and any(
                            n.startswith("factdesk") for n in [module, *aliases]
                        ):
                            found.append(f"line {sub.lineno}: except ImportError around factdesk")
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            found.append(f"line {node.lineno}: importlib.import_module")
    return found


@pytest.mark.parametrize("module", list(MODULES))
def test_own_modules_are_imported_plainly(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    assert not _hidden_imports(tree), f"{module}: {_hidden_imports(tree)}"


@pytest.mark.parametrize("module", list(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES})"


def test_the_guard_sees_a_back_arrow() -> None:
    """The checks above fail on the shapes they exist for."""
    sample = ast.parse(
        "try:\n    from factdesk.services import match\nexcept ImportError:\n    pass\n"
        "import importlib\nimportlib.import_module('factdesk.services.match')\n"
    )
    assert len(_hidden_imports(sample)) == 2
    assert part("factdesk.services.detect") != part("factdesk.services.claims")
    assert part("factdesk.web.app") == "factdesk.web"
    assert _under("factdesk.web.app", FORBIDDEN_BELOW_SHELLS)
