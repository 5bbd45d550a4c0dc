import numpy as np

from factdesk.detect.cluster import ClaimIndex, Thresholds


def _unit(*rows: list[float]) -> np.ndarray:
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_assign_joins_similar_and_opens_new_claims() -> None:
    index = ClaimIndex(dim=2, thresholds=0.9)
    index.add(7, _unit([1.0, 0.0]))
    out = index.assign(_unit([0.99, 0.05], [0.0, 1.0], [0.05, 0.99]))
    assert out[0].key == 7 and not out[0].new and out[0].stage == "static"
    assert out[1].new and out[2].key == out[1].key  # the third joins the claim the second opened
    assert len(index) == 2


def test_rename_gives_new_claims_their_ids() -> None:
    index = ClaimIndex(dim=2, thresholds=0.9)
    (a,) = index.assign(_unit([1.0, 0.0]))
    index.rename(a.key, 42)
    (b,) = index.assign(_unit([1.0, 0.01]))
    assert b.key == 42 and not b.new


def test_assign_grows_past_initial_capacity() -> None:
    index = ClaimIndex(dim=3, thresholds=0.999)
    rng = np.random.default_rng(1)
    v = rng.normal(size=(300, 3)).astype(np.float32)
    out = index.assign(v / np.linalg.norm(v, axis=1, keepdims=True))
    assert len(out) == 300 and len(index) == len({a.key for a in out})


def test_zero_vector_never_joins_a_claim() -> None:
    index = ClaimIndex(dim=2, thresholds=0.0)
    index.add(1, _unit([1.0, 0.0]))
    (a,) = index.assign(np.zeros((1, 2), dtype=np.float32))
    assert a.new


def test_static_stage_compares_within_a_language_only() -> None:
    index = ClaimIndex(dim=2, thresholds=0.9)
    index.add(1, _unit([1.0, 0.0]), ["en"])
    (a,) = index.assign(_unit([1.0, 0.0]), ["vi"])
    assert a.new


def test_dense_stage_joins_translations_with_cross_language_threshold() -> None:
    index = ClaimIndex(dim=2, thresholds=Thresholds(0.9, 0.95, 0.8), dense_dim=2)
    index.add(1, _unit([1.0, 0.0]), ["en"], dense=_unit([1.0, 0.0]))
    calls: list[list[int]] = []

    def dense(positions: list[int]) -> np.ndarray:
        calls.append(positions)
        return _unit([1.0, 0.6], [0.0, 1.0], [0.3, 1.0])[positions]

    out = index.assign(_unit([0.0, 1.0], [1.0, 0.0], [0.0, 1.0]), ["vi", "en", "en"], dense)
    assert calls == [[0, 2]]  # only what the static stage could not place, one call
    assert out[0].key == 1 and out[0].stage == "dense"  # cos 0.86 >= 0.8 across languages
    assert out[1].key == 1 and out[1].stage == "static"
    assert out[2].new  # 0.29 to the English wording (needs 0.95), 0.74 to the Vietnamese one


def test_dense_stage_is_skipped_without_an_encoder() -> None:
    index = ClaimIndex(dim=2, thresholds=0.9, dense_dim=2)
    index.add(1, _unit([1.0, 0.0]), ["en"], dense=_unit([1.0, 0.0]))
    (a,) = index.assign(_unit([0.0, 1.0]), ["vi"])
    assert a.new
