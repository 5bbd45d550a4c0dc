"""A small multilingual sanity evaluation of claim matching, runnable on the shared dev data.

No multilingual claim-matching data is available here (the real held-out set, MultiClaim,
is scored elsewhere), so this builds a proxy from what ``../shared/data`` holds. One mixed
pool of "fact-checks" in several languages, and per query group:

* ``en``: real English tweets (CheckThat! 2022 2A, **train** split, never dev) against their
  Snopes claims, among other Snopes claims as distractors;
* ``vi``: real Vietnamese paraphrases (vnPara pairs labelled 1): sentence 2 finds sentence 1;
* ``ar``, ``es``, ``nl``: pseudo-queries (:func:`pseudo_query`): a window of about a quarter
  of the words of a CheckThat! 2024 tweet, which is the "fact-check" in the pool, between two
  words of another tweet. They share word forms with their target, so they test stop words,
  the pool's mixing of languages and the dense side more than stemming;
* ``vi>en``, ``en>vi``: cross-lingual, Tatoeba translations (only the other side of each
  pair is in the pool).

For each group: MAP@5 of BM25 alone (the lexical first stage's order), of dense alone
(cosine of the claim vectors) and of the fused matcher (the shipped heads), each with the
previous tokeniser (:func:`factdesk.text.tokenize.tokenize`, "before") and the per-language
analysis (:func:`factdesk.text.analysis.analyze`, "after"), and for the dense side the query
encodings compared in docs/matching.md (prefix, post cleaning, truncation). With
``offset_rules``, the fused matcher is also scored under each rule for shifting other
languages' cosines (:func:`factdesk.search.features.offset_groups`), shipped encoding only;
with ``long_fusions``, under each way of scoring a long post's candidates
(:data:`factdesk.search.longpost.LONG_FUSIONS`; ``<fusion>@written``, ``<fusion>@raw``: with the
length, and BM25's text, of the post as written, :data:`factdesk.search.longpost.LONG_POSTS`),
shipped encoding only.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from factdesk.errors import InputError
from factdesk.eval.checkthat import iter_vclaims, read_qrels, read_queries
from factdesk.eval.metrics import average_precision
from factdesk.search.embed import Embedder, Kind
from factdesk.search.features import DENSE_FIELDS, OffsetRule
from factdesk.search.longpost import LONG_FUSIONS, LONG_POSTS
from factdesk.search.matcher import Matcher, field_texts
from factdesk.search.model import MatcherModel
from factdesk.search.segments import MAX_SEGMENTS, MIN_WORDS, query_segments, word_count
from factdesk.search.tokens import Tokenizer
from factdesk.text.analysis import analysis_name, clean_post
from factdesk.text.recase import recase_shouting
from factdesk.types import FactCheck, Rating

Progress = Callable[[str, int, int], None]
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class SanityQuery:
    id: str
    group: str  # report group: a language code, or "src>tgt" for cross-lingual
    text: str
    language: str
    relevant: str  # the one right fact-check's id


@dataclass(frozen=True, slots=True)
class SanitySet:
    pool: list[tuple[str, FactCheck]]
    queries: list[SanityQuery]
    # per query language, texts outside the pool (noise for factdesk.eval.noisy)
    fillers: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QueryEncoding:
    """How a query is turned into text for the encoder (the dense-side choices measured)."""

    name: str
    kind: Kind = "query"
    clean: bool = False
    max_words: int = 0  # 0: no truncation (the model cuts at 512 tokens itself)
    lexical: bool = False  # the same text also goes to BM25 and the ranker (else the raw post)
    key: str = ""  # short name for `factdesk eval multilingual --encodings`
    segments: bool = False  # long queries also as sentence windows, best cosine (the matcher's)
    clean_over: int = 0  # with ``clean``: clean only queries of more words than this
    max_segments: int = MAX_SEGMENTS  # windows per long query at most
    recase: bool = False  # shouted runs (text read off an image) in sentence case

    def cleaned(self, raw: str) -> bool:
        return self.clean and word_count(raw) > self.clean_over

    def texts(self, raw: str, language: str) -> list[str]:
        """The texts encoded for one query: the text, then its windows when segmenting."""
        text = recase_shouting(self.text(raw)) if self.recase else self.text(raw)
        if not self.segments:
            return [text]
        return [text, *query_segments(text, language, max_segments=self.max_segments)]

    def text(self, raw: str) -> str:
        text = clean_post(raw) if self.cleaned(raw) else raw
        if self.max_words:
            text = " ".join(_WORD.findall(text)[: self.max_words])
        return text or raw


ENCODINGS = (
    QueryEncoding(
        "long queries cleaned (both sides) + windows (shipped)",
        clean=True,
        clean_over=MIN_WORDS,
        lexical=True,
        segments=True,
        recase=True,
        key="shipped",
    ),
    QueryEncoding(
        "long queries cleaned (both sides) + windows, capitals as written",
        clean=True,
        clean_over=MIN_WORDS,
        lexical=True,
        segments=True,
        key="capitals",
    ),
    QueryEncoding("query prefix + windows of long queries", segments=True, key="windows"),
    QueryEncoding("query prefix, whole query only", key="whole"),
    QueryEncoding(
        "query prefix + up to 16 windows", segments=True, max_segments=16, key="windows16"
    ),
    QueryEncoding("passage prefix", kind="passage", key="passage"),
    QueryEncoding("query prefix + post cleaning", clean=True, key="clean"),
    QueryEncoding("query prefix + first 64 words", max_words=64, key="first64"),
    QueryEncoding("query prefix + first 128 words", max_words=128, key="first128"),
    QueryEncoding("post cleaning, BM25 too", clean=True, lexical=True, key="clean-both"),
    QueryEncoding(
        f"post cleaning of long queries, BM25 too (> {MIN_WORDS} words), no windows",
        clean=True,
        clean_over=MIN_WORDS,
        lexical=True,
        key="clean-long",
    ),
)


def _fc(text: str, language: str) -> FactCheck:
    return FactCheck(claim_reviewed=text, rating=Rating(label=""), language=language)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", where=str(path)) from None


def _tweets(path: Path) -> list[str]:
    """Texts of a CheckThat! 2024 task 1 TSV (``tweet_id, tweet_url, tweet_text, label``)."""
    rows = list(csv.reader(io.StringIO(_read(path)), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or "tweet_text" not in rows[0]:
        raise InputError("expected a header with tweet_text", where=str(path))
    col = rows[0].index("tweet_text")
    return [r[col].strip() for r in rows[1:] if len(r) > col and len(_WORD.findall(r[col])) >= 8]


def pseudo_query(text: str, rng: random.Random, noise: str = "") -> str:
    """A short post quoting part of ``text``: a contiguous window of about a quarter of its
    words (at least four) with two words of an unrelated ``noise`` text around it, so the
    query is neither the whole claim nor only its words (whole windows saturate BM25)."""
    words = _WORD.findall(text)
    size = max(4, len(words) // 4)
    start = rng.randrange(0, max(1, len(words) - size + 1))
    extra = _WORD.findall(noise)
    picked = rng.sample(extra, min(2, len(extra)))
    return " ".join([*picked[:1], *words[start : start + size], *picked[1:]])


def build_sanity_set(
    data: Path, *, per_group: int = 150, seed: int = 0, clean_pool: bool = False
) -> SanitySet:
    """The pool and the queries, drawn reproducibly (``seed``) from ``data``'s folders.

    ``clean_pool``: the Arabic, Spanish and Dutch "fact-checks" (tweets) lose their links,
    @handles and embed tails (``clean_post``) before the pseudo-queries are cut from them.
    Real fact-checks carry no ``t.co`` links; as tweets, a noisy post and its target share
    ``https``/``t``/``co`` tokens, which rewards BM25 on the post as written for the wrong
    reason (docs/matching.md). The queries are cut from the cleaned texts, so the draw is
    not the plain run's (windows consume the seed by length)."""
    rng = random.Random(seed)
    pool: list[tuple[str, FactCheck]] = []
    queries: list[SanityQuery] = []
    fillers: dict[str, list[str]] = {}
    folders = {"ar": "arabic", "es": "spanish", "nl": "dutch"}
    for code, name in folders.items():
        path = data / f"checkthat2024-task1-{code}" / f"CT24_checkworthy_{name}_dev.tsv"
        texts = list(dict.fromkeys(_tweets(path)))
        rng.shuffle(texts)
        fillers[code] = texts[2 * per_group :] or texts[per_group : 2 * per_group]
        texts = texts[: 2 * per_group]
        if clean_pool:
            texts = [clean_post(t) or t for t in texts]
        pool += [(f"{code}-{i}", _fc(t, code)) for i, t in enumerate(texts)]
        for i, t in enumerate(texts[:per_group]):
            noise = texts[rng.randrange(per_group, len(texts))] if len(texts) > per_group else ""
            queries.append(
                SanityQuery(f"q-{code}-{i}", code, pseudo_query(t, rng, noise), code, f"{code}-{i}")
            )
    vn = data / "vnpara-vi"
    labels = _read(vn / "Labels.txt").split("\n")
    first = _read(vn / "Sentences1.txt").split("\n")
    second = _read(vn / "Sentences2.txt").split("\n")
    pairs = [
        (a.strip(), b.strip())
        for a, b, lab in zip(first, second, labels, strict=False)
        if lab.strip() == "1"
    ]
    rng.shuffle(pairs)
    fillers["vi"] = [a for a, _ in pairs[2 * per_group :]]
    pairs = pairs[: 2 * per_group]
    pool += [(f"vi-{i}", _fc(a, "vi")) for i, (a, _) in enumerate(pairs)]
    queries += [
        SanityQuery(f"q-vi-{i}", "vi", b, "vi", f"vi-{i}")
        for i, (_, b) in enumerate(pairs[:per_group])
    ]
    ct = data / "checkthat2022-task2a-en"
    tweets = read_queries(ct / "CT2022-Task2A-EN-Train-Dev_Queries.tsv")
    qrels = sorted(
        (q, sorted(r)[0])
        for q, r in read_qrels(ct / "CT2022-Task2A-EN-Train_QRELs.tsv").items()
        if r and q in tweets
    )
    rng.shuffle(qrels)
    fillers["en"] = [tweets[q].text for q, _ in qrels[per_group:]]
    qrels = qrels[:per_group]
    wanted = {v for _, v in qrels}
    vclaims = [(v, fc) for v, fc in iter_vclaims(ct / "vclaims.zip")]
    others = [pair for pair in vclaims if pair[0] not in wanted]
    rng.shuffle(others)
    chosen = [pair for pair in vclaims if pair[0] in wanted] + others[: 6 * per_group]
    from dataclasses import replace

    pool += [(f"en-{v}", replace(fc, language="en")) for v, fc in chosen]
    queries += [SanityQuery(f"q-en-{q}", "en", tweets[q].text, "en", f"en-{v}") for q, v in qrels]
    tat = data / "tatoeba-vi-en"
    vie = _read(tat / "tatoeba.vie-eng.vie").split("\n")
    eng = _read(tat / "tatoeba.vie-eng.eng").split("\n")
    order = list(range(min(len(vie), len(eng))))
    rng.shuffle(order)
    order = [i for i in order if vie[i].strip() and eng[i].strip()][: 2 * per_group]
    # each pair's two sides never both in the pool: the query's own text would win
    half = len(order) // 2
    to_en, to_vi = order[:half], order[half:]
    pool += [(f"tat-en-{i}", _fc(eng[i].strip(), "en")) for i in to_en]
    pool += [(f"tat-vi-{i}", _fc(vie[i].strip(), "vi")) for i in to_vi]
    queries += [
        SanityQuery(f"q-vien-{i}", "vi>en", vie[i].strip(), "vi", f"tat-en-{i}")
        for i in to_en[:per_group]
    ]
    queries += [
        SanityQuery(f"q-envi-{i}", "en>vi", eng[i].strip(), "en", f"tat-vi-{i}")
        for i in to_vi[:per_group]
    ]
    return SanitySet(pool, queries, fillers)


