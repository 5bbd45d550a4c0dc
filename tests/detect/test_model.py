import json
from pathlib import Path

import numpy as np
import pytest

from factdesk.detect.model import CheckWorthinessModel, write_keyword_model
from factdesk.detect.static import StaticEmbedder
from factdesk.errors import InputError


def tiny_model(directory: Path, words: list[str]) -> CheckWorthinessModel:
    write_keyword_model(directory, words)
    return CheckWorthinessModel(directory)


def test_model_scores_and_explains(tmp_path: Path) -> None:
    model = tiny_model(tmp_path, ["prices", "will", "double"])
    scored = model.score(["Prices will double next month.", "Good morning!"])
    assert scored[0].worthy and not scored[1].worthy
    assert {h.name for h in scored[0].signals} >= {"prediction", "comparison"}
    assert scored[1].signals == ()
    assert model.kind == "static+signals"
    assert model.meta == {"kind": "keyword test model"}


def test_model_falls_back_to_signals_without_static_table(tmp_path: Path) -> None:
    model = tiny_model(tmp_path, ["x"])
    (tmp_path / "static.npz").unlink()
    fresh = CheckWorthinessModel(tmp_path)
    assert fresh.predict(["Taxes rose by 20 percent."]) == [True]
    assert fresh.kind == "signals" and fresh.embedder is None
    assert model.kind == "unloaded"  # loading is lazy


def test_model_threshold_override(tmp_path: Path) -> None:
    tiny_model(tmp_path, ["x"])
    assert CheckWorthinessModel(tmp_path, threshold=0.99).predict(
        ["Taxes rose by 20 percent."]
    ) == [False]


def test_model_missing_artefacts_say_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="factdesk train checkworthiness"):
        CheckWorthinessModel(tmp_path).probabilities(["x"])


def test_model_corrupt_scorer_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "scorer.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError):
        _ = CheckWorthinessModel(tmp_path).threshold


def test_shipped_artefacts_are_small_and_load() -> None:
    from factdesk.detect.model import MODEL_DIR

    total = sum(p.stat().st_size for p in MODEL_DIR.iterdir() if p.is_file())
    assert total <= 20 * 1024 * 1024
    data = json.loads((MODEL_DIR / "scorer.json").read_text(encoding="utf-8"))
    assert {"full", "fallback", "training"} <= set(data)
    model = CheckWorthinessModel()
    p = model.probabilities(
        ["Unemployment fell to 3.5 percent last year.", "Thank you, good night."]
    )
    assert model.kind == "static+signals"
    assert p[0] > p[1]


def test_static_embedder_round_trips_and_normalises(tmp_path: Path) -> None:
    model = tiny_model(tmp_path, ["flood", "lũ"])
    embedder = model.embedder
    assert embedder is not None
    v = embedder.encode(["flood", "", "zzz unknown"])
    assert np.isclose(np.linalg.norm(v[0]), 1.0)
    assert np.allclose(v[1], 0.0)
    again = StaticEmbedder.load(tmp_path / "static.npz")
    assert np.allclose(again.encode(["flood"]), v[:1], atol=1e-2)


def test_model_describe_names_the_model_and_fallbacks(tmp_path: Path) -> None:
    assert "unavailable" in CheckWorthinessModel(tmp_path / "none").describe()["check-worthiness"]
    tiny_model(tmp_path, ["x"])
    described = CheckWorthinessModel(tmp_path).describe()
    assert described["check-worthiness"].startswith("static+signals model")
    assert "static embedding only" in described["claim grouping"]


def test_model_keeps_dense_centres(tmp_path: Path) -> None:
    from factdesk.detect.model import ScorerWeights, write_model
    from factdesk.detect.vectors import CenteredDense

    base = CheckWorthinessModel(tmp_path / "a")
    write_keyword_model(tmp_path / "a", ["x"])
    weights = ScorerWeights.from_json(
        json.loads((tmp_path / "a" / "scorer.json").read_text())["fallback"]
    )
    write_model(tmp_path / "b", None, None, weights, {}, {"en": [1.0, 0.0], "vi": [0.0, 1.0]})
    model = CheckWorthinessModel(tmp_path / "b")
    assert model.dense_centers == {"en": [1.0, 0.0], "vi": [0.0, 1.0]}
    assert model.kind == "signals"
    assert base.kind == "unloaded"

    class Inner:
        dim = 2

        def encode(self, texts: list[str], kind: str) -> np.ndarray:
            return np.tile(np.array([[1.0, 1.0]], dtype=np.float32), (len(texts), 1))

    dense = CenteredDense(Inner(), model.dense_centers)
    out = dense.encode(["a", "b"], ["en", "vi"])
    assert np.allclose(out, [[0.0, 1.0], [1.0, 0.0]])


def test_mention_threshold_per_language_and_override(tmp_path: Path) -> None:
    from factdesk.detect.logreg import LogisticModel
    from factdesk.detect.model import ScorerWeights, write_model

    z = np.zeros(21)
    weights = ScorerWeights(LogisticModel(z, np.ones(21), z, 0.0), 0.6, 0.3, {"vi": 0.2})
    assert ScorerWeights.from_json(weights.to_json()).mention_thresholds == {"vi": 0.2}
    write_model(tmp_path / "m", None, None, weights)
    model = CheckWorthinessModel(tmp_path / "m")
    assert (model.mention_threshold_for("vi"), model.mention_threshold_for("en")) == (0.2, 0.3)
    assert model.mention_threshold_for(None) == 0.3
    forced = CheckWorthinessModel(tmp_path / "m", threshold=0.5)
    assert forced.mention_threshold_for("vi") == 0.5  # FACTDESK_DETECT_THRESHOLD wins
