"""`factdesk eval nli`, `factdesk eval verification`, `factdesk train stance` from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.verify.stancefixtures import nli_rows, scifact_files, write_jsonl

CLI = Any


def test_eval_nli_prints_json_last(cli: CLI, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "vi.jsonl.gz", nli_rows("vi", 6) + nli_rows("en", 3))
    result = cli("eval", "nli", "--data", str(data))
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert figures["pairs"] == 9 and 0 <= figures["accuracy"] <= 1
    assert {"macro_f1", "pairs_per_second", "model"} <= set(figures)
    assert "never a verdict" in result.err


def test_eval_nli_names_the_bad_line(cli: CLI, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "bad.jsonl", [{"premise": "a", "hypothesis": "b", "label": "x"}])
    result = cli("eval", "nli", "--data", str(data))
    assert result.code == 1 and "bad.jsonl:1" in result.err


def test_eval_verification_prints_json_last(cli: CLI, tmp_path: Path) -> None:
    claims, corpus = scifact_files(tmp_path, claims_count=9)
    result = cli("eval", "verification", "--claims", str(claims), "--corpus", str(corpus))
    assert result.code == 0, result.err
    figures = json.loads(result.out.strip().splitlines()[-1])
    assert figures["claims"] == 9 and figures["retrieval_recall@3"] == 1.0
    assert {"label_accuracy", "macro_f1"} <= set(figures)


def test_eval_verification_held_out_needs_held_out_claims(cli: CLI, tmp_path: Path) -> None:
    claims, corpus = scifact_files(tmp_path, claims_count=9)  # ids 0-8: none held out
    result = cli(
        "eval", "verification", "--claims", str(claims), "--corpus", str(corpus), "--held-out"
    )
    assert result.code == 1 and "no held-out claims" in result.err


def test_train_stance_rejects_a_bad_size(cli: CLI, tmp_path: Path) -> None:
    result = cli("train", "stance", "--data", str(tmp_path), "--size", "mnli-en=lots")
    assert result.code == 1 and "SOURCE=N" in result.err
