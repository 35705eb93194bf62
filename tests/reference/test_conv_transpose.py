"""cnn_core.reference.conv_transpose against torch.nn.functional.conv_transpose2d and autograd."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from cnn_core.reference import ConvTranspose2d, conv2d, conv_transpose2d, conv_transpose2d_backward
from ._torch import copy_into_torch, torch_forward_backward


@st.composite
def transpose_cases(draw):
    groups = draw(st.integers(1, 3))
    ci, co = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 3))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    # PyTorch: output_padding must be smaller than the stride or the dilation
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    out = [(n - 1) * s - 2 * p + d * (kk - 1) + op + 1
           for n, s, p, d, kk, op in zip((h, w), stride, padding, dilation, k, output_padding)]
    assume(min(out) >= 1)
    return dict(n=draw(st.integers(1, 2)), ci=ci, co=co, h=h, w=w, k=k, stride=stride, padding=padding,
                output_padding=output_padding, groups=groups, dilation=dilation, bias=draw(st.booleans()))


def arrays(case, dtype=np.float64):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((case["n"], case["ci"], case["h"], case["w"])).astype(dtype)
    w = rng.standard_normal((case["ci"], case["co"] // case["groups"], *case["k"])).astype(dtype)
    b = rng.standard_normal(case["co"]).astype(dtype) if case["bias"] else None
    return x, w, b


def args(case):
    return case["stride"], case["padding"], case["output_padding"], case["groups"], case["dilation"]


@given(transpose_cases())
def test_forward_and_gradients_match_torch(case):
    x, w, b = arrays(case)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = None if b is None else torch.tensor(b, requires_grad=True)
    expected = F.conv_transpose2d(tx, tw, tb, *args(case))
    out = conv_transpose2d(x, w, b, *args(case))
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-10, atol=1e-10)
    g = np.random.default_rng(1).standard_normal(out.shape)
    expected.backward(torch.tensor(g))
    gx, gw, gb = conv_transpose2d_backward(g, x, w, *args(case), bias=case["bias"])
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-10, atol=1e-10, err_msg="grad_input")
    np.testing.assert_allclose(gw, tw.grad.numpy(), rtol=1e-10, atol=1e-10, err_msg="grad_weight")
    if case["bias"]:
        np.testing.assert_allclose(gb, tb.grad.numpy(), rtol=1e-10, atol=1e-10, err_msg="grad_bias")


@given(transpose_cases())
def test_float32_is_preserved(case):
    x, w, b = arrays(case, np.float32)
    out = conv_transpose2d(x, w, b, *args(case))
    assert out.dtype == np.float32
    expected = F.conv_transpose2d(torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b),
                                  *args(case))
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-5, atol=1e-5 * math.prod(case["k"]) * case["ci"])


def test_it_is_the_adjoint_of_conv2d():
    """<conv2d(y, w), x> == <y, conv_transpose2d(x, w)> for the same weight and stride."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 2, 3, 3))             # conv: 2 -> 3 channels; transposed: 3 -> 2
    y = rng.standard_normal((1, 2, 9, 9))
    x = rng.standard_normal((1, 3, 4, 4))
    lhs = np.sum(conv2d(y, w, stride=2) * x)
    rhs = np.sum(y * conv_transpose2d(x, w, stride=2))
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_notes_example_4x4_to_8x8():
    """Seed 003: 'Input = 4x4, transposed convolution with stride 2 -> 8x8'. With a 2x2 kernel:
    (4 - 1)*2 + (2 - 1) + 1 = 8. By hand with a kernel of ones, every input pixel becomes a
    2x2 block: the result is a nearest-neighbour upsampling."""
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    out = conv_transpose2d(x, np.ones((1, 1, 2, 2)), stride=2)
    assert out.shape == (1, 1, 8, 8)
    np.testing.assert_array_equal(out[0, 0], np.repeat(np.repeat(x[0, 0], 2, axis=0), 2, axis=1))


def test_layer_matches_torch():
    layer = ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, rng=0, dtype=np.float64)
    torch_layer = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                                           dtype=torch.float64)
    assert set(layer.state_dict()) == set(torch_layer.state_dict())
    bound = 1 / math.sqrt(3 * 3 * 3)   # PyTorch's fan_in for a transposed conv: weight.shape[1] * kH * kW
    assert np.abs(layer.params["weight"]).max() <= bound
    copy_into_torch(torch_layer, layer)
    x = np.random.default_rng(1).standard_normal((2, 4, 3, 5))
    out = layer(x)
    g = np.random.default_rng(2).standard_normal(out.shape)
    expected, expected_gx = torch_forward_backward(torch_layer, x, g)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.backward(g), expected_gx, rtol=1e-10, atol=1e-10)
    layer.backward(g)
    np.testing.assert_allclose(layer.grads["weight"], 2 * torch_layer.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(layer.grads["bias"], 2 * torch_layer.bias.grad.numpy(), rtol=1e-10)


def test_bad_input():
    with pytest.raises(ValueError, match=r"expects 3 input channels, but the input \(1, 2, 4, 4\) has 2"):
        conv_transpose2d(np.zeros((1, 2, 4, 4)), np.zeros((3, 1, 3, 3)))
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="groups=2 must divide the 3 input channels"):
        conv_transpose2d(np.zeros((1, 3, 4, 4)), np.zeros((3, 1, 3, 3)), groups=2)
    with pytest.raises(ValueError, match="no 'same'"):
        conv_transpose2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), padding="same")
    with pytest.raises(ValueError, match=r"\(N, C_in, H, W\)"):
        conv_transpose2d(np.zeros((4, 4)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(TypeError, match="dtype int64"):
        conv_transpose2d(np.zeros((1, 1, 4, 4), dtype=np.int64), np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="padding_mode='zeros'"):
        ConvTranspose2d(1, 1, 3, padding_mode="reflect")
