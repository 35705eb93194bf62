"""Activations: forward and backward against torch autograd (the oracle)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.reference import activation as A

shapes = st.lists(st.integers(1, 5), min_size=1, max_size=4).map(tuple)
seeds = st.integers(0, 2**31 - 1)


def torch_grads(torch_fn, x, g):
    """Forward and input gradient of torch_fn at x for upstream gradient g (float64)."""
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_fn(xt)
    yt.backward(torch.tensor(g))
    return yt.detach().numpy(), xt.grad.numpy()


ELEMENTWISE = [
    (A.relu, A.relu_backward, torch.relu, "input"),
    (A.sigmoid, A.sigmoid_backward, torch.sigmoid, "output"),
    (A.tanh, A.tanh_backward, torch.tanh, "output"),
]


@pytest.mark.parametrize("fwd,bwd,tfn,saved", ELEMENTWISE, ids=["relu", "sigmoid", "tanh"])
@given(shape=shapes, seed=seeds)
def test_elementwise_matches_torch_float64(fwd, bwd, tfn, saved, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 3
    g = rng.standard_normal(shape)
    y_ref, gx_ref = torch_grads(tfn, x, g)
    y = fwd(x)
    gx = bwd(g, x if saved == "input" else y)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx, gx_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fwd,bwd,tfn,saved", ELEMENTWISE, ids=["relu", "sigmoid", "tanh"])
def test_elementwise_float32_keeps_dtype(fwd, bwd, tfn, saved):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    g = rng.standard_normal((3, 4, 5)).astype(np.float32)
    y = fwd(x)
    gx = bwd(g, x if saved == "input" else y)
    assert y.dtype == np.float32 and gx.dtype == np.float32
    xt = torch.tensor(x, requires_grad=True)
    yt = tfn(xt)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_sigmoid_extreme_inputs_do_not_overflow():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over="raise"):
        y = A.sigmoid(x)
    np.testing.assert_allclose(y, torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-12, atol=0)


def test_relu_gradient_at_zero_is_zero_like_torch():
    x = np.zeros(3)
    _, gx_ref = torch_grads(torch.relu, x, np.ones(3))
    np.testing.assert_array_equal(A.relu_backward(np.ones(3), x), gx_ref)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(shape=shapes, seed=seeds, data=st.data())
def test_softmax_family_matches_torch(name, shape, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 5
    g = rng.standard_normal(shape)
    y_ref, gx_ref = torch_grads(lambda t: getattr(torch, name)(t, dim=dim), x, g)
    y = getattr(A, name)(x, dim)
    gx = getattr(A, name + "_backward")(g, y, dim)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx, gx_ref, rtol=1e-10, atol=1e-12)


def test_softmax_is_stable_for_huge_logits():
    x = np.array([[1e4, 0.0, -1e4], [1e4, 1e4 - 1, 3.0]])
    for name in ("softmax", "log_softmax"):
        with np.errstate(over="raise", invalid="raise"):
            y = getattr(A, name)(x, 1)
        np.testing.assert_allclose(y, getattr(torch, name)(torch.tensor(x), 1).numpy(),
                                   rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("layer,tfn", [
    (A.ReLU(), torch.relu), (A.Sigmoid(), torch.sigmoid), (A.Tanh(), torch.tanh),
    (A.Softmax(dim=1), lambda t: torch.softmax(t, 1)),
])
def test_layers_forward_backward_match_torch(layer, tfn):
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    y_ref, gx_ref = torch_grads(tfn, x, g)
    np.testing.assert_allclose(layer(x), y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(g), gx_ref, rtol=1e-10, atol=1e-12)
    assert layer.params == {} and layer.parameters() == []


def test_bad_inputs_give_clear_errors():
    with pytest.raises(TypeError, match="dtype int64.*astype"):
        A.relu(np.arange(4))
    with pytest.raises(ValueError, match="NaN or inf"):
        A.tanh(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="dim=2 is out of range for a 2-d input"):
        A.softmax(np.zeros((2, 3)), 2)
    with pytest.raises(ValueError, match=r"grad_output has shape \(2,\) but input has shape \(3,\)"):
        A.relu_backward(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_float32_keeps_dtype(name):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((4, 6)) * 10).astype(np.float32)
    g = rng.standard_normal((4, 6)).astype(np.float32)
    y = getattr(A, name)(x, 1)
    gx = getattr(A, name + "_backward")(g, y, 1)
    assert y.dtype == np.float32 and gx.dtype == np.float32
    xt = torch.tensor(x, requires_grad=True)
    yt = getattr(torch, name)(xt, 1)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-5, atol=1e-6)
