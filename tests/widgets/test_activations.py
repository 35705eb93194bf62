"""The activation explorer: values and gradients against torch autograd."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.widgets import activation_explorer
from cnn_core.widgets.activations import LOGITS, activation_and_gradient

TORCH = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


@pytest.mark.parametrize("name", sorted(TORCH))
def test_curves_match_autograd(name):
    x = torch.linspace(-5, 5, 41, dtype=torch.float64).add(1e-3).requires_grad_()   # avoid ReLU's kink at 0
    y = TORCH[name](x)
    y.sum().backward()
    f, df = activation_and_gradient(name, x.detach().numpy())
    np.testing.assert_allclose(f, y.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(df, x.grad.numpy(), atol=1e-12)


@given(name=st.sampled_from(sorted(TORCH)), i=st.integers(0, 20), t=st.sampled_from([0.25, 0.5, 1.0, 2.0, 5.0]))
def test_explorer_shows_value_gradient_and_softmax(name, i, t):
    x = -5 + 0.5 * i
    ex = activation_explorer(function=name, x=x, temperature=t)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    TORCH[name](xt).backward()
    assert ex.value == pytest.approx(TORCH[name](xt).item(), abs=1e-12)
    assert ex.gradient == pytest.approx(xt.grad.item(), abs=1e-12)
    expected = torch.softmax(torch.tensor(LOGITS) / t, dim=0).numpy()
    np.testing.assert_allclose(ex.probabilities, expected, atol=1e-12)
    assert f"{name}(" in ex.render()


def test_sigmoid_gradient_vanishes_through_ten_layers():
    ex = activation_explorer(function="sigmoid", x=2.0)
    s = 1 / (1 + np.exp(-2.0))                    # by hand: s(1 - s) = 0.104994
    assert ex.gradient == pytest.approx(s * (1 - s))
    assert "(it vanishes)" in ex.render()
    assert "(it vanishes)" not in ex.update(function="relu").render()   # ReLU's gradient is 1 at x = 2


def test_temperature_sharpens_and_flattens():
    ex = activation_explorer()
    cold = ex.update(temperature=0.25).probabilities
    hot = ex.update(temperature=5.0).probabilities
    assert cold.max() > 0.95 and hot.max() < 0.45


def test_unknown_function():
    with pytest.raises(ValueError, match="choose 'relu', 'sigmoid' or 'tanh'"):
        activation_and_gradient("gelu", 0.0)
    with pytest.raises(ValueError, match="activation must be one of relu, sigmoid, tanh"):
        activation_explorer(function="gelu")
