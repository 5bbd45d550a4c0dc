"""The trained matcher model that ships with factdesk, and how to load another one.

``factdesk/models/matcher/model.json`` holds the three heads (hybrid, dense, lexical: see
:mod:`factdesk.search.features`), each in two models: with time features, used when the
query's date is known, and without (``<head>/undated``), and the provenance of their training: data, split, seed,
command and cross-validated figures. ``factdesk train matcher`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from factdesk.search.ranker import Head, load_model

SHIPPED = "models/matcher/model.json"


@dataclass(frozen=True, slots=True)
class MatcherModel:
    heads: dict[str, Head]
    meta: dict[str, Any] = field(default_factory=dict)


def shipped_model_path() -> Path:
    return Path(str(resources.files("factdesk") / SHIPPED))


def load_matcher_model(path: Path) -> MatcherModel:
    heads, meta = load_model(path)
    missing = {f"{h}{v}" for h in ("hybrid", "dense", "lexical") for v in ("", "/undated")}
    missing -= set(heads)
    if missing:
        raise ValueError(f"{path}: matcher model lacks heads {sorted(missing)}")
    return MatcherModel(heads, meta)


@lru_cache(maxsize=1)
def default_model() -> MatcherModel:
    """The shipped model (read once per process)."""
    return load_matcher_model(shipped_model_path())
