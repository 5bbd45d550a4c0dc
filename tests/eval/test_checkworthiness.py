from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factdesk.errors import InputError
from factdesk.eval.checkworthiness import (
    binary_scores,
    evaluate_checkworthiness,
    read_checkworthiness_tsv,
)

CT24 = 'Sentence_id\tText\tclass_label\n1\tTaxes rose by 20 percent.\tYes\n2\t"He said ""hello"" to me."\tNo\n'
CT22 = (
    "topic\ttweet_id\ttweet_url\ttweet_text\tclass_label\n"
    'COVID-19\t11\thttp://t/1\t"Vaccines" contain chips, 5 million say\t1\n'
    "COVID-19\t12\thttp://t/2\tGood morning all\t0\n"
)


def test_read_ct24_unquotes_csv_style_fields(tmp_path: Path) -> None:
    path = tmp_path / "ct24.tsv"
    path.write_text(CT24, encoding="utf-8")
    rows = read_checkworthiness_tsv(path)
    assert [(r.id, r.label, r.genre) for r in rows] == [
        ("1", True, "debate"),
        ("2", False, "debate"),
    ]
    assert rows[1].text == 'He said "hello" to me.'


def test_read_ct22_keeps_leading_quotes_of_tweets(tmp_path: Path) -> None:
    path = tmp_path / "ct22.tsv"
    path.write_text(CT22, encoding="utf-8")
    rows = read_checkworthiness_tsv(path)
    assert rows[0].text.startswith('"Vaccines"') and rows[0].label and rows[0].genre == "tweet"


def test_read_rejects_unknown_header_and_bad_label(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(InputError, match="header"):
        read_checkworthiness_tsv(bad)
    label = tmp_path / "label.tsv"
    label.write_text("Sentence_id\tText\tclass_label\n1\tx\tMaybe\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_checkworthiness_tsv(label)
    assert info.value.where is not None and info.value.where.endswith(":2")


def test_binary_scores_match_hand_counts() -> None:
    s = binary_scores([True, True, False, False], [True, False, True, False])
    assert (s.precision_yes, s.recall_yes, s.f1_yes, s.accuracy) == (0.5, 0.5, 0.5, 0.5)
    assert binary_scores([False], [False]).f1_yes == 0.0


def test_evaluate_reports_the_lab_metrics(tmp_path: Path) -> None:
    path = tmp_path / "ct24.tsv"
    path.write_text(CT24, encoding="utf-8")
    rows = read_checkworthiness_tsv(path)
    out = evaluate_checkworthiness(rows, lambda texts: ["percent" in t for t in texts])
    assert out["f1_yes"] == 1.0 and out["accuracy"] == 1.0 and out["n"] == 2
    assert float(out["sentences_per_s"]) > 0


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=300))
def test_read_never_crashes_on_arbitrary_text(
    tmp_path_factory: pytest.TempPathFactory, body: str
) -> None:
    path = tmp_path_factory.mktemp("h") / "x.tsv"
    path.write_text("Sentence_id\tText\tclass_label\n" + body, encoding="utf-8")
    try:
        read_checkworthiness_tsv(path)
    except InputError:
        pass


def test_item_separation_reports_auc_and_flag_rates() -> None:
    from factdesk.eval.checkworthiness import item_separation

    figures = item_separation([0.9, 0.6, 0.2], [0.3, 0.1], threshold=0.5)
    assert figures["auc"] == round(5 / 6, 3)
    assert (figures["claim_items_flagged"], figures["other_items_flagged"]) == (0.667, 0.0)


def _loso_tree(root: Path, missing_id: bool = False) -> None:
    from factdesk.eval.checkworthiness import CLAIMBUSTER, LOSO_SOURCES

    debate = "Sentence_id\tText\tclass_label\n" + "".join(
        f"{i}\tSentence number {i} about taxes.\t{'Yes' if i % 3 == 0 else 'No'}\n"
        for i in range(1, 13)
    )
    tweets = "tweet_id\ttweet_url\ttweet_text\tclass_label\n" + "".join(
        f"{i}\thttp://t/{i}\tTweet {i} says 5 million.\t{i % 2}\n" for i in range(1, 9)
    )
    for source, _lang, files in LOSO_SOURCES:
        for f in files:
            (root / f).parent.mkdir(parents=True, exist_ok=True)
            (root / f).write_text(debate if source == "en-debates" else tweets, encoding="utf-8")
    (root / CLAIMBUSTER).parent.mkdir(parents=True, exist_ok=True)
    rows = "".join(
        f"{i},x,S,T,P,debate-{(i - 1) // 4}.txt,1,1,0,-1\n"
        for i in range(1, 13)
        if not (missing_id and i == 5)
    )
    (root / CLAIMBUSTER).write_text(
        "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,"
        "Sentiment,Verdict\n" + rows,
        encoding="utf-8",
    )


def test_loso_corpus_keeps_whole_debates_and_caps_large_sources(tmp_path: Path) -> None:
    from factdesk.eval.checkworthiness import read_loso_corpus

    _loso_tree(tmp_path)
    rows = read_loso_corpus(tmp_path, max_rows=5, debate_rows=8, debate_groups=2)
    by_source: dict[str, int] = {}
    for r in rows:
        by_source[r.source] = by_source.get(r.source, 0) + 1
    # two whole debates of 4 fit in 8 rows; ar and es are capped at 5, the others whole
    assert by_source == {"en-debates": 8, "en-tweets22": 16, "ar": 5, "es": 5, "nl": 16}
    folds = {r.fold for r in rows if r.source == "en-debates"}
    assert len(folds) == 2 and all(f.startswith("en-debates:") for f in folds)
    again = read_loso_corpus(tmp_path, max_rows=5, debate_rows=8, debate_groups=2)
    assert [r.text for r in again] == [r.text for r in rows]  # seeded
    capped = read_loso_corpus(tmp_path, max_rows=5, debate_rows=8, debate_groups=2, cap_all=True)
    counts: dict[str, int] = {}
    for r in capped:
        counts[r.source] = counts.get(r.source, 0) + 1
    # --cap-all: the tweets are capped too; the debates keep their own limit
    assert counts == {"en-debates": 8, "en-tweets22": 5, "ar": 5, "es": 5, "nl": 5}


def test_loso_corpus_names_a_debate_sentence_without_file_id(tmp_path: Path) -> None:
    from factdesk.eval.checkworthiness import read_loso_corpus

    _loso_tree(tmp_path, missing_id=True)
    with pytest.raises(InputError, match="no ClaimBuster File_id"):
        read_loso_corpus(tmp_path)
