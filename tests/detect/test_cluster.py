import numpy as np

from factdesk.detect.cluster import ClaimIndex


def _unit(*rows: list[float]) -> np.ndarray:
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_assign_joins_similar_and_opens_new_claims() -> None:
    index = ClaimIndex(dim=2, threshold=0.9)
    index.add(7, _unit([1.0, 0.0]))
    out = index.assign(_unit([0.99, 0.05], [0.0, 1.0], [0.05, 0.99]))
    assert out[0].key == 7 and not out[0].new
    assert out[1].new and out[2].key == out[1].key  # the third joins the claim the second opened
    assert len(index) == 2


def test_rename_gives_new_claims_their_ids() -> None:
    index = ClaimIndex(dim=2, threshold=0.9)
    (a,) = index.assign(_unit([1.0, 0.0]))
    index.rename(a.key, 42)
    (b,) = index.assign(_unit([1.0, 0.01]))
    assert b.key == 42 and not b.new


def test_assign_grows_past_initial_capacity() -> None:
    index = ClaimIndex(dim=3, threshold=0.999)
    rng = np.random.default_rng(1)
    v = rng.normal(size=(300, 3)).astype(np.float32)
    out = index.assign(v / np.linalg.norm(v, axis=1, keepdims=True))
    assert len(out) == 300 and len(index) == len({a.key for a in out})


def test_zero_vector_never_joins_a_claim() -> None:
    index = ClaimIndex(dim=2, threshold=0.0)
    index.add(1, _unit([1.0, 0.0]))
    (a,) = index.assign(np.zeros((1, 2), dtype=np.float32))
    assert a.new
