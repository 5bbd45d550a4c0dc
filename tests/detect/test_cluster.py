import numpy as np
import pytest

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


def test_link_joins_translations_with_the_cross_language_threshold() -> None:
    def index() -> ClaimIndex:
        index = ClaimIndex(dim=2, thresholds=Thresholds(0.9, 0.95, 0.8), dense_dim=2)
        index.add(1, _unit([1.0, 0.0]), ["en"])
        index.add_dense(1, _unit([1.0, 0.0])[0], "en")
        return index

    (vi,) = index().link([2], _unit([1.0, 0.6]), ["vi"])
    assert vi.target == 1 and vi.similarity > 0.85  # cos 0.86 >= 0.8 across languages
    (en,) = index().link([3], _unit([1.0, 0.6]), ["en"])
    assert en.target is None  # the same 0.86 within English needs 0.95


def test_link_moves_static_exemplars_to_the_claim_joined() -> None:
    index = ClaimIndex(dim=2, thresholds=Thresholds(0.9, 0.5, 0.5), dense_dim=2)
    index.add(1, _unit([1.0, 0.0]), ["en"])
    index.add_dense(1, _unit([1.0, 0.0])[0], "en")
    index.add(2, _unit([0.0, 1.0]), ["vi"])
    (link,) = index.link([2], _unit([1.0, 0.1]), ["vi"])
    assert link.target == 1
    (a,) = index.assign(_unit([0.0, 1.0]), ["vi"])  # the Vietnamese wording now means claim 1
    assert a.key == 1 and not a.new


def test_claims_linked_in_one_call_can_join_each_other() -> None:
    index = ClaimIndex(dim=2, thresholds=Thresholds(0.9, 0.9, 0.9), dense_dim=2)
    out = index.link([5, 6], _unit([1.0, 0.0], [1.0, 0.05]), ["en", "vi"])
    assert out[0].target is None and out[1].target == 5


def test_link_never_moves_a_claim_an_editor_works_on() -> None:
    index = ClaimIndex(dim=2, thresholds=Thresholds(0.9, 0.5, 0.5), dense_dim=2)
    index.add_dense(1, _unit([1.0, 0.0])[0], "en")
    out = index.link([2, 3], _unit([1.0, 0.0], [1.0, 0.0]), ["vi", "vi"], movable=[False, True])
    assert out[0].target is None
    assert out[1].target in {1, 2}  # claim 2 is linked, and can be joined


def test_link_needs_a_dense_stage() -> None:
    index = ClaimIndex(dim=2, thresholds=0.9)
    with pytest.raises(ValueError, match="no dense stage"):
        index.link([1], _unit([1.0, 0.0]), ["en"])


def test_link_names_the_nearest_claim_just_under_the_threshold() -> None:
    index = ClaimIndex(dim=2, thresholds=Thresholds(0.9, 0.95, 0.8), dense_dim=2)
    index.add_dense(1, _unit([1.0, 0.0])[0], "en")
    near, far = index.link([2, 3], _unit([1.0, 0.9], [0.0, 1.0]), ["vi", "vi"])
    assert near.target is None and near.nearest == 1  # cos 0.74: under 0.8, within 0.1
    assert round(near.similarity, 2) == 0.74
    assert far.target is None and far.nearest is None  # 0.0 to claim 1, 0.67 to claim 2 (vi)


def test_assign_in_blocks_decides_as_one_mention_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The block-at-once similarities give the assignments the per-mention path gives, also
    for mentions that join claims opened earlier in the same block and across blocks."""
    from factdesk.detect import cluster

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(40, 16)).astype(np.float32)
    picks = rng.integers(0, 40, size=300)
    noisy = centres[picks] + rng.normal(scale=0.35, size=(300, 16)).astype(np.float32)
    vectors = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    vectors[17] = 0.0  # a text with no known piece
    langs = ["vi" if p % 3 == 0 else "en" for p in picks]

    def run(block: int) -> list[tuple[object, bool, str]]:
        monkeypatch.setattr(cluster, "ASSIGN_BLOCK", block)
        index = ClaimIndex(dim=16, thresholds=0.8)
        index.add(1000, vectors[:5], langs[:5])
        out = index.assign(vectors[5:150], langs[5:150]) + index.assign(vectors[150:], langs[150:])
        return [(a.key, a.new, a.stage) for a in out]

    one_at_a_time = run(1)
    assert run(64) == one_at_a_time and run(7) == one_at_a_time
    assert sum(new for _, new, _ in one_at_a_time) > 40  # claims opened and joined within blocks


def test_a_mention_finds_its_language_behind_many_closer_exemplars_of_another() -> None:
    """Each language has its own bank: thirty English exemplars closer than the Vietnamese one
    do not hide it (one bank's top 20 once held only the English ones)."""
    index = ClaimIndex(dim=2, thresholds=0.9)
    for key in range(30):
        index.add(key, _unit([1.0, 0.0]), ["en"])
    index.add("vi-claim", _unit([0.95, 0.31]), ["vi"])
    (a,) = index.assign(_unit([1.0, 0.0]), ["vi"])
    assert a.key == "vi-claim" and not a.new


def test_exemplars_per_claim_are_capped_over_all_languages() -> None:
    from factdesk.detect.cluster import MAX_EXEMPLARS

    index = ClaimIndex(dim=64, thresholds=0.99)
    rng = np.random.default_rng(0)
    many = rng.normal(size=(2 * MAX_EXEMPLARS, 64)).astype(np.float32)
    many /= np.linalg.norm(many, axis=1, keepdims=True)
    index.add(1, many, ["en", "vi"] * MAX_EXEMPLARS)
    assert sum(len(b.rows[1]) for b in index._static.values()) == MAX_EXEMPLARS
