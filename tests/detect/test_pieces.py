from factdesk.detect.pieces import META, PieceTokenizer, normalise


def _tok() -> PieceTokenizer:
    pieces = [f"{META}the", f"{META}cat", "s", f"{META}c", "at", f"{META}", "t", "h", "e", "a", "c"]
    scores = [-1.0, -2.0, -3.0, -4.0, -4.0, -5.0, -6.0, -6.0, -6.0, -6.0, -6.0]
    return PieceTokenizer(pieces, scores)


def test_tokenizer_prefers_highest_scoring_segmentation() -> None:
    assert _tok().tokens("the cats") == [f"{META}the", f"{META}cat", "s"]


def test_tokenizer_skips_characters_no_piece_covers() -> None:
    assert _tok().tokens("the Z") == [f"{META}the", f"{META}"]


def test_tokenizer_handles_empty_and_whitespace_text() -> None:
    assert _tok().encode("") == []
    assert _tok().encode("   \n ") == []


def test_normalise_collapses_whitespace_and_applies_nfkc() -> None:
    assert normalise("  a\u00a0 b\n\tc ") == "a b c"
    assert normalise("ﬁ") == "fi"
