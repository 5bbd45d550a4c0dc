"""SciFact: claims checked against research abstracts (the layout of ``../shared/data/scifact``).

``claims_*.jsonl``: ``id``, ``claim``, ``evidence`` {doc_id: [{sentences, label}]},
``cited_doc_ids``; ``corpus.jsonl``: ``doc_id``, ``title``, ``abstract`` (list of sentences).
A claim's gold label is its evidence label (SUPPORT / CONTRADICT) or NOT ENOUGH INFO when it
has no evidence; its relevant abstracts for retrieval are the ones with evidence.

Training uses the claims whose :func:`held_out` is false; ``factdesk eval verification`` on
the training file can be restricted to the held-out fifth (``--held-out``), which the shipped
model never saw.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from factdesk.errors import InputError
from factdesk.eval.nli import json_lines
from factdesk.types import Stance

_LABEL: dict[str, Stance] = {"SUPPORT": "supports", "CONTRADICT": "refutes"}


@dataclass(frozen=True, slots=True)
class Abstract:
    doc_id: str
    title: str
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SciClaim:
    id: str
    claim: str
    label: Stance
    # doc_id → (label, rationale sentence indices) for abstracts with evidence
    evidence: dict[str, tuple[Stance, tuple[int, ...]]]
    cited: tuple[str, ...]


def held_out(claim_id: str) -> bool:
    """The fixed fifth of SciFact train claims kept out of training, by a hash of the id."""
    return hashlib.sha256(f"scifact:{claim_id}".encode()).digest()[0] % 5 == 0


def read_corpus(path: Path) -> dict[str, Abstract]:
    corpus = {}
    for number, row in json_lines(path):
        sentences = row.get("abstract")
        if "doc_id" not in row or not isinstance(sentences, list):
            raise InputError("needs doc_id and an abstract list", where=f"{path}:{number}")
        doc_id = str(row["doc_id"])
        corpus[doc_id] = Abstract(
            doc_id, str(row.get("title") or ""), tuple(str(s) for s in sentences)
        )
    if not corpus:
        raise InputError("no abstracts in the file", where=str(path))
    return corpus


def read_claims(path: Path) -> list[SciClaim]:
    claims = []
    for number, row in json_lines(path):
        where = f"{path}:{number}"
        if "id" not in row or not isinstance(row.get("claim"), str):
            raise InputError("needs id and claim", where=where)
        evidence: dict[str, tuple[Stance, tuple[int, ...]]] = {}
        for doc_id, items in (row.get("evidence") or {}).items():
            labels = Counter(str(item.get("label")) for item in items)
            top = labels.most_common(1)[0][0] if labels else ""
            if top not in _LABEL:
                raise InputError(f"unknown evidence label {top!r}", where=where)
            indices = tuple(sorted({int(i) for item in items for i in item.get("sentences", [])}))
            evidence[str(doc_id)] = (_LABEL[top], indices)
        votes = Counter(label for label, _ in evidence.values())
        label: Stance = votes.most_common(1)[0][0] if votes else "not_enough_info"
        cited = tuple(str(d) for d in row.get("cited_doc_ids") or ())
        claims.append(SciClaim(str(row["id"]), row["claim"], label, evidence, cited))
    if not claims:
        raise InputError("no claims in the file", where=str(path))
    return claims