def without_language(sanity: SanitySet, language: str) -> SanitySet:
    """``sanity`` without its fact-checks in ``language`` and the queries they answered: the
    other side's posts (``vi>en`` without the Vietnamese fact-checks) are then posts in a
    language the index holds nothing in, as a Korean post on a desk of English and French
    fact-checks (docs/matching.md, "Posts in a language the index holds no fact-check of")."""
    pool = [(doc, fc) for doc, fc in sanity.pool if fc.language != language]
    kept = {doc for doc, _ in pool}
    queries = [q for q in sanity.queries if q.relevant in kept]
    return SanitySet(pool, queries, sanity.fillers)


def _matcher(
    pool: Sequence[tuple[str, FactCheck]],
    embedder: Embedder | None,
    model: MatcherModel | None,
    tokenizer: tuple[str, Tokenizer],
) -> Matcher:
    matcher = Matcher(
        embedder=embedder, model=model, tokenizer=tokenizer[1], tokenizer_name=tokenizer[0]
    )
    for start in range(0, len(pool), 512):
        batch = list(pool[start : start + 512])
        vectors = None
        if embedder is not None:
            texts = [field_texts(fc) for _, fc in batch]
            vectors = {
                f: embedder.encode([t[f] or t["all"] for t in texts], "passage")
                for f in DENSE_FIELDS
            }
        matcher.upsert(batch, vectors)
    return matcher


