"""e5's transformer layer as a trainable torch module, shared by the two fine-tuning paths
(check-worthiness, ``detect/finetune.py``; claim-vs-evidence stance,
``verify/crosstrain.py``).

Torch is the ``train`` extra and the desk never needs it to score: the caller passes the
imported module in, nothing here imports it, and what training produces is exported back
to numpy arrays named as :data:`factdesk.encoder.weights.LAYER_TENSORS`, which the numpy
port (``factdesk.encoder.model``) runs. The forward pass is that port's, written with
torch operations (post-norm BERT layer, tanh GELU), so exported weights score the same.
"""

from __future__ import annotations

import math
from typing import Any

from factdesk.encoder.weights import LAYER_TENSORS, Layer


def layer_class(torch: Any, *, heads: int, eps: float, dropout: float) -> Any:
    """The class of one encoder layer: built from a numpy :class:`Layer` (its tensors become
    parameters of the same names), called as ``block(states, attention_bias)``; dropout
    after the attention output and the feed-forward output, while training only."""
    nn = torch.nn
    f = torch.nn.functional

    class Block(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self, layer: Layer) -> None:
            super().__init__()
            self.p = nn.ParameterDict(
                {k: nn.Parameter(torch.from_numpy(getattr(layer, k).copy())) for k in LAYER_TENSORS}
            )

        def forward(self, x: Any, bias: Any) -> Any:
            p = self.p
            b, t, h = x.shape
            d = h // heads

            def split(w: Any, bb: Any) -> Any:
                return (x @ w + bb).view(b, t, heads, d).transpose(1, 2)

            q, k, v = (
                split(p["q_w"], p["q_b"]),
                split(p["k_w"], p["k_b"]),
                split(p["v_w"], p["v_b"]),
            )
            scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
            ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h)
            attn = f.dropout(ctx @ p["ao_w"] + p["ao_b"], dropout, self.training)
            x1 = f.layer_norm(x + attn, (h,), p["aln_w"], p["aln_b"], eps)
            mid = f.gelu(x1 @ p["fi_w"] + p["fi_b"], approximate="tanh")
            out = f.dropout(mid @ p["fo_w"] + p["fo_b"], dropout, self.training)
            return f.layer_norm(x1 + out, (h,), p["oln_w"], p["oln_b"], eps)

    return Block
