import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from factdesk.detect.cascade import Cascade, choose_floor, teacher_recall_threshold
from factdesk.detect.logreg import LogisticModel
from factdesk.detect.model import CheckWorthinessModel, ScorerWeights, write_keyword_model
from factdesk.detect.signals import SIGNAL_FEATURE_NAMES
from factdesk.detect.strong import VietnameseTeacher, train_cascade, with_vietnamese_threshold

DIM = 4


class FakeE5:
    """Deterministic 'e5': dimension 0 says whether the text mentions a vaccine."""

    model_id = "fake-e5"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        assert kind == "query"
        self.seen.extend(texts)
        return np.asarray(
            [[1.0 if "vaccine" in t.lower() else 0.0, 0.0, 0.0, 1.0] for t in texts], np.float32
        )


def _with_cascade(directory: Path, floor: float) -> None:
    write_keyword_model(directory, ["prices", "will", "double", "vaccine", "good", "morning"])
    d = DIM + len(SIGNAL_FEATURE_NAMES)
    coef = np.zeros(d)
    coef[0] = 4.0  # the strong head reads the e5 dimension only
    strong = ScorerWeights(LogisticModel(np.zeros(d), np.ones(d), coef, -2.0), 0.5, 0.4)
    cascade = Cascade(strong, floor, (1.0, 0.0), (1.0, 0.0), 0.0, "fake-e5")
    path = directory / "scorer.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["cascade"] = cascade.to_json()
    path.write_text(json.dumps(data), encoding="utf-8")


def test_cascade_rescores_only_what_the_cheap_model_does_not_pass(tmp_path: Path) -> None:
    _with_cascade(tmp_path, floor=0.5)
    e5 = FakeE5()
    model = CheckWorthinessModel(tmp_path, dense=e5)
    texts = ["Good morning!", "Prices will double, the vaccine maker says.", "Prices will double."]
    cheap = CheckWorthinessModel(tmp_path).probabilities(texts)
    assert cheap[0] < 0.5 <= min(cheap[1], cheap[2])  # the keyword model's gate
    scores = model.probabilities(texts)
    assert e5.seen == texts[1:]  # small talk never reaches the transformer
    assert (model.scored, model.sent_to_strong) == (3, 2)
    assert scores[0] == pytest.approx(cheap[0])
    assert scores[1] > 0.85 and scores[2] < 0.2  # the strong head decides
    assert model.kind.startswith("cascade") and model.threshold == 0.5
    assert model.mention_threshold_for("vi") == 0.4


def test_without_an_encoder_the_cheap_model_scores(tmp_path: Path) -> None:
    _with_cascade(tmp_path, floor=0.5)
    model = CheckWorthinessModel(tmp_path)
    model.probabilities(["Prices will double."])
    assert model.kind == "static+signals" and model.cascade is None


def test_choose_floor_keeps_all_but_miss_of_positives() -> None:
    labels = np.array([True] * 10 + [False] * 10)
    cheap = np.concatenate([np.linspace(0.1, 1.0, 10), np.linspace(0.0, 0.5, 10)])
    floor = choose_floor(labels, cheap, np.ones(20), miss=0.1)
    assert (cheap[labels] >= floor).mean() == pytest.approx(0.9)


def test_train_cascade_on_synthetic_sources() -> None:
    rng = np.random.default_rng(0)
    n = 200
    sources = ["a"] * n + ["b"] * n + ["c"] * n
    labels = rng.random(3 * n) < 0.3
    e5 = np.hstack(
        [labels[:, None] * 1.5 + rng.normal(size=(3 * n, 1)), rng.normal(size=(3 * n, 3))]
    )
    signals = rng.normal(size=(3 * n, 2))
    gate = np.clip(0.3 + 0.3 * labels + rng.normal(scale=0.15, size=3 * n), 0, 1)
    cascade, report = train_cascade(
        {"e5q": e5, "signals": signals},
        labels,
        sources,
        np.repeat([0, 1, 2], n),
        gate,
        embedder_id="fake",
        miss=0.05,
    )
    assert 0 < report["share_sent_pooled"] < 1
    assert set(report["loso_per_source"]) == {"a", "b", "c"}
    assert report["loso_mean_f1"] > 0.4
    again = Cascade.from_json(cascade.to_json(), ScorerWeights.from_json)
    assert again.floor == cascade.floor and again.strong.threshold == cascade.strong.threshold


class DepthE5(FakeE5):
    """A fake e5 that records the depth the cascade asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.depths: list[int | None] = []

    def encode(self, texts: Sequence[str], kind: str, depth: int | None = None) -> np.ndarray:
        self.depths.append(depth)
        return super().encode(texts, kind)


def _set_depth(directory: Path, depth: int) -> None:
    path = directory / "scorer.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["cascade"]["depth"] = depth
    path.write_text(json.dumps(data), encoding="utf-8")


def test_the_strong_stage_reads_e5_at_the_stored_depth(tmp_path: Path) -> None:
    _with_cascade(tmp_path, floor=0.5)
    _set_depth(tmp_path, 3)
    e5 = DepthE5()
    model = CheckWorthinessModel(tmp_path, dense=e5)
    model.probabilities(["Good morning!", "Prices will double, the vaccine maker says."])
    assert e5.depths == [3]
    assert model.cascade is not None and model.cascade.depth == 3
    again = Cascade.from_json(model.cascade.to_json(), ScorerWeights.from_json)
    assert again.depth == 3 and model.cascade.to_json()["features"][0] == "e5:query@3"
    # no stored depth: the full encoder, called as before (no depth argument)
    assert (
        "depth"
        not in Cascade.from_json(
            again.to_json() | {"depth": None}, ScorerWeights.from_json
        ).to_json()
    )


def test_teacher_recall_threshold_keeps_the_teachers_mass() -> None:
    probs = np.array([0.9, 0.8, 0.5, 0.3, 0.1])
    targets = np.array([1.0, 1.0, 1.0, 1.0, 0.0])
    assert teacher_recall_threshold(probs, targets, 0.75) == pytest.approx(0.5)
    assert teacher_recall_threshold(probs, targets, 0.9) == pytest.approx(0.3)


def test_vietnamese_threshold_from_the_teachers_rows(tmp_path: Path) -> None:
    _with_cascade(tmp_path, floor=0.5)
    model = CheckWorthinessModel(tmp_path)
    model.probabilities(["x"])
    cascade = Cascade.from_json(
        json.loads((tmp_path / "scorer.json").read_text(encoding="utf-8"))["cascade"],
        ScorerWeights.from_json,
    )
    texts = ["Giá xăng sẽ tăng gấp đôi vaccine", "Chào buổi sáng", "Prices will double vaccine"]
    vectors = FakeE5().encode(texts, "query")
    teacher = VietnameseTeacher(texts, np.array([0.9, 0.1, 0.8]), vectors, "test")
    with_vi, report = with_vietnamese_threshold(cascade, model, teacher)
    vi = with_vi.strong.mention_thresholds["vi"]
    assert vi == report["mention_threshold"] <= cascade.strong.threshold
    assert cascade.strong.mention_thresholds == {}  # the original is untouched
    assert ScorerWeights.from_json(with_vi.strong.to_json()).mention_thresholds == {"vi": vi}
