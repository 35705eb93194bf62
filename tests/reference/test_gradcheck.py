"""The gradient checker passes correct backwards and fails wrong ones with a precise message."""

import re

import numpy as np
import pytest
import torch

from cnn_core.reference import (BatchNorm2d, Dropout, LayerNorm, Linear, ReLU, Sequential, Sigmoid,
                                Softmax, Tanh, check_layer_gradients, gradcheck, numerical_gradient,
                                softmax, softmax_backward)
from cnn_core.reference.activation import sigmoid


def _conv_block():
    from cnn_core.reference import AvgPool2d, Conv2d  # the conv/pool half of the reference
    return Sequential(Conv2d(2, 2, 3, padding=1, rng=0), Tanh(), AvgPool2d(2))


@pytest.mark.parametrize("make,shape", [
    (lambda: Linear(4, 3, rng=0), (2, 4)),
    (lambda: Sigmoid(), (2, 3)),
    (lambda: Tanh(), (2, 3)),
    (lambda: Softmax(dim=1), (2, 4)),
    (lambda: BatchNorm2d(2), (3, 2, 2, 2)),
    (lambda: BatchNorm2d(2).eval(), (3, 2, 2, 2)),
    (lambda: LayerNorm((2, 3)), (2, 2, 3)),
    (lambda: Dropout(0.5, rng=1), (3, 4)),
    (lambda: Sequential(Linear(4, 5, rng=0), Tanh(), Linear(5, 2, rng=1)), (3, 4)),
    (lambda: _conv_block(), (1, 2, 4, 4)),
], ids=["linear", "sigmoid", "tanh", "softmax", "batchnorm-train", "batchnorm-eval", "layernorm",
        "dropout-train", "sequential", "conv-tanh-avgpool"])
def test_correct_layers_pass(make, shape):
    layer = make()
    x = np.random.default_rng(0).standard_normal(shape) + 0.1
    report = check_layer_gradients(layer, x)
    assert set(report) == {"input"} | {n for n, _, _ in layer.named_parameters()}
    assert all(err < 1e-6 for err in report.values())


def test_layer_passed_in_is_left_untouched():
    layer = BatchNorm2d(2)
    before = layer.state_dict()
    check_layer_gradients(layer, np.random.default_rng(0).standard_normal((3, 2, 2, 2)))
    assert layer.params["weight"].dtype == np.float32 and not layer.grads["weight"].any()
    for k, v in layer.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


class LinearWrongBias(Linear):
    """Linear whose bias gradient is off by +1 at entry 1 only."""

    def backward(self, grad_output):
        gx = super().backward(grad_output)
        self.grads["bias"][1] += 1.0
        return gx


class LinearForgotWeightTranspose(Linear):
    """The classic slip: grad_input computed with the weight's transpose pattern wrong."""

    def backward(self, grad_output):
        super().backward(grad_output)
        return grad_output @ self.params["weight"][:, ::-1]


def test_wrong_parameter_gradient_fails_naming_tensor_index_and_both_values():
    x = np.random.default_rng(0).standard_normal((2, 4))
    g = np.random.default_rng(1).standard_normal((2, 3))
    layer = LinearWrongBias(4, 3, rng=0)
    with pytest.raises(AssertionError) as info:
        check_layer_gradients(layer, x, grad_output=g)
    msg = str(info.value)
    assert "for 'bias' at index (1,)" in msg
    # the numerical value reported is the true gradient (torch: sum of g over the batch)
    true = g.sum(axis=0)[1]
    analytic, numerical = map(float, re.search(r"analytic (\S+), numerical (\S+) ", msg).groups())
    # (the message prints 6 significant digits)
    assert abs(numerical - true) < 1e-5 * abs(true) and abs(analytic - (true + 1)) < 1e-5 * abs(true + 1)
    assert "1 of 3 entries of 'bias' disagree" in msg


def test_wrong_input_gradient_fails_on_input():
    layer = LinearForgotWeightTranspose(4, 3, rng=0)
    with pytest.raises(AssertionError, match=r"gradient check failed for 'input' at index \(\d, \d\): "
                                             r"analytic \S+, numerical \S+"):
        check_layer_gradients(layer, np.random.default_rng(0).standard_normal((2, 4)))


def test_gradcheck_function_api():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5))
    report = gradcheck(lambda x: softmax(x, 1), {"x": x},
                       analytic=lambda g, x: {"x": softmax_backward(g, softmax(x, 1), 1)})
    assert report["x"] < 1e-8
    # a wrong softmax backward that returns zeros: it would pass with grad_output = ones
    # (the true gradient is then zero), and must fail with the default random one
    zero = {"x": np.zeros_like(x)}
    gradcheck(lambda x: softmax(x, 1), {"x": x}, zero, grad_output=np.ones((3, 5)))
    with pytest.raises(AssertionError, match="for 'x' at index"):
        gradcheck(lambda x: softmax(x, 1), {"x": x}, zero)


def test_gradcheck_against_torch_for_a_two_input_function():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
    g = rng.standard_normal((2, 2))
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    torch.sigmoid(at @ bt).backward(torch.tensor(g))
    gradcheck(lambda a, b: sigmoid(a @ b), {"a": a, "b": b},
              {"a": at.grad.numpy(), "b": bt.grad.numpy()}, grad_output=g)
    with pytest.raises(AssertionError, match="for 'b'"):
        gradcheck(lambda a, b: sigmoid(a @ b), {"a": a, "b": b},
                  {"a": at.grad.numpy(), "b": bt.grad.numpy() * 1.01}, grad_output=g)


def test_numerical_gradient_of_a_quadratic_is_exact():
    x = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(numerical_gradient(lambda: x ** 2, x, np.ones(3)), 2 * x, atol=1e-8)


def test_bad_usage_gives_clear_errors():
    x = np.ones((2, 4))
    with pytest.raises(AssertionError, match=r"analytic gradient of 'x' has shape \(4,\) but 'x' has shape \(2, 4\)"):
        gradcheck(lambda x: x * 2, {"x": x}, {"x": np.ones(4)})
    with pytest.raises(ValueError, match=r"analytic gradients given for \['y'\]"):
        gradcheck(lambda x: x * 2, {"x": x}, {"y": x})
    with pytest.raises(ValueError, match=r"grad_output has shape \(3,\) but the layer returns shape \(2, 4\)"):
        check_layer_gradients(ReLU(), x, grad_output=np.ones(3))
