"""``factdesk eval checkworthiness --loso``: the leave-one-source-out comparisons (of
candidate models, or of e5 depths), kept apart from ``cli/detect.py`` to keep both small."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from factdesk.cli.render import OutputFormat, err_console, render_rows
from factdesk.services import detect


def eval_loso(
    data_dir: Path, max_rows: int, debate_rows: int, passage: bool, report: Path | None
) -> None:
    from factdesk.detect.strong import compare_candidates
    from factdesk.settings import get_settings

    settings = get_settings()
    rows, full = compare_candidates(
        data_dir,
        detect.load_model(settings, cascade=False),
        detect.cached_e5(settings, per_model=True),
        kinds=("query", "passage") if passage else ("query",),
        max_rows=max_rows,
        debate_rows=debate_rows,
        log=lambda msg: err_console.print(msg),
    )
    show_loso(rows, full, report)


def depth_list(text: str) -> list[int]:
    try:
        out = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        out = []
    if not out or out[0] < 1 or out[-1] > 12:
        raise typer.BadParameter("layers between 1 and 12, comma-separated", param_hint="--depths")
    return out


def eval_depths(
    data_dir: Path,
    max_rows: int,
    debate_rows: int,
    depths: list[int],
    report: Path | None,
    cap_all: bool = False,
) -> None:
    from factdesk.detect.strong import compare_depths
    from factdesk.settings import get_settings

    rows, full = compare_depths(
        data_dir,
        detect.LayeredE5(get_settings()),
        depths,
        static=detect.load_model(get_settings(), cascade=False).embedder,
        max_rows=max_rows,
        debate_rows=debate_rows,
        cap_all=cap_all,
        log=lambda msg: err_console.print(msg),
    )
    show_loso(rows, full, report)


def show_loso(rows: list[dict[str, Any]], full: dict[str, Any], report: Path | None) -> None:
    """Print the per-source table, the JSON line scripts read, and the full report if asked."""
    render_rows(
        rows, OutputFormat.table, columns=tuple(rows[0]), title="F1(yes) per held-out source"
    )
    if report is not None:
        report.write_text(json.dumps(full, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"loso": rows}))


def train_finetuned(
    data_dir: Path | None,
    work: Path,
    layers: int,
    from_layer: int,
    epochs: int,
    seed: int,
    max_rows: int,
    debate_rows: int,
    cap_all: bool,
    export_to: Path | None,
    ship_to: Path | None = None,
    miss: float = 0.3,
    teacher_files: tuple[list[Path], list[Path], int | None] | None = None,
) -> None:
    """``train checkworthiness --finetune-layers``: e5's layers above ``from_layer``
    fine-tuned leave one source out, beside the frozen baselines; report in ``work``.
    ``ship_to``: make the exported model the cascade's strong stage in that model folder
    (``teacher_files``: the labelled TSVs, the Vietnamese texts and the teacher's row cap,
    for its Vietnamese threshold, fitted as the frozen head's is)."""
    import os

    from factdesk.detect.finetune import FinetuneOptions, compare_finetuned
    from factdesk.settings import get_settings

    if data_dir is None:
        raise typer.BadParameter("--finetune-layers needs --cascade-data")
    if from_layer + layers > 12:
        raise typer.BadParameter("--from-layer + --finetune-layers must be at most 12")
    threads = int(os.environ.get("OMP_NUM_THREADS", "1") or 1)
    options = FinetuneOptions(
        from_layer=from_layer, layers=layers, epochs=epochs, seed=seed, threads=threads
    )
    if ship_to is not None and export_to is None:
        raise typer.BadParameter("--finetune-ship needs --finetune-out")
    teacher = None
    if ship_to is not None and teacher_files is not None and teacher_files[1]:
        from factdesk.detect.strong import vietnamese_teacher

        labelled, vietnamese, rows_cap = teacher_files
        teacher = vietnamese_teacher(
            labelled, vietnamese, detect.LayeredE5(get_settings()), 12, rows=rows_cap,
            log=err_console.print,
        )  # fmt: skip
    rows, full, oof = compare_finetuned(
        data_dir,
        work,
        options,
        max_rows=max_rows,
        debate_rows=debate_rows,
        cap_all=cap_all,
        static=detect.load_model(get_settings(), cascade=False).embedder,
        export_to=export_to,
        log=lambda msg: err_console.print(msg),
    )
    if ship_to is not None and export_to is not None:
        from factdesk.detect.ftcascade import add_finetuned_cascade

        full["cascade"] = add_finetuned_cascade(
            ship_to, data_dir, export_to, oof[-1],
            max_rows=max_rows, debate_rows=debate_rows, cap_all=cap_all,
            miss=miss, seed=seed, teacher=teacher, log=lambda msg: err_console.print(msg),
        )  # fmt: skip
    show_loso(rows, full, work / f"finetune-{from_layer}+{layers}-seed{seed}.json")
