import numpy as np
import pytest

from factdesk.encoder.trainable import layer_class
from factdesk.encoder.weights import LAYER_TENSORS

torch = pytest.importorskip("torch")


def test_layer_class_makes_every_layer_tensor_a_parameter() -> None:
    rng = np.random.default_rng(0)
    hidden, inner = 8, 16
    shapes = {
        "q_w": (hidden, hidden),
        "k_w": (hidden, hidden),
        "v_w": (hidden, hidden),
        "ao_w": (hidden, hidden),
        "fi_w": (hidden, inner),
        "fo_w": (inner, hidden),
    }

    class FakeLayer:
        pass

    layer = FakeLayer()
    for name in LAYER_TENSORS:
        shape = shapes.get(name, (inner,) if name == "fi_b" else (hidden,))
        setattr(layer, name, rng.normal(size=shape).astype(np.float32))
    block = layer_class(torch, heads=2, eps=1e-12, dropout=0.5)(layer)
    assert set(block.p.keys()) == set(LAYER_TENSORS)
    block.eval()  # no dropout: the same input gives the same output
    x = torch.from_numpy(rng.normal(size=(1, 3, hidden)).astype(np.float32))
    bias = torch.zeros(1, 1, 1, 3)
    first, second = block(x, bias), block(x, bias)
    assert first.shape == (1, 3, hidden) and torch.equal(first, second)
