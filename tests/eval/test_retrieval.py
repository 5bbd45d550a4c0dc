"""The retrieval evaluation's language handling: identified fact-checks, per-language figures."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

from factdesk.eval.retrieval import evaluate_retrieval, per_language, with_languages
from factdesk.types import FactCheck, Rating


def _fc(text: str, language: str | None) -> FactCheck:
    return FactCheck(claim_reviewed=text, rating=Rating(label=""), language=language)


def test_with_languages_keeps_declared_and_identifies_the_rest() -> None:
    seen: list[str] = []

    def identify(texts: Sequence[str]) -> list[str | None]:
        seen.extend(texts)
        return ["fr" for _ in texts]

    out = with_languages([("a", _fc("Claim A", "de")), ("b", _fc("Claim B", None))], identify)
    assert [fc.language for _, fc in out] == ["de", "fr"]
    assert seen == ["Claim B"]  # only the undeclared one is identified
    assert with_languages([("b", _fc("x", None))], None)[0][1].language is None


def test_per_language_splits_map_and_mrr() -> None:
    qrels = {"q1": {"d1"}, "q2": {"d2"}, "q3": {"d3"}, "q4": set()}
    ranked = {"q1": ["d1"], "q2": ["x", "d2"], "q3": ["x"]}
    out = per_language(ranked, qrels, {"q1": "de", "q2": "de", "q3": None})
    assert out["de"] == {"queries": 2, "map@5": 0.75, "mrr": 0.75}
    assert out["?"] == {"queries": 1, "map@5": 0.0, "mrr": 0.0}
    assert list(out) == ["de", "?"]  # most queries first


def test_evaluate_retrieval_reports_each_query_language(tmp_path: Path) -> None:
    vclaims = tmp_path / "v.zip"
    with zipfile.ZipFile(vclaims, "w") as zf:
        for vid, text, lang in [
            ("v-de", "Impfstoffe machen Frauen unfruchtbar", "de"),
            ("v-fr", "Les vaccins rendent les femmes stériles", "fr"),
            ("v-en", "Sharks were seen swimming on a flooded highway", None),
        ]:
            record = {"vclaim_id": vid, "vclaim": text, **({"lang": lang} if lang else {})}
            zf.writestr(f"vclaims/{vid}.json", json.dumps(record))
    queries = tmp_path / "q.tsv"
    queries.write_text(
        "q1\tMacht der Impfstoff Frauen unfruchtbar?\n"
        "q2\tUn vaccin qui rend stérile\n"
        "q3\tA shark swimming on the highway\n",
        encoding="utf-8",
    )
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("q1 0 v-de 1\nq2 0 v-fr 1\nq3 0 v-en 1\n", encoding="utf-8")
    langs = {"Macht": "de", "Un va": "fr", "A sha": "en", "Shark": "en"}

    def identify(texts: Sequence[str]) -> list[str | None]:
        return [langs.get(t[:5]) for t in texts]

    result = evaluate_retrieval(queries, qrels, vclaims, embedder=None, identify=identify)
    assert result.languages == {"q1": "de", "q2": "fr", "q3": "en"}
    assert set(result.report["languages"]) == {"de", "fr", "en"}
    assert result.report["languages"]["de"]["map@5"] == 1.0  # stems meet: Impfstoffe/Impfstoff
    assert result.report["vclaim_languages"] == {"de": 1, "fr": 1, "en": 1}
    assert result.report["map@5"] == 1.0