def _map5(rankings: dict[str, list[str]], queries: Sequence[SanityQuery]) -> dict[str, float]:
    groups: dict[str, list[float]] = {}
    for q in queries:
        groups.setdefault(q.group, []).append(
            average_precision(rankings.get(q.id, []), {q.relevant}, 5)
        )
    out = {g: round(float(np.mean(v)), 4) for g, v in groups.items()}
    out["all"] = round(
        float(
            np.mean([average_precision(rankings.get(q.id, []), {q.relevant}, 5) for q in queries])
        ),
        4,
    )
    return out


def run_sanity(
    sanity: SanitySet,
    *,
    embedder: Embedder | None,
    model: MatcherModel | None,
    tokenizers: dict[str, tuple[str, Tokenizer]],
    encodings: Sequence[QueryEncoding] = ENCODINGS,
    offset_rules: Sequence[OffsetRule] = (),
    long_fusions: Sequence[str] = (),
    progress: Progress = lambda stage, done, total: None,
) -> dict[str, Any]:
    """MAP@5 per query group for BM25 alone, dense alone and fused, per tokeniser and per
    query encoding; also the calibration of the fused top match per group, and with
    ``offset_rules`` (``long_fusions``) the fused MAP@5 and calibration under each offset
    rule (long-post fusion), first encoding."""
    report: dict[str, Any] = {"pool": len(sanity.pool), "queries": len(sanity.queries)}
    report["groups"] = {
        g: sum(1 for q in sanity.queries if q.group == g)
        for g in dict.fromkeys(q.group for q in sanity.queries)
    }
    vectors: dict[str, list[NDArray[np.float32]]] = {}
    if embedder is not None:
        for enc in encodings:
            per_query = [enc.texts(q.text, q.language) for q in sanity.queries]
            texts = [t for ts in per_query for t in ts]
            encoded = embedder.encode(texts, enc.kind)
            bounds = np.cumsum([0, *(len(ts) for ts in per_query)])
            vectors[enc.name] = [
                encoded[a] if b - a == 1 else encoded[a:b]
                for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
            ]
            progress(f"encode {enc.name}", len(texts), len(texts))
    for tname, tokenizer in tokenizers.items():
        matcher = _matcher(sanity.pool, embedder, model, tokenizer)
        lexical: dict[str, list[str]] = {}
        for q in sanity.queries:
            tokens = matcher.tokenize(q.text, q.language)
            slots = matcher._lexical_top(
                tokens, np.zeros(0, dtype=np.int64), analysis_name(q.language)
            )
            lexical[q.id] = [matcher.ids[s] or "" for s in slots[:10].tolist()]
        entry: dict[str, Any] = {"bm25": _map5(lexical, sanity.queries)}
        for enc in encodings if embedder is not None else ():
            qv = vectors[enc.name]
            dense: dict[str, list[str]] = {}
            fused: dict[str, list[str]] = {}
            top: list[tuple[str, float, bool]] = []  # group, score, right
            for i, q in enumerate(sanity.queries):
                found = matcher._dense_top(qv[i], np.zeros(0, dtype=np.int64))[:10]
                dense[q.id] = [matcher.ids[s] or "" for s in found.tolist()]
                text = enc.text(q.text) if enc.lexical else q.text
                matches = matcher.search(
                    text,
                    language=q.language,
                    k=10,
                    query_vector=qv[i],
                    explain=False,
                    post=q.text,
                )
                fused[q.id] = [m.id for m in matches]
                if matches:
                    top.append((q.group, matches[0].score, matches[0].id == q.relevant))
            entry[f"dense [{enc.name}]"] = _map5(dense, sanity.queries)
            entry[f"fused [{enc.name}]"] = _map5(fused, sanity.queries)
            if enc is encodings[0]:
                entry["calibration"] = _calibration(top)
            progress(f"{tname} {enc.name}", len(sanity.queries), len(sanity.queries))
        if embedder is not None and offset_rules:
            entry["offset_rules"] = _variants(
                matcher,
                sanity.queries,
                vectors[encodings[0].name],
                [(rule, {"language_offset": rule}) for rule in offset_rules],
                text=lambda raw: raw,
            )
            progress(f"{tname} offset rules", len(sanity.queries), len(sanity.queries))
        if embedder is not None and long_fusions:
            first = encodings[0]
            entry["long_fusions"] = _variants(
                matcher,
                sanity.queries,
                vectors[first.name],
                [(name, long_fusion_setting(name)) for name in long_fusions],
                text=first.text if first.lexical else lambda raw: raw,
            )
            progress(f"{tname} long fusions", len(sanity.queries), len(sanity.queries))
        report[tname] = entry
    return report


