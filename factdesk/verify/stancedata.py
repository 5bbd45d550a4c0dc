"""The training mix of the stance model: which pairs, from which public sets, and their vectors.

Pairs are (claim, passage, stance). NLI sets give the hypothesis as the claim and the premise
as the passage; SciFact gives sentence-level pairs, because the desk judges passages a few
sentences long, not whole abstracts: each rationale sentence of a cited abstract carries the
evidence label, and the two non-rationale sentences of each cited abstract that share the
most words with the claim are "not enough info" (hard negatives: on topic, but silent).
SciFact claims for which :func:`~factdesk.eval.scifact.held_out` is true are never used.

Sampling is seeded; ``group`` keeps pairs that share a premise (or a SciFact claim) in one
cross-validation fold, so folds never score a premise they trained on.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from factdesk.errors import InputError
from factdesk.eval.nli import read_nli
from factdesk.eval.scifact import Abstract, SciClaim, held_out, read_claims, read_corpus
from factdesk.search.embed import Embedder
from factdesk.types import Stance

Log = Callable[[str], None]
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: (folder under the data root, file, licence) of every set the trainer knows.
SOURCES: dict[str, tuple[str, str, str]] = {
    "xnli-mt-vi": ("xnli-mt-vi", "train.jsonl.gz", "CC BY-NC 4.0"),
    "mnli-en": ("mnli-en", "train.jsonl.gz", "MultiNLI (OANC permissive; fiction CC BY-SA 3.0)"),
    "snli-en": ("snli-en", "test.jsonl.gz", "CC BY-SA 4.0"),
    "scifact": ("scifact", "claims_train.jsonl", "CC BY 4.0 + ODC-By 1.0"),
}
PERMISSIVE = ("mnli-en", "snli-en", "scifact")


@dataclass(frozen=True, slots=True)
class TrainPair:
    claim: str
    passage: str
    label: Stance
    source: str
    group: str


def words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def nli_sample(path: Path, n: int, seed: int, source: str) -> list[TrainPair]:
    """``n`` pairs drawn (seeded) from an NLI file, as (claim, passage) pairs."""
    pairs = read_nli(path)
    random.Random(f"{seed}:{source}").shuffle(pairs)
    return [
        TrainPair(p.hypothesis, p.premise, p.label, source, f"{source}:{p.premise}")
        for p in pairs[:n]
        if p.premise.strip() and p.hypothesis.strip()
    ]


def scifact_pairs(
    claims: Sequence[SciClaim], corpus: dict[str, Abstract], negatives: int = 2
) -> list[TrainPair]:
    """Sentence-level pairs from the SciFact claims that are not held out."""
    out: list[TrainPair] = []
    for claim in claims:
        if held_out(claim.id):
            continue
        claim_words = words(claim.claim)
        for doc_id in claim.cited:
            doc = corpus.get(doc_id)
            if doc is None:
                continue
            label, rationale = claim.evidence.get(doc_id, ("not_enough_info", ()))
            for i in rationale:
                if i < len(doc.sentences):
                    out.append(TrainPair(claim.claim, doc.sentences[i], label, "scifact", claim.id))
            others = sorted(
                (i for i in range(len(doc.sentences)) if i not in rationale),
                key=lambda i: (-len(claim_words & words(doc.sentences[i])), i),
            )
            for i in others[:negatives]:
                out.append(
                    TrainPair(claim.claim, doc.sentences[i], "not_enough_info", "scifact", claim.id)
                )
    return out


def training_mix(data_dir: Path, sizes: dict[str, int], seed: int) -> list[TrainPair]:
    """The pairs of every source named in ``sizes`` (SciFact: all its usable pairs)."""
    pairs: list[TrainPair] = []
    for source, n in sizes.items():
        if source not in SOURCES:
            raise InputError(f"unknown training source {source!r}; known: {sorted(SOURCES)}")
        folder, name, _licence = SOURCES[source]
        path = data_dir / folder / name
        if not path.exists():
            raise InputError("training file not found", where=str(path))
        if source == "scifact":
            corpus = read_corpus(data_dir / folder / "corpus.jsonl")
            pairs.extend(scifact_pairs(read_claims(path), corpus))
        elif n > 0:
            pairs.extend(nli_sample(path, n, seed, source))
    return pairs


def embed_pairs(
    pairs: Sequence[TrainPair], embedder: Embedder, log: Log, chunk: int = 256
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Claim vectors (E5 "query") and passage vectors (E5 "passage"), in chunks so that a
    caching embedder keeps what is done when a long run is interrupted."""
    claims = _embed_unique([p.claim for p in pairs], embedder, "query", log, chunk)
    passages = _embed_unique([p.passage for p in pairs], embedder, "passage", log, chunk)
    return claims, passages


def _embed_unique(
    texts: Sequence[str], embedder: Embedder, kind: str, log: Log, chunk: int
) -> npt.NDArray[np.float32]:
    unique = list(dict.fromkeys(texts))
    rows: list[npt.NDArray[np.float32]] = []
    for start in range(0, len(unique), chunk):
        rows.append(embedder.encode(unique[start : start + chunk], kind))  # type: ignore[arg-type]
        log(f"embedded {min(start + chunk, len(unique))}/{len(unique)} {kind} texts")
    table = np.concatenate(rows) if rows else np.zeros((0, embedder.dim), dtype=np.float32)
    index = {t: i for i, t in enumerate(unique)}
    return table[[index[t] for t in texts]]
