"""Language-id accuracy on short claim-sized texts in many languages.

The data: a TSV of ``language<TAB>text`` lines (``#`` starts a comment), such as the
fixture ``tests/fixtures/langid_multilingual.tsv`` written for this purpose. Each
identifier named in the call is scored on the same lines in the same run, so the figures
compare (the CLI scores the old vi/en-restricted detector as the baseline).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["evaluate_langid", "read_langid_tsv"]

Identifier = Callable[[str], str | None]


def read_langid_tsv(path: Path) -> list[tuple[str, str]]:
    """``(language, text)`` pairs; a line without a tab is an error naming its number."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        language, sep, text = line.partition("\t")
        if not sep or not text.strip():
            raise ValueError(f"{path} line {number}: expected 'language<TAB>text'")
        rows.append((language.strip().lower(), text.strip()))
    return rows


def evaluate_langid(
    rows: list[tuple[str, str]], identifiers: Mapping[str, Identifier]
) -> dict[str, Any]:
    """Accuracy overall and per language, and milliseconds per text once its models are
    loaded (the first pass, loading included, is reported apart), for each identifier."""
    languages = sorted({language for language, _ in rows})
    figures: dict[str, Any] = {"texts": len(rows), "languages": len(languages)}
    for name, identify in identifiers.items():
        loading = time.perf_counter()
        for _, text in rows:  # a first pass loads the models lingua needs (lazily, once)
            identify(text)
        first_pass = time.perf_counter() - loading
        started = time.perf_counter()
        found = [identify(text) for _, text in rows]
        elapsed = time.perf_counter() - started
        right: Counter[str] = Counter()
        for (language, _), guess in zip(rows, found, strict=True):
            right[language] += guess == language
        per = Counter(language for language, _ in rows)
        figures[name] = {
            "accuracy": round(sum(right.values()) / max(len(rows), 1), 4),
            "ms_per_text": round(1000 * elapsed / max(len(rows), 1), 3),
            "first_pass_s": round(first_pass, 3),  # with model loading
            "per_language": {lang: round(right[lang] / per[lang], 3) for lang in languages},
        }
    return figures
