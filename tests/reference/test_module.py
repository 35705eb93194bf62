"""The base Module: one check, for every layer, that backward comes after forward."""

import inspect

import numpy as np
import pytest

import cnn_core.reference as ref
from cnn_core.reference import Module

# Constructor arguments for the layers that need some; the others take none.
ARGS = {
    "Conv2d": (1, 1, 1), "ConvTranspose2d": (1, 1, 1), "MaxPool2d": (2,), "AvgPool2d": (2,),
    "SumPool2d": (2,), "Linear": (2, 2), "BatchNorm1d": (2,), "BatchNorm2d": (2,),
    "LayerNorm": (2,), "Softmax": (1,),
}
LAYERS = sorted(name for name in ref.__all__
                if inspect.isclass(getattr(ref, name)) and hasattr(getattr(ref, name), "backward")
                and getattr(ref, name) is not Module)


def test_every_layer_with_a_backward_is_covered():
    assert {"Conv2d", "MaxPool2d", "BatchNorm2d", "LayerNorm", "ReLU", "Sequential",
            "CrossEntropyLoss", "MSELoss"} <= set(LAYERS)


@pytest.mark.parametrize("name", LAYERS)
def test_backward_before_forward_raises_the_same_clear_error(name):
    layer = getattr(ref, name)(*ARGS.get(name, ()))
    with pytest.raises(RuntimeError, match=f"^{name}.backward called before forward$"):
        layer.backward(np.ones((1, 1, 2, 2)))


def test_a_students_own_layer_gets_the_check_too():
    class Double(Module):
        def forward(self, x):
            return 2 * x

        def backward(self, grad_output):
            return 2 * grad_output

    layer = Double()
    with pytest.raises(RuntimeError, match="Double.backward called before forward"):
        layer.backward(np.ones(3))
    layer(np.ones(3))
    np.testing.assert_array_equal(layer.backward(np.ones(3)), 2 * np.ones(3))
