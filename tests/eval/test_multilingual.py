"""The multilingual sanity evaluation: its proxy set and its per-group figures."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.eval.multilingual import (
    QueryEncoding,
    SanityQuery,
    SanitySet,
    build_sanity_set,
    long_fusion_setting,
    pseudo_query,
    run_sanity,
)
from factdesk.search.longpost import LONG_FUSION
from factdesk.search.model import MatcherModel
from factdesk.search.tokens import default_tokenizer
from factdesk.text.tokenize import tokenize
from factdesk.types import FactCheck, Rating


def test_pseudo_query_is_a_window_with_two_foreign_words() -> None:
    text = " ".join(f"w{i}" for i in range(40))
    query = pseudo_query(text, random.Random(1), "x1 x2 x3")
    words = query.split()
    assert len(words) == 12  # ten-word window (a quarter) + two noise words
    inner = words[1:-1]
    start = int(inner[0][1:])
    assert inner == [f"w{i}" for i in range(start, start + 10)]
    assert {words[0], words[-1]} <= {"x1", "x2", "x3"}
    assert pseudo_query(text, random.Random(1), "x1 x2 x3") == query


def test_query_encoding_cleans_and_truncates() -> None:
    enc = QueryEncoding("t", clean=True, max_words=3)
    assert (
        enc.text("#Vaccine kills https://t.co/x everyone who takes it") == "Vaccine kills everyone"
    )


def _fc(text: str, language: str) -> FactCheck:
    return FactCheck(claim_reviewed=text, rating=Rating(label=""), language=language)


def test_run_sanity_reports_each_group_and_tokeniser() -> None:
    pool = [
        ("de-1", _fc("Die Impfstoffe machen Frauen unfruchtbar", "de")),
        ("de-2", _fc("Der Bürgermeister hat die Brücke verkauft", "de")),
        ("en-1", _fc("Sharks swim on the flooded highway", "en")),
    ]
    queries = [
        SanityQuery("q1", "de", "Impfstoff Frau", "de", "de-1"),
        SanityQuery("q2", "en", "shark on a highway", "en", "en-1"),
    ]
    report = run_sanity(
        SanitySet(pool, queries),
        embedder=None,
        model=MatcherModel({}, {}),
        tokenizers={"before": ("old", tokenize), "after": default_tokenizer()},
    )
    assert report["groups"] == {"de": 1, "en": 1}
    # the plain tokeniser cannot meet "Impfstoffe" with "Impfstoff"; the analysis can
    assert report["before"]["bm25"]["de"] == 0.0
    assert report["after"]["bm25"]["de"] == 1.0
    assert report["after"]["bm25"]["en"] == 1.0
    assert report["after"]["bm25"]["all"] == 1.0


def test_build_sanity_set_reads_the_shared_layout(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for code, name in {"ar": "arabic", "es": "spanish", "nl": "dutch"}.items():
        folder = tmp_path / f"checkthat2024-task1-{code}"
        folder.mkdir()
        rows = ["tweet_id\ttweet_url\ttweet_text\tclass_label"]
        for i in range(30):
            words = " ".join(f"{code}{int(x)}" for x in rng.integers(0, 500, 12))
            rows.append(f"{i}\turl\t{words} https://t.co/x{i} @someone\tYes")
        (folder / f"CT24_checkworthy_{name}_dev.tsv").write_text("\n".join(rows), encoding="utf-8")
    vn = tmp_path / "vnpara-vi"
    vn.mkdir()
    (vn / "Sentences1.txt").write_text("\n".join(f"câu một {i}" for i in range(30)), "utf-8")
    (vn / "Sentences2.txt").write_text("\n".join(f"câu hai {i}" for i in range(30)), "utf-8")
    (vn / "Labels.txt").write_text("\n".join("1" if i % 2 else "0" for i in range(30)), "utf-8")
    ct = tmp_path / "checkthat2022-task2a-en"
    ct.mkdir()
    (ct / "CT2022-Task2A-EN-Train-Dev_Queries.tsv").write_text(
        "\n".join(f"t{i}\ttweet number {i}" for i in range(20)), "utf-8"
    )
    (ct / "CT2022-Task2A-EN-Train_QRELs.tsv").write_text(
        "\n".join(f"t{i} 0 v{i} 1" for i in range(20)), "utf-8"
    )
    with zipfile.ZipFile(ct / "vclaims.zip", "w") as zf:
        for i in range(40):
            zf.writestr(f"vclaims/v{i}.json", json.dumps({"vclaim": f"claim {i}"}))
    tat = tmp_path / "tatoeba-vi-en"
    tat.mkdir()
    (tat / "tatoeba.vie-eng.vie").write_text("\n".join(f"xin chào {i}" for i in range(40)), "utf-8")
    (tat / "tatoeba.vie-eng.eng").write_text("\n".join(f"hello {i}" for i in range(40)), "utf-8")
    sanity = build_sanity_set(tmp_path, per_group=10)
    groups = {q.group for q in sanity.queries}
    assert groups == {"ar", "es", "nl", "vi", "en", "vi>en", "en>vi"}
    ids = {doc_id for doc_id, _ in sanity.pool}
    assert all(q.relevant in ids for q in sanity.queries)
    assert all(fc.language for _, fc in sanity.pool)
    assert build_sanity_set(tmp_path, per_group=10) == sanity  # seeded
    assert any("t.co" in fc.claim_reviewed for _, fc in sanity.pool)
    clean = build_sanity_set(tmp_path, per_group=10, clean_pool=True)
    assert {q.group for q in clean.queries} == groups
    assert not any("t.co" in fc.claim_reviewed or "@" in fc.claim_reviewed for _, fc in clean.pool)
    assert not any("t.co" in q.text for q in clean.queries)


class _AxisEmbedder:
    """Each pool text on its own axis at a set cosine to every query (the first axis)."""

    model_id = "axis"
    dim = 16

    def __init__(self, cosines: dict[str, float]) -> None:
        self.axes = {t: (c, i + 1) for i, (t, c) in enumerate(cosines.items())}

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            c, axis = self.axes.get(text, (1.0, 0))
            out[i, 0] = c
            if axis:
                out[i, axis] = np.sqrt(1 - c * c)
        return out


def _sanity(pool: list[tuple[str, Any, float]], query: str, **variants: Any) -> dict[str, Any]:
    """``run_sanity`` on one German query whose answer is ``de-1``, each fact-check at the
    cosine the pool gives it."""
    embedder = _AxisEmbedder({fc.claim_reviewed or "": c for _, fc, c in pool})
    return run_sanity(
        SanitySet([(d, fc) for d, fc, _ in pool], [SanityQuery("q1", "de", query, "de", "de-1")]),
        embedder=embedder,  # type: ignore[arg-type]
        model=None,
        tokenizers={"after": default_tokenizer()},
        encodings=[QueryEncoding("q")],
        **variants,
    )


def test_run_sanity_compares_offset_rules() -> None:
    pool = [
        ("de-1", _fc("Impfstoffe machen Frauen unfruchtbar", "de"), 0.86),
        ("de-2", _fc("Der Bürgermeister hat die Brücke verkauft", "de"), 0.84),
        ("de-3", _fc("Die Regierung verbietet Bargeld ab Mai", "de"), 0.83),
        ("fr-1", _fc("Le maire a vendu le pont de la ville", "fr"), 0.80),
        ("fr-2", _fc("Les écoles ferment pour toujours", "fr"), 0.73),
    ]
    report = _sanity(pool, "Macht die Impfung Frauen unfruchtbar?", offset_rules=["pairs", "all"])
    rules = report["after"]["offset_rules"]
    assert set(rules) == {"pairs", "all"}
    # the shipped matcher's default is what the plain fused figure measures
    assert rules["pairs"]["fused"] == report["after"]["fused [q]"]
    assert rules["pairs"]["fused"]["de"] == 1.0
    assert rules["all"]["fused"]["de"] < 1.0  # the French fact-check lifted above the answer
    assert rules["all"]["calibration"]["de"]["queries"] == 1


def test_run_sanity_compares_long_fusions() -> None:
    pool = [
        ("de-1", _fc("Impfstoffe machen Frauen unfruchtbar", "de"), 0.80),
        ("de-2", _fc("Der Bürgermeister hat die Brücke verkauft", "de"), 0.90),
        ("de-3", _fc("Die Regierung verbietet Bargeld ab Mai", "de"), 0.70),
    ]
    filler = " ".join(
        f"Heute war das Wetter schön und wir gingen {n} Mal spazieren." for n in range(8)
    )
    post = f"{filler} Impfstoffe machen Frauen unfruchtbar, sagt man. {filler}"
    report = _sanity(pool, post, long_fusions=["hybrid", "mean", "lean", "mean@raw"])
    fusions = report["after"]["long_fusions"]
    assert set(fusions) == {"hybrid", "mean", "lean", "mean@raw"}
    # the post has no links or handles: BM25 reads the same words cleaned or as written
    assert fusions["mean@raw"]["fused"] == fusions["mean"]["fused"]
    # the matcher's default is what the plain fused figure measures
    assert fusions[LONG_FUSION]["fused"] == report["after"]["fused [q]"]
    assert fusions["mean"]["calibration"]["de"]["queries"] == 1


def test_long_fusion_setting_names_the_matcher_attributes() -> None:
    assert long_fusion_setting("lean") == {"long_fusion": "lean", "long_post": "cleaned"}
    assert long_fusion_setting("mean@raw") == {"long_fusion": "mean", "long_post": "raw"}
    assert long_fusion_setting("lean@written") == {"long_fusion": "lean", "long_post": "written"}
    for bad in ("vote", "mean@both", "@raw"):
        with pytest.raises(InputError, match="long-post fusion"):
            long_fusion_setting(bad)


def test_without_language_drops_its_fact_checks_and_their_queries() -> None:
    from factdesk.eval.multilingual import SanityQuery, SanitySet, without_language
    from factdesk.types import FactCheck, Rating

    def fc(language: str) -> FactCheck:
        return FactCheck(claim_reviewed="x", rating=Rating(label=""), language=language)

    sanity = SanitySet(
        [("vi-0", fc("vi")), ("en-0", fc("en"))],
        [
            SanityQuery("q-vi-0", "vi", "a", "vi", "vi-0"),
            SanityQuery("q-envi-0", "en>vi", "b", "en", "vi-0"),
            SanityQuery("q-vien-0", "vi>en", "c", "vi", "en-0"),
        ],
        {"vi": ["f"]},
    )
    left = without_language(sanity, "vi")
    assert [doc for doc, _ in left.pool] == ["en-0"]
    assert [q.id for q in left.queries] == ["q-vien-0"]  # a post with no fact-check of its own
    assert left.fillers == sanity.fillers
