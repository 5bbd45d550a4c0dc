"""Paraphrase evaluation on vnPara: does the grouping similarity say "same claim" correctly?

vnPara (``Sentences1.txt``, ``Sentences2.txt``, ``Labels.txt``, one pair per line number)
has no split, and its pairs share sentences. So the threshold is never chosen on the pairs it
scores: pairs are grouped by shared sentences (connected components), the groups are dealt to
k folds (seeded), and each fold is scored with the threshold that maximises accuracy on the
other k-1 folds. Figures are pooled over all folds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from factdesk.errors import InputError
from factdesk.eval.checkworthiness import binary_scores


@dataclass(frozen=True, slots=True)
class Pair:
    first: str
    second: str
    label: bool


def read_vnpara(directory: Path) -> list[Pair]:
    """The pairs of a vnPara folder; a label line like ``1,`` (a typo in the corpus) is read
    as ``1``; anything else that is not 0/1 is an error naming the line."""
    names = ("Sentences1.txt", "Sentences2.txt", "Labels.txt")
    try:
        first, second, labels = (
            (directory / n).read_text(encoding="utf-8-sig").splitlines() for n in names
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"not a vnPara folder ({exc})", where=str(directory)) from None
    if not (len(first) == len(second) == len(labels)):
        raise InputError(
            f"line counts differ: {len(first)}, {len(second)}, {len(labels)}", where=str(directory)
        )
    pairs = []
    for i, (a, b, raw) in enumerate(zip(first, second, labels, strict=True), start=1):
        value = raw.strip().rstrip(",").strip()
        if value not in ("0", "1"):
            raise InputError(
                f"label must be 0 or 1, got {raw!r}", where=f"{directory / 'Labels.txt'}:{i}"
            )
        pairs.append(Pair(a.strip(), b.strip(), value == "1"))
    return pairs


def pair_groups(pairs: Sequence[Pair]) -> list[int]:
    """Group id per pair: pairs linked through a shared sentence share a group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        ra, rb = find(p.first), find(p.second)
        if ra != rb:
            parent[ra] = rb
    roots: dict[str, int] = {}
    return [roots.setdefault(find(p.first), len(roots)) for p in pairs]


def best_accuracy_threshold(sims: npt.NDArray[np.float64], labels: npt.NDArray[np.bool_]) -> float:
    order = np.sort(np.unique(sims))
    candidates = (order[:-1] + order[1:]) / 2 if len(order) > 1 else order
    best_t, best_acc = float(candidates[0]), -1.0
    for t in candidates:
        acc = float(np.mean((sims >= t) == labels))
        if acc > best_acc:
            best_t, best_acc = float(t), acc
    return best_t


def evaluate_paraphrase(
    pairs: Sequence[Pair],
    encode: Callable[[list[str]], npt.NDArray[np.float32]],
    *,
    folds: int = 5,
    seed: int = 13,
    fixed_threshold: float | None = None,
) -> dict[str, float | int | list[float]]:
    """Cross-validated accuracy/F1 of ``cosine >= threshold``; optionally also at a fixed
    threshold (the production setting), which involves no choice on these labels at all."""
    a = encode([p.first for p in pairs])
    b = encode([p.second for p in pairs])
    sims = np.sum(a * b, axis=1).astype(np.float64)
    labels = np.array([p.label for p in pairs])
    groups = pair_groups(pairs)
    ids = sorted(set(groups))
    random.Random(seed).shuffle(ids)
    fold_of = {g: i % folds for i, g in enumerate(ids)}
    fold = np.array([fold_of[g] for g in groups])
    predicted = np.zeros(len(pairs), dtype=bool)
    thresholds = []
    for f in range(folds):
        test = fold == f
        t = best_accuracy_threshold(sims[~test], labels[~test])
        thresholds.append(round(t, 4))
        predicted[test] = sims[test] >= t
    scores = binary_scores(labels.tolist(), predicted.tolist())
    out: dict[str, float | int | list[float]] = {
        "pairs": len(pairs),
        "groups": len(ids),
        "folds": folds,
        "thresholds": thresholds,
        "accuracy": round(scores.accuracy, 4),
        "f1": round(scores.f1_yes, 4),
    }
    if fixed_threshold is not None:
        fixed = binary_scores(labels.tolist(), (sims >= fixed_threshold).tolist())
        out["fixed_threshold"] = fixed_threshold
        out["accuracy_at_fixed"] = round(fixed.accuracy, 4)
        out["f1_at_fixed"] = round(fixed.f1_yes, 4)
    return out
