"""Noisy long queries for the multilingual sanity set: pseudo-queries dressed as real posts.

The held-out set (MultiClaim) holds real social posts: the claim sits among other sentences,
links, @handles, hashtags, emoji and the text read off an attached image (often uppercase,
cut into short lines), 40 to 200 words and more, where the sanity set's pseudo-queries are a
dozen clean words. :func:`noisy_post` wraps a query that way, from other texts of the same
language, so `factdesk eval multilingual --noisy` can measure what long, noisy input does to
BM25, the dense side and the fused ranker (docs/matching.md, "Multilingual sanity set").
Everything is drawn from the caller's seeded ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import replace

from factdesk.eval.multilingual import SanityQuery, SanitySet
from factdesk.text.noisy import EMOJI, MAX_WORDS, MIN_WORDS, noisy_post

__all__ = ["EMOJI", "MAX_WORDS", "MIN_WORDS", "noisy_post", "with_noisy"]


def with_noisy(
    sanity: SanitySet,
    seed: int = 0,
    *,
    only: bool = False,
    cross_lingual: bool = False,
    in_image: bool = False,
) -> SanitySet:
    """``sanity`` plus a noisy copy (group ``<code>+noise``) of every monolingual query, and
    with ``cross_lingual`` of every cross-lingual one too (``vi>en+noise``: a long post in
    the query's language around it, the answer in the other); ``only`` keeps the noisy
    queries alone. With ``in_image`` also a copy whose claim is the text of the post's
    image (group ``<code>+ocr``: the query in capitals and short lines, the post's own
    words filler; :func:`noisy_post` ``core_in_image``). Seeds of their own (one for the
    cross-lingual copies, one for the image copies), so the clean queries and the
    monolingual noisy ones stay those of the plain run."""
    rng = random.Random(f"noisy-{seed}")
    cross_rng = random.Random(f"noisy-cross-{seed}")
    noisy: list[SanityQuery] = []
    for q in sanity.queries:
        if ">" in q.group and not cross_lingual:
            continue
        fillers = sanity.fillers.get(q.language, [])
        text = noisy_post(q.text, fillers, cross_rng if ">" in q.group else rng)
        noisy.append(replace(q, id=f"{q.id}+noise", group=f"{q.group}+noise", text=text))
    if in_image:
        image_rng = random.Random(f"noisy-ocr-{seed}")
        for q in sanity.queries:
            if ">" in q.group and not cross_lingual:
                continue
            fillers = sanity.fillers.get(q.language, [])
            text = noisy_post(q.text, fillers, image_rng, core_in_image=True)
            noisy.append(replace(q, id=f"{q.id}+ocr", group=f"{q.group}+ocr", text=text))
    return replace(sanity, queries=noisy if only else [*sanity.queries, *noisy])
