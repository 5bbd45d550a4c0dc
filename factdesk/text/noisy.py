"""Noisy long posts built around a short text: what a real social post looks like.

Real posts (MultiClaim's held-out set) carry the claim among other sentences, links,
@handles, hashtags, emoji and the text read off an attached image (uppercase, short lines),
40 to 200 words and more; the CheckThat! tweets the ranker is trained on and the sanity set's
pseudo-queries are a dozen clean words. :func:`noisy_post` wraps a text that way from other
texts of the same language. Two callers, same construction: ``factdesk eval multilingual
--noisy`` (factdesk.eval.noisy) measures long noisy input with it, and ``factdesk train
matcher --noisy-train`` trains the ranker on it, so the ranker sees at training what the
proxy measures. Pure: everything is drawn from the caller's seeded ``random.Random``.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Sequence

_WORD = re.compile(r"\S+")
EMOJI = ("😱", "👇", "‼️", "🔥", "😡", "🙏", "❗", "👉", "💉", "😷", "🇪🇺", "✅", "❌", "🤔")
MIN_WORDS = 40
MAX_WORDS = 200


def _token(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(size))


def _url(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"https://t.co/{_token(rng, 10)}"
    host = rng.choice(("www.facebook.com", "youtu.be", "bit.ly", "www.instagram.com/p"))
    return f"https://{host}/{_token(rng, rng.randint(6, 11))}"


def _sentence(text: str, rng: random.Random) -> list[str]:
    """A run of 8–30 words of ``text`` (a whole short text)."""
    words = _WORD.findall(text)
    size = min(len(words), rng.randint(8, 30))
    start = rng.randrange(0, len(words) - size + 1) if len(words) > size else 0
    return words[start : start + size]


def _ocr_block(words: Sequence[str], rng: random.Random) -> str:
    """Text as an OCR engine reads an image: uppercase, short lines, a stray symbol."""
    lines: list[str] = []
    i = 0
    while i < len(words):
        n = rng.randint(2, 6)
        line = " ".join(words[i : i + n]).upper()
        if rng.random() < 0.2:
            line += " " + rng.choice(("|", "©", "~", "»", "www", "■"))
        lines.append(line)
        i += n
    return "\n".join(lines)


def noisy_post(
    core: str, fillers: Sequence[str], rng: random.Random, *, core_in_image: bool = False
) -> str:
    """``core`` (the pseudo-query) inside a post of 40–200 words made of sentences from
    ``fillers`` (other texts of the same language), links, @handles, hashtags, emoji and,
    in two posts of three, an OCR-like block of a filler text. With ``core_in_image`` the
    claim is the image's text instead: ``core`` becomes the OCR-like block (capitals, short
    lines) and the post's own words are all filler, as when a meme carries the claim."""
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    core_words = _WORD.findall(core)
    budget = max(0, target - len(core_words))
    ocr: list[str] = []
    if core_in_image:
        ocr = core_words
    elif fillers and rng.random() < 2 / 3:
        ocr = _sentence(rng.choice(fillers), rng)[: max(4, budget // 3)]
        budget -= len(ocr)
    before: list[list[str]] = []
    after: list[list[str]] = []
    while fillers and budget > 0:
        words = _sentence(rng.choice(fillers), rng)[:budget]
        (before if rng.random() < 0.4 else after).append(words)
        budget -= len(words)
    hashtags = [
        "#" + w.strip(string.punctuation).replace("-", "")
        for w in rng.sample(core_words, min(len(core_words), rng.randint(0, 3)))
        if len(w.strip(string.punctuation)) > 3
    ]
    parts: list[str] = []
    if rng.random() < 0.5:
        parts.append(rng.choice(EMOJI) * rng.randint(1, 3))
    if rng.random() < 0.4:
        parts.append(f"@{_token(rng, rng.randint(5, 12))}")
    parts += [" ".join(s) for s in before]
    if not core_in_image:
        parts.append(core)
    if rng.random() < 0.5:
        parts.append(rng.choice(EMOJI))
    parts += [" ".join(s) for s in after]
    parts += [_url(rng) for _ in range(rng.randint(0, 2))]
    if hashtags:
        parts.append(" ".join(hashtags))
    text = " ".join(parts)
    if ocr:
        block = _ocr_block(ocr, rng)
        text = f"{block}\n{text}" if rng.random() < 0.5 else f"{text}\n{block}"
    return text
