"""NLI evaluation: premise + hypothesis → entailment / neutral / contradiction.

Reads the two JSONL layouts of ``../shared/data`` (plain or gzip): the NLI training folders
(``premise``, ``hypothesis``, ``label`` in words, ``lang``) and XNLI-vi as SEA-HELM ships it
(``prompts[0].sentence1`` / ``sentence2`` with ``label`` either a word or SEA-HELM's option
letter: A = entailment, B = contradiction, C = neutral). Labels map onto stance names:
entailment → supports, contradiction → refutes, neutral → not_enough_info.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdesk.errors import InputError
from factdesk.types import Stance

STANCES: tuple[Stance, ...] = ("supports", "refutes", "not_enough_info")
_LABELS: dict[str, Stance] = {
    "entailment": "supports",
    "contradiction": "refutes",
    "neutral": "not_enough_info",
    "a": "supports",
    "b": "refutes",
    "c": "not_enough_info",
    "support": "supports",
    "supports": "supports",
    "supported": "supports",
    "contradict": "refutes",
    "refutes": "refutes",
    "refuted": "refutes",
    "not enough info": "not_enough_info",
    "not_enough_info": "not_enough_info",
    "nei": "not_enough_info",
}


@dataclass(frozen=True, slots=True)
class NLIPair:
    """One labelled pair: ``premise`` is the evidence, ``hypothesis`` the claim."""

    premise: str
    hypothesis: str
    label: Stance
    lang: str = ""


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSONL file, gzip or not."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"not JSON ({exc.msg})", where=f"{path}:{number}") from None
                if not isinstance(value, dict):
                    raise InputError("each line must be a JSON object", where=f"{path}:{number}")
                yield number, value
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read ({exc})", where=str(path)) from None


def read_nli(path: Path) -> list[NLIPair]:
    """Every pair of an NLI JSONL file; an unknown label or a missing text names its line."""
    pairs = []
    for number, row in json_lines(path):
        where = f"{path}:{number}"
        if "prompts" in row:
            prompts = row.get("prompts") or [{}]
            first = prompts[0] if isinstance(prompts, list) and prompts else {}
            premise, hypothesis = first.get("sentence1"), first.get("sentence2")
            lang = str((row.get("metadata") or {}).get("language", ""))
        else:
            premise, hypothesis = row.get("premise"), row.get("hypothesis")
            lang = str(row.get("lang", ""))
        if not isinstance(premise, str) or not isinstance(hypothesis, str):
            raise InputError("needs premise and hypothesis text", where=where)
        label = _LABELS.get(str(row.get("label", "")).strip().lower())
        if label is None:
            raise InputError(f"unknown label {row.get('label')!r}", where=where)
        pairs.append(NLIPair(premise, hypothesis, label, lang))
    if not pairs:
        raise InputError("no pairs in the file", where=str(path))
    return pairs


def classification_report(gold: Sequence[Stance], predicted: Sequence[Stance]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the three stances and per-stance F1."""
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    per_class: dict[str, float] = {}
    for stance in STANCES:
        tp = sum(g == stance and p == stance for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != stance and p == stance for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == stance and p != stance for g, p in zip(gold, predicted, strict=True))
        per_class[stance] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {
        "accuracy": round(correct / n, 4) if n else 0.0,
        "macro_f1": round(sum(per_class.values()) / len(STANCES), 4),
        "f1": {k: round(v, 4) for k, v in per_class.items()},
    }


def evaluate_nli(
    pairs: Sequence[NLIPair], predict: Callable[[Sequence[tuple[str, str]]], list[Stance]]
) -> dict[str, Any]:
    """Score ``predict`` (claim, passage) → stance on ``pairs``; also its pairs per second."""
    started = time.perf_counter()
    predicted = predict([(p.hypothesis, p.premise) for p in pairs])
    seconds = time.perf_counter() - started
    return {
        **classification_report([p.label for p in pairs], predicted),
        "pairs": len(pairs),
        "pairs_per_second": round(len(pairs) / seconds, 1) if seconds > 0 else 0.0,
    }
