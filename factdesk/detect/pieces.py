"""A SentencePiece-unigram tokenizer in pure Python, for the static embedding table.

The static embedding (``static.py``) is a table of vectors for XLM-RoBERTa vocabulary pieces
(the vocabulary multilingual-e5 uses), so text must be cut into the same kind of pieces. The
real SentencePiece library is a compiled dependency we do not need: the unigram algorithm is a
Viterbi search for the highest-scoring segmentation of each word, which is short, and words
repeat so much in a news stream that a per-word cache makes it fast.

Differences from SentencePiece proper, accepted on purpose: normalisation is NFKC plus
whitespace collapsing (XLM-R's ``nmt_nfkc`` map differs only on rare control characters), and
pieces never span a word boundary.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

META = "\u2581"  # SentencePiece's visible space


class PieceTokenizer:
    """Segments text into vocabulary pieces by maximum total piece score (unigram Viterbi)."""

    def __init__(
        self, pieces: Sequence[str], scores: Sequence[float], *, cache_size: int = 200_000
    ):
        if len(pieces) != len(scores):
            raise ValueError("pieces and scores differ in length")
        self.pieces = list(pieces)
        self._index = {p: i for i, p in enumerate(self.pieces) if p}
        self._scores = [float(s) for s in scores]
        self._max_len = max((len(p) for p in self.pieces), default=1)
        # An unknown character costs more than any known piece, so known pieces always win.
        self._unk_score = (min(self._scores) if self._scores else 0.0) - 10.0
        self._word = lru_cache(maxsize=cache_size)(self._segment_word)

    def __len__(self) -> int:
        return len(self.pieces)

    def clear_cache(self) -> None:
        """Forget the segmented words (benchmarks start each run cold)."""
        self._word.cache_clear()

    def encode(self, text: str) -> list[int]:
        """Piece ids of ``text`` in order; characters no piece covers are left out."""
        ids: list[int] = []
        for word in normalise(text).split():
            ids.extend(self._word(word))
        return ids

    def tokens(self, text: str) -> list[str]:
        """The pieces themselves (for inspection and tests)."""
        return [self.pieces[i] for i in self.encode(text)]

    def _segment_word(self, word: str) -> tuple[int, ...]:
        chars = META + word
        n = len(chars)
        best = [float("-inf")] * (n + 1)
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
        best[0] = 0.0
        index, scores, max_len = self._index, self._scores, self._max_len
        for i in range(n):
            if best[i] == float("-inf"):
                continue
            base = best[i]
            for j in range(i + 1, min(n, i + max_len) + 1):
                idx = index.get(chars[i:j])
                if idx is not None:
                    score = base + scores[idx]
                    if score > best[j]:
                        best[j] = score
                        back[j] = (i, idx)
            unk = base + self._unk_score
            if unk > best[i + 1]:
                best[i + 1] = unk
                back[i + 1] = (i, -1)
        out: list[int] = []
        j = n
        while j > 0:
            i, idx = back[j]
            if idx >= 0:
                out.append(idx)
            j = i
        out.reverse()
        return tuple(out)


def normalise(text: str) -> str:
    """NFKC, lower-casing is NOT applied (XLM-R pieces are cased); whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())
