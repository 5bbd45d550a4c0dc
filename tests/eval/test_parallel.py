"""Parallel-file evaluation: readers and P@1 with a deterministic stand-in embedder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.eval.parallel import evaluate_parallel, read_parallel
from factdesk.search.embed import Kind


class LookupEmbedder:
    """Maps a sentence and its translation to nearby vectors via a shared concept table."""

    model_id = "lookup"
    dim = 4
    concepts = {"cat": 0, "mèo": 0, "dog": 1, "chó": 1, "rain": 2, "mưa": 2}

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        out = np.full((len(texts), self.dim), 0.05, dtype=np.float32)
        for i, t in enumerate(texts):
            for word, c in self.concepts.items():
                if word in t:
                    out[i, c] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_read_parallel_normalises_and_checks_alignment(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("Con me\u0300o\nx\n", encoding="utf-8")
    (tmp_path / "b").write_text("The cat\ny\n", encoding="utf-8")
    src, tgt = read_parallel(tmp_path / "a", tmp_path / "b")
    assert src[0] == "Con mèo" and len(tgt) == 2
    (tmp_path / "c").write_text("one line\n", encoding="utf-8")
    with pytest.raises(InputError, match="not line-aligned"):
        read_parallel(tmp_path / "a", tmp_path / "c")


def test_evaluate_parallel_reports_both_directions() -> None:
    report = evaluate_parallel(
        ["con mèo", "con chó", "trời mưa"], ["the cat", "the dog", "rain"], LookupEmbedder()
    )
    assert report["p@1_src_to_tgt"] == 1.0 and report["p@1_tgt_to_src"] == 1.0
    assert report["pairs"] == 3 and report["scoring"] == "margin"
    assert {"cosine.p@1_src_to_tgt", "csls.p@1_tgt_to_src"} <= set(report)
