from pathlib import Path

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.eval.paraphrase import Pair, evaluate_paraphrase, pair_groups, read_vnpara


def _write(directory: Path, rows: list[tuple[str, str, str]]) -> None:
    (directory / "Sentences1.txt").write_text(
        "\n".join(r[0] for r in rows) + "\n", encoding="utf-8"
    )
    (directory / "Sentences2.txt").write_text(
        "\n".join(r[1] for r in rows) + "\n", encoding="utf-8"
    )
    (directory / "Labels.txt").write_text("\n".join(r[2] for r in rows) + "\n", encoding="utf-8")


def test_read_vnpara_tolerates_the_trailing_comma_typo(tmp_path: Path) -> None:
    _write(tmp_path, [("a", "b", "1,"), ("c", "d", "0")])
    assert [p.label for p in read_vnpara(tmp_path)] == [True, False]


def test_read_vnpara_errors_name_the_line(tmp_path: Path) -> None:
    _write(tmp_path, [("a", "b", "1"), ("c", "d", "yes")])
    with pytest.raises(InputError) as info:
        read_vnpara(tmp_path)
    assert info.value.where is not None and info.value.where.endswith("Labels.txt:2")
    with pytest.raises(InputError):
        read_vnpara(tmp_path / "missing")


def test_pair_groups_link_pairs_sharing_a_sentence() -> None:
    pairs = [
        Pair("a", "b", True),
        Pair("c", "b", False),
        Pair("d", "e", True),
        Pair("e", "f", True),
    ]
    g = pair_groups(pairs)
    assert g[0] == g[1] and g[2] == g[3] and g[0] != g[2]


def test_evaluate_paraphrase_thresholds_come_from_other_folds() -> None:
    rng = np.random.default_rng(0)
    pairs = [Pair(f"s{i}", f"t{i}", i % 2 == 0) for i in range(200)]
    vectors = {}
    for p in pairs:
        base = rng.normal(size=8)
        noise = rng.normal(size=8) * (0.1 if p.label else 3.0)
        vectors[p.first], vectors[p.second] = base, base + noise

    def encode(texts: list[str]) -> np.ndarray:
        m = np.array([vectors[t] for t in texts], dtype=np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    out = evaluate_paraphrase(pairs, encode, folds=4, fixed_threshold=0.5)
    assert float(out["accuracy"]) > 0.9 and float(out["f1"]) > 0.9
    assert len(out["thresholds"]) == 4  # type: ignore[arg-type]
    assert "accuracy_at_fixed" in out
