"""Cross-lingual retrieval on line-aligned parallel files (Tatoeba, FLORES-200 style).

Line i of the source file is the translation of line i of the target file. Every source
sentence is used as a query against all target sentences (and the other way round); P@1 is
the share whose best match is its own translation. Both sides are encoded with E5's
"query: " prefix, which E5's authors recommend for symmetric tasks such as bitext mining;
the figures are reported with plain cosine and with the two hubness corrections of
:mod:`factdesk.search.crosslingual`.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import InputError
from factdesk.search.crosslingual import SCORINGS, Scoring, corrected, precision_at_1
from factdesk.search.embed import Embedder, Kind


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 file, NFC-normalised, without their line ends."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", where=str(path)) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [unicodedata.normalize("NFC", line.rstrip("\r")) for line in lines]


def read_parallel(src: Path, tgt: Path) -> tuple[list[str], list[str]]:
    """Two line-aligned files; a different line count is an error naming both."""
    source, target = read_lines(src), read_lines(tgt)
    if len(source) != len(target):
        raise InputError(
            f"not line-aligned: {len(source)} lines here, {len(target)} in {tgt}", where=str(src)
        )
    if not source:
        raise InputError("no lines", where=str(src))
    return source, target


def evaluate_parallel(
    source: list[str],
    target: list[str],
    embedder: Embedder,
    *,
    scoring: Scoring = "margin",
    k: int = 4,
    kind: Kind = "query",
) -> dict[str, Any]:
    """P@1 both ways under ``scoring`` (the headline), plus every scoring for comparison."""
    src = embedder.encode(source, kind)
    tgt = embedder.encode(target, kind)
    sim = (src @ tgt.T).astype(np.float32)
    report: dict[str, Any] = {}
    for name in SCORINGS:
        matrix = corrected(sim, name, k)
        report[f"{name}.p@1_src_to_tgt"] = round(precision_at_1(matrix), 4)
        report[f"{name}.p@1_tgt_to_src"] = round(precision_at_1(corrected(sim.T, name, k)), 4)
    report["p@1_src_to_tgt"] = report[f"{scoring}.p@1_src_to_tgt"]
    report["p@1_tgt_to_src"] = report[f"{scoring}.p@1_tgt_to_src"]
    report["scoring"] = scoring
    report["k"] = k
    report["pairs"] = len(source)
    report["model"] = embedder.model_id
    return report
