"""The check-worthiness feature vector: what a sentence means, and what kind of claim it is.

Two parts, concatenated:

- the static multilingual embedding (``static.py``): sentence-level meaning, shared by
  English and Vietnamese, so a model trained on English debates and tweets scores
  Vietnamese posts too;
- the claim-type signals (``signals.py``): numbers, comparisons, causes, predictions,
  quotes, laws, personal experience, plus a few surface cues (question, opinion phrase).

Without the embedding (artefact missing) the signals alone are the fallback feature set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from factdesk.detect.signals import signal_features
from factdesk.detect.static import StaticEmbedder


def signal_matrix(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    return np.asarray([signal_features(t) for t in texts], dtype=np.float32).reshape(len(texts), -1)


def feature_matrix(
    texts: Sequence[str],
    embedder: StaticEmbedder | None,
    languages: Sequence[str | None] | None = None,
) -> npt.NDArray[np.float32]:
    """(n, d) features; with no embedder, the signal features alone. ``languages`` picks
    each text's language centre in the embedding (see ``StaticEmbedder.encode``)."""
    signals = signal_matrix(texts)
    if embedder is None:
        return signals
    return np.hstack([embedder.encode(texts, languages), signals])