def long_fusion_setting(name: str) -> dict[str, str]:
    """The matcher attributes a ``--long-fusions`` name stands for: ``<fusion>`` (length and
    BM25 on the cleaned post, as shipped), ``<fusion>@written`` or ``<fusion>@raw``
    (``Matcher.long_post``)."""
    fusion, _, text = name.partition("@")
    text = text or "cleaned"
    if fusion not in LONG_FUSIONS or text not in LONG_POSTS:
        raise InputError(
            f"unknown long-post fusion {name!r}: expected <fusion>[@<text>], fusion one of "
            f"{', '.join(LONG_FUSIONS)}, text one of {', '.join(LONG_POSTS)}"
        )
    return {"long_fusion": fusion, "long_post": text}


def _variants(
    matcher: Matcher,
    queries: Sequence[SanityQuery],
    vectors: Sequence[NDArray[np.float32]],
    variants: Sequence[tuple[str, dict[str, str]]],
    *,
    text: Callable[[str], str],
) -> dict[str, dict[str, Any]]:
    """Fused MAP@5 per group and calibration of the top match with the matcher's attributes
    (``language_offset``, ``long_fusion``, ``long_post``) set as each variant says;
    ``text`` turns a query into the text matched (the encoding's, as the fused column does;
    the post as written goes along as ``post``)."""
    shipped = {a: getattr(matcher, a) for _, attrs in variants for a in attrs}
    out: dict[str, dict[str, Any]] = {}
    try:
        for name, attrs in variants:
            for attribute, value in {**shipped, **attrs}.items():
                setattr(matcher, attribute, value)
            fused: dict[str, list[str]] = {}
            top: list[tuple[str, float, bool]] = []
            for i, q in enumerate(queries):
                matches = matcher.search(
                    text(q.text),
                    language=q.language,
                    k=10,
                    query_vector=vectors[i],
                    explain=False,
                    post=q.text,
                )
                fused[q.id] = [m.id for m in matches]
                if matches:
                    top.append((q.group, matches[0].score, matches[0].id == q.relevant))
            out[name] = {"fused": _map5(fused, queries), "calibration": _calibration(top)}
    finally:
        for attribute, value in shipped.items():
            setattr(matcher, attribute, value)
    return out


def _calibration(top: Sequence[tuple[str, float, bool]]) -> dict[str, dict[str, float | int]]:
    """Per group: how many top matches reach 0.9 and 0.4, and the share of those that are right."""
    out: dict[str, dict[str, float | int]] = {}
    for group in dict.fromkeys(g for g, *_ in top):
        rows = [(s, ok) for g, s, ok in top if g == group]
        entry: dict[str, float | int] = {"queries": len(rows)}
        for cut in (0.9, 0.4):
            kept = [ok for s, ok in rows if s >= cut]
            entry[f"n>={cut}"] = len(kept)
            entry[f"right>={cut}"] = round(sum(kept) / len(kept), 3) if kept else 0.0
        out[group] = entry
    return out
