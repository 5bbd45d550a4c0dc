"""SciFact reading, the held-out split, and the verification evaluation on a tiny corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdesk.errors import InputError
from factdesk.eval.scifact import held_out, read_claims, read_corpus
from factdesk.eval.verification import AbstractRetriever, evaluate_verification
from factdesk.search.tokens import default_tokenizer
from tests.verify.stancefixtures import HashEncoder, scifact_files, write_jsonl


def test_claim_labels_come_from_evidence(tmp_path: Path) -> None:
    claims_path, corpus_path = scifact_files(tmp_path)
    claims = read_claims(claims_path)
    assert [c.label for c in claims[:3]] == ["supports", "refutes", "not_enough_info"]
    assert claims[0].evidence == {"100": ("supports", (1,))}
    assert read_corpus(corpus_path)["100"].title == "A study of the bridge"


def test_held_out_is_a_stable_fifth() -> None:
    share = sum(held_out(str(i)) for i in range(2000)) / 2000
    assert 0.15 < share < 0.25
    assert held_out("24") and not held_out("0")


def test_bad_claim_rows_are_errors(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [{"id": 1, "claim": "x", "evidence": {"5": [{"sentences": [0], "label": "MAYBE"}]}}],
    )
    with pytest.raises(InputError, match="c.jsonl:1.*MAYBE"):
        read_claims(path)
    with pytest.raises(InputError, match="doc_id"):
        read_corpus(write_jsonl(tmp_path / "k.jsonl", [{"title": "t"}]))


@pytest.mark.parametrize("dense", [False, True])
def test_retriever_puts_the_cited_abstract_first(tmp_path: Path, dense: bool) -> None:
    claims_path, corpus_path = scifact_files(tmp_path)
    corpus = read_corpus(corpus_path)
    retriever = AbstractRetriever(
        list(corpus.values()), default_tokenizer()[1], HashEncoder() if dense else None
    )
    assert retriever.rank("Visits to the museum rose by 40 percent.")[0] == "106"


def test_evaluation_scores_calls_and_recall(tmp_path: Path) -> None:
    claims_path, corpus_path = scifact_files(tmp_path)
    claims = read_claims(claims_path)[:6]
    corpus = read_corpus(corpus_path)
    retriever = AbstractRetriever(list(corpus.values()), default_tokenizer()[1], None)
    seen: list[int] = []

    def call(claim: str, sentences):  # type: ignore[no-untyped-def]
        seen.append(len(sentences))
        return "supports"

    figures = evaluate_verification(claims, corpus, retriever.rank, call)
    assert figures["claims"] == 6 and figures["claims_with_evidence"] == 4
    assert figures["retrieval_recall@3"] == 1.0
    assert figures["label_accuracy"] == pytest.approx(2 / 6, abs=1e-4)
    # three sentences of each of the top three abstracts; "blue roof" claims share words with
    # one abstract only (lexical retrieval alone)
    assert seen == [9, 9, 3, 9, 9, 3]
