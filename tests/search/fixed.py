"""A stand-in encoder for the language-offset tests: every query is one vector, and each
known text sits at a chosen cosine to it, so a test states the cosines it needs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from factdesk.search.embed import Kind


class FixedCosines:
    """Each text of ``cosines`` gets its cosine to every query along the first axis and the
    rest of its length on an axis of its own; any other text (a query) is the first axis."""

    model_id = "fixed"

    def __init__(self, cosines: dict[str, float], dim: int) -> None:
        if dim < len(cosines) + 1:
            raise ValueError(f"{len(cosines)} texts need dim > {len(cosines)}, not {dim}")
        self.dim = dim
        self.axes = {t: (c, i + 1) for i, (t, c) in enumerate(cosines.items())}

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if text not in self.axes:  # a query: the first axis
                out[i, 0] = 1.0
                continue
            c, axis = self.axes[text]
            out[i, 0] = c
            out[i, axis] = np.sqrt(1 - c * c)
        return out
