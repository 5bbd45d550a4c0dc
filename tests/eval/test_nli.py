"""Reading NLI files in both layouts of ../shared/data, and scoring a predictor on them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from factdesk.errors import InputError
from factdesk.eval.nli import classification_report, evaluate_nli, read_nli


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_reads_gzip_training_layout(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "train.jsonl.gz",
        [
            {"premise": "Trời mưa cả ngày.", "hypothesis": "Hôm nay trời khô ráo.",
             "label": "contradiction", "lang": "vi"},
            {"premise": "The shop opens at nine.", "hypothesis": "The shop opens.",
             "label": "entailment", "lang": "en"},
        ],
    )  # fmt: skip
    pairs = read_nli(path)
    assert [p.label for p in pairs] == ["refutes", "supports"]
    assert pairs[0].lang == "vi" and pairs[0].hypothesis == "Hôm nay trời khô ráo."


def test_reads_seahelm_prompt_layout_with_letters_and_words(tmp_path: Path) -> None:
    prompt = {"sentence1": "Con mèo ngủ trên ghế.", "sentence2": "Có một con vật."}
    path = _write(
        tmp_path / "vi.jsonl",
        [
            {"label": "A", "prompts": [prompt], "metadata": {"language": "vi"}},
            {"label": "B", "prompts": [prompt]},
            {"label": "C", "prompts": [prompt]},
            {"label": "neutral", "prompts": [prompt]},
        ],
    )
    labels = [p.label for p in read_nli(path)]
    assert labels == ["supports", "refutes", "not_enough_info", "not_enough_info"]


def test_unknown_label_names_the_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.jsonl",
        [
            {"premise": "a", "hypothesis": "b", "label": "entailment"},
            {"premise": "a", "hypothesis": "b", "label": "maybe"},
        ],
    )
    with pytest.raises(InputError, match=r"bad\.jsonl:2.*maybe"):
        read_nli(path)


def test_broken_json_and_empty_file_are_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"premise": \n', encoding="utf-8")
    with pytest.raises(InputError, match="broken.jsonl:1"):
        read_nli(broken)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no pairs"):
        read_nli(empty)


def test_report_counts_accuracy_and_macro_f1() -> None:
    report = classification_report(
        ["supports", "refutes", "not_enough_info", "supports"],
        ["supports", "supports", "not_enough_info", "supports"],
    )
    assert report["accuracy"] == 0.75
    # F1: supports 0.8, refutes 0, nei 1 → macro 0.6
    assert report["macro_f1"] == 0.6


def test_evaluate_passes_claim_first(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "p.jsonl", [{"premise": "P", "hypothesis": "H", "label": "entailment"}]
    )
    seen = []

    def predict(pairs):  # type: ignore[no-untyped-def]
        seen.extend(pairs)
        return ["supports"] * len(pairs)

    figures = evaluate_nli(read_nli(path), predict)
    assert seen == [("H", "P")] and figures["accuracy"] == 1.0 and figures["pairs"] == 1
