from factdesk.verify.stance import NoStance, load_stance_model


def test_no_stance_claims_nothing_for_every_pair() -> None:
    verdicts = NoStance().predict([("a claim", "a passage"), ("b", "c")])
    assert [v.stance for v in verdicts] == ["not_enough_info", "not_enough_info"]
    assert all(abs(v.confidence - 1 / 3) < 1e-9 for v in verdicts)


def test_load_stance_model_always_gives_a_model() -> None:
    model = load_stance_model()
    assert model.predict([]) == [] and model.name
