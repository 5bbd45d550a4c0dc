"""Long queries are also encoded as sentence windows, and candidates take the best cosine.

The embedder here is a hashed bag of words (invented for these tests): a window holding only
the claim's words is close to the claim, the whole post (mostly other words) is not, which is
the failure on long noisy posts that windows address (docs/matching.md, "Noisy long posts").
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from factdesk.search.embed import Kind
from factdesk.search.matcher import Matcher
from factdesk.search.segments import (
    MAX_SEGMENTS,
    MIN_WORDS,
    long_query_text,
    query_segments,
    query_texts,
)
from factdesk.types import FactCheck, Rating

FILLER = (
    "We went to the market this morning and bought fresh bread. "
    "The weather was lovely and the children played in the park for hours. "
    "My neighbour repaired his old bicycle and painted the fence green. "
    "Later we cooked a large pot of soup with carrots and onions. "
    "In the evening the whole family watched a long film about sailing ships. "
    "Tomorrow I will visit my aunt who lives near the river. "
    "She keeps three cats and a very noisy parrot in her kitchen."
)
CLAIM = "Drinking hot water every fifteen minutes cures the flu."


class BagOfWords:
    """A deterministic stand-in for the encoder: hashed word counts, L2-normalised."""

    model_id = "test-bag-of-words"
    dim = 256

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str], kind: Kind) -> NDArray[np.float32]:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: NDArray[np.float32] = out / np.maximum(norms, 1e-12)
        return normalised


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_short_query_has_no_windows() -> None:
    assert query_segments(CLAIM, "en") == []
    assert query_texts(CLAIM, "en") == [CLAIM]
    short = " ".join(["word"] * MIN_WORDS) + ". Another one."
    assert len(_words(short)) > MIN_WORDS
    assert query_segments(short, "en", min_words=len(_words(short))) == []


def test_long_query_windows_cover_it_in_order() -> None:
    post = f"{FILLER} {CLAIM} {FILLER}"
    windows = query_segments(post, "en")
    assert 2 <= len(windows) <= MAX_SEGMENTS
    assert _words(" ".join(windows)) == _words(post)  # every word once, in order
    assert any(CLAIM in w for w in windows)
    assert query_texts(post, "en") == [post, *windows]


def test_one_long_sentence_is_not_windowed() -> None:
    sentence = " ".join(_words(FILLER) * 2)  # no sentence boundary
    assert query_segments(sentence, "en") == []


def test_many_sentences_stay_within_the_cap() -> None:
    post = " ".join(f"Sentence number {i} says little." for i in range(60))
    windows = query_segments(post, "en", max_segments=5)
    assert 2 <= len(windows) <= 5
    assert _words(" ".join(windows)) == _words(post)


def _matcher(embedder: BagOfWords) -> Matcher:
    matcher = Matcher(embedder=embedder, detect_language=None)
    matcher.upsert(
        [
            ("hot-water", FactCheck(claim_reviewed=CLAIM, language="en", rating=Rating("False"))),
            (
                "soup",
                FactCheck(
                    claim_reviewed="A pot of soup with carrots cures colds.",
                    language="en",
                    rating=Rating("False"),
                ),
            ),
            (
                "moon",
                FactCheck(
                    claim_reviewed="A base was seen on the moon.",
                    language="en",
                    rating=Rating("False"),
                ),
            ),
        ]
    )
    return matcher


def test_long_query_takes_the_best_cosine_over_its_windows() -> None:
    embedder = BagOfWords()
    matcher = _matcher(embedder)
    post = f"{FILLER} {CLAIM} {FILLER}"
    vectors = matcher.query_vector(post, "en")
    assert vectors is not None and vectors.ndim == 2
    assert len(vectors) == len(query_texts(post, "en"))

    found = matcher.candidates(post, language="en", query_vector=vectors)
    whole = matcher.candidates(post, language="en", query_vector=vectors[0])
    assert found.signals.cos is not None and whole.signals.cos is not None
    right = int(np.flatnonzero(found.slots == matcher.slot_of["hot-water"])[0])
    claim_vector = embedder.encode([CLAIM], "passage")[0]
    expected = float(np.max(vectors @ claim_vector))
    assert abs(found.signals.cos[right, 0] - expected) < 1e-5
    assert found.signals.cos[right, 0] > whole.signals.cos[right, 0] + 0.3
    # the dense first stage ranks by that best cosine too
    top = matcher._dense_top(vectors, np.zeros(0, dtype=np.int64))
    assert matcher.ids[int(top[0])] == "hot-water"
    excluded = np.array([matcher.slot_of["hot-water"]], dtype=np.int64)
    assert "hot-water" not in {matcher.ids[int(s)] for s in matcher._dense_top(vectors, excluded)}


def test_short_query_is_encoded_once_as_before() -> None:
    embedder = BagOfWords()
    matcher = _matcher(embedder)
    embedder.calls.clear()
    vector = matcher.query_vector(CLAIM, "en")
    assert vector is not None and vector.shape == (BagOfWords.dim,)
    assert embedder.calls == [[CLAIM]]
    matches = matcher.search(CLAIM, language="en", k=3, explain=False)
    assert matches[0].id == "hot-water"


def test_only_long_posts_are_cleaned() -> None:
    short = f"{CLAIM} https://t.co/abc @someone #flu"
    assert long_query_text(short) == short
    post = f"{FILLER} {CLAIM} https://t.co/abc @someone #flu {FILLER}"
    cleaned = long_query_text(post)
    assert "https" not in cleaned and "@someone" not in cleaned
    assert CLAIM in cleaned and "flu" in cleaned.split()  # the hashtag keeps its word


def test_shouted_text_is_encoded_in_sentence_case() -> None:
    # a meme's caption as OCR reads it: the encoder gets it as it would be written
    ocr = "DRINKING HOT WATER EVERY FIFTEEN MINUTES CURES THE FLU"
    assert query_texts(ocr, "en") == ["Drinking hot water every fifteen minutes cures the flu"]
    post = f"{FILLER}\n{ocr.replace(' EVERY', chr(10) + 'EVERY')}\n{FILLER}"
    texts = query_texts(post, "en")
    assert len(texts) > 1 and not any("HOT WATER" in t for t in texts)
    assert "drinking hot water" in texts[0].lower() and FILLER.split(".")[0] in texts[0]
    embedder = BagOfWords()
    matcher = _matcher(embedder)
    embedder.calls.clear()
    matcher.query_vector(ocr, "en")
    assert embedder.calls == [["Drinking hot water every fifteen minutes cures the flu"]]
