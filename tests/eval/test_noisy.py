"""Noisy posts wrap a query the way real posts look, reproducibly."""

from __future__ import annotations

import random
from dataclasses import replace

from factdesk.eval.multilingual import SanityQuery, SanitySet
from factdesk.eval.noisy import MAX_WORDS, MIN_WORDS, noisy_post, with_noisy
from factdesk.types import FactCheck, Rating

FILLERS = [
    f"filler sentence number {i} " + " ".join(f"w{i}x{j}" for j in range(30)) for i in range(20)
]


def test_noisy_post_keeps_the_query_among_noise_and_is_seeded() -> None:
    core = "the mayor sold the bridge to a foreign company"
    posts = [noisy_post(core, FILLERS, random.Random(s)) for s in range(40)]
    assert all(core in p for p in posts)
    lengths = [len(p.split()) for p in posts]
    assert min(lengths) >= MIN_WORDS - 5 and max(lengths) <= MAX_WORDS + 40
    assert any("https://" in p for p in posts) and any("#" in p for p in posts)
    assert any(line.isupper() for p in posts for line in p.splitlines())
    assert noisy_post(core, FILLERS, random.Random(3)) == posts[3]


def test_with_noisy_adds_a_noisy_group_per_monolingual_group() -> None:
    fc = FactCheck(claim_reviewed="x", rating=Rating(label=""), language="es")
    sanity = SanitySet(
        [("es-0", fc)],
        [
            SanityQuery("q-es-0", "es", "el alcalde vendió el puente", "es", "es-0"),
            SanityQuery("q-vien-0", "vi>en", "cây cầu", "vi", "es-0"),
        ],
        {"es": FILLERS},
    )
    noisy = with_noisy(sanity)
    assert [q.group for q in noisy.queries] == ["es", "vi>en", "es+noise"]
    assert noisy.queries[-1].relevant == "es-0"
    assert [q.group for q in with_noisy(sanity, only=True).queries] == ["es+noise"]
    both = with_noisy(replace(sanity, fillers={"es": FILLERS, "vi": FILLERS}), cross_lingual=True)
    assert [q.group for q in both.queries] == ["es", "vi>en", "es+noise", "vi>en+noise"]
    # the monolingual noisy copies are drawn as without the cross-lingual ones
    assert both.queries[2] == noisy.queries[-1]
    assert "cây cầu" in both.queries[3].text and both.queries[3].relevant == "es-0"


def test_a_claim_in_the_image_is_the_posts_ocr_block() -> None:
    core = "the mayor sold the bridge to a foreign company"
    posts = [noisy_post(core, FILLERS, random.Random(s), core_in_image=True) for s in range(20)]
    for post in posts:
        assert core not in post  # not in the post's own words ...
        shouted = [w for w in post.split() if w.isalpha() and w.isupper()]
        assert shouted[:3] == ["THE", "MAYOR", "SOLD"]  # ... but in capitals
    fc = FactCheck(claim_reviewed="x", rating=Rating(label=""), language="es")
    sanity = SanitySet(
        [("es-0", fc)],
        [SanityQuery("q-es-0", "es", "el alcalde vendió el puente", "es", "es-0")],
        {"es": FILLERS},
    )
    plain = with_noisy(sanity)
    image = with_noisy(sanity, in_image=True)
    assert [q.group for q in image.queries] == ["es", "es+noise", "es+ocr"]
    # the other copies are drawn as without the image ones
    assert image.queries[1] == plain.queries[1]
    assert "EL ALCALDE" in image.queries[2].text and image.queries[2].relevant == "es-0"
