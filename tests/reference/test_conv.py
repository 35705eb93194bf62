"""cnn_core.reference.conv: conv2d, conv2d_backward and Conv2d against PyTorch.

Oracles: torch.nn.functional.conv2d / torch.nn.Conv2d and torch autograd (``_torch.torch_conv``);
the notes' worked examples recomputed by hand below.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given

from cnn_core.reference import Conv2d, conv2d, conv2d_backward
from ._torch import copy_into_torch, torch_conv, torch_forward_backward
from .strategies import args, conv_cases, make_arrays

# torch warns that padding='same' with an even kernel copies the input: harmless here
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


# --------------------------------------------------------------------------------------
# forward and backward against torch, over random configurations
# --------------------------------------------------------------------------------------
@given(conv_cases())
def test_conv2d_forward_and_gradients_match_torch(case):
    x, w, b = make_arrays(case)
    expected = torch_conv(x, w, b, *args(case), case["mode"])
    out = conv2d(x, w, b, *args(case), padding_mode=case["mode"], strict=False)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)

    g = np.random.default_rng(1).standard_normal(out.shape)
    _, gx, gw, gb = torch_conv(x, w, b, *args(case), case["mode"], grad_output=g)
    grad_input, grad_weight, grad_bias = conv2d_backward(g, x, w, *args(case), padding_mode=case["mode"],
                                                         bias=case["bias"], strict=False)
    np.testing.assert_allclose(grad_input, gx, rtol=1e-10, atol=1e-10, err_msg="grad_input")
    np.testing.assert_allclose(grad_weight, gw, rtol=1e-10, atol=1e-10, err_msg="grad_weight")
    if case["bias"]:
        np.testing.assert_allclose(grad_bias, gb, rtol=1e-10, atol=1e-10, err_msg="grad_bias")
    else:
        assert grad_bias is None


@given(conv_cases())
def test_strict_raises_exactly_when_the_stride_leaves_pixels_over(case):
    x, w, b = make_arrays(case)
    loose = conv2d(x, w, b, *args(case), padding_mode=case["mode"], strict=False)
    # by hand: does (H + pads - span) divide by the stride in both directions?
    if case["padding"] == "same":
        fits = True
    else:
        p = (0, 0) if case["padding"] == "valid" else (
            (case["padding"],) * 2 if isinstance(case["padding"], int) else case["padding"])
        fits = all((size + 2 * pi - (d * (k - 1) + 1)) % s == 0 for size, pi, d, k, s in
                   zip((case["h"], case["w"]), p, case["dilation"], case["k"], case["stride"]))
    if fits:
        np.testing.assert_array_equal(conv2d(x, w, b, *args(case), padding_mode=case["mode"]), loose)
    else:
        with pytest.raises(ValueError, match="is not a whole number.*strict=False"):
            conv2d(x, w, b, *args(case), padding_mode=case["mode"])


@given(conv_cases())
def test_float32_stays_float32_and_matches_torch(case):
    x, w, b = make_arrays(case, dtype=np.float32)
    out = conv2d(x, w, b, *args(case), padding_mode=case["mode"], strict=False)
    assert out.dtype == np.float32
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    expected, gx, gw, gb = torch_conv(x, w, b, *args(case), case["mode"], grad_output=g)
    grads = conv2d_backward(g, x, w, *args(case), padding_mode=case["mode"], bias=case["bias"], strict=False)
    assert all(gr.dtype == np.float32 for gr in grads if gr is not None)
    scale = 1e-5 * max(1.0, math.prod(case["k"]) * case["c"])
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=scale)
    np.testing.assert_allclose(grads[0], gx, rtol=1e-5, atol=scale)
    np.testing.assert_allclose(grads[1], gw, rtol=1e-5, atol=scale * x.shape[0] * out[0, 0].size)


def test_float32_input_with_float64_weight_computes_in_float32():
    x = np.ones((1, 1, 3, 3), dtype=np.float32)
    w = np.ones((1, 1, 2, 2), dtype=np.float64)
    assert conv2d(x, w).dtype == np.float32
    assert conv2d(x.astype(np.float64), w.astype(np.float32)).dtype == np.float64


# --------------------------------------------------------------------------------------
# the notes' worked examples, recomputed by hand
# --------------------------------------------------------------------------------------
def as_image(rows):
    return np.array(rows, dtype=np.float64)[None, None]


NOTES_6x6 = [[2, 4, 5, 6, 2, 3],
             [3, 1, 2, 3, 5, 7],
             [2, 3, 1, 3, 6, 0],
             [7, 7, 8, 4, 6, 2],
             [8, 4, 6, 9, 4, 8],
             [3, 4, 6, 8, 10, 4]]
FILTER_121 = [[1, 2, 1], [0, 0, 0], [1, 2, 1]]


def test_notes_6x6_image_with_the_121_filter():
    """Seed 001. The filter keeps the top and bottom rows of each 3x3 patch, weighted 1 2 1:
    entry (i, j) = x[i, j] + 2 x[i, j+1] + x[i, j+2] + x[i+2, j] + 2 x[i+2, j+1] + x[i+2, j+2].

    Worked by hand:
      (0,0): 2+8+5 + 2+6+1 = 24      (the notes write 23)
      (0,1): 4+10+6 + 3+2+3 = 28     (0,2): 5+12+2 + 1+6+6 = 32     (0,3): 6+4+3 + 3+12+0 = 28
      (1,0): 3+2+2 + 7+14+8 = 36     (1,1): 1+4+3 + 7+16+4 = 35     (1,2): 2+6+5 + 8+8+6 = 35
      (1,3): 3+10+7 + 4+12+2 = 38    (the notes write 36: their sum reads the patch as 3 4 7)
      (2,0): 2+6+1 + 8+8+6 = 31      (2,1): 3+2+3 + 4+12+9 = 33
      (2,2): 1+6+6 + 6+18+4 = 41     (the notes write 33)
      (2,3): 3+12+0 + 9+8+8 = 40     (the notes write 41)
      (3,0): 7+14+8 + 3+8+6 = 46     (the notes write 44, though their own sum gives 46)
      (3,1): 7+16+4 + 4+12+8 = 51    (3,2): 8+8+6 + 6+16+10 = 54    (3,3): 4+12+2 + 8+20+4 = 50
    """
    by_hand = [[24, 28, 32, 28],
               [36, 35, 35, 38],
               [31, 33, 41, 40],
               [46, 51, 54, 50]]
    notes = [[23, 28, 32, 28],
             [36, 35, 35, 36],
             [31, 33, 33, 41],
             [44, 51, 54, 50]]
    out = conv2d(as_image(NOTES_6x6), as_image(FILTER_121))[0, 0]
    np.testing.assert_array_equal(out, by_hand)
    # the five entries where the notes differ, listed for the book
    differ = sorted(zip(*np.nonzero(out != np.array(notes))))
    assert [(int(i), int(j)) for i, j in differ] == [(0, 0), (1, 3), (2, 2), (2, 3), (3, 0)]
    # 6x6 input, 3x3 filter, stride 1: (6 - 3)/1 + 1 = 4 (seed 000, "the lost pixels")
    assert out.shape == (4, 4)


def test_notes_vertical_edge_kernel_on_a_3x3_patch():
    """Seed 003: patch [[1,2,3],[4,5,6],[7,8,9]] with kernel [[1,0,-1]]*3 (no value given in the
    notes). By hand: (1-3) + (4-6) + (7-9) = -6: brightness falls from left to right."""
    patch = as_image([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    kernel = as_image([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    assert conv2d(patch, kernel)[0, 0, 0, 0] == -6


def test_vertical_edge_kernel_on_a_6x6_step_image():
    """The classic 6x6 vertical-edge figure (bright left half 10, dark right half 0): by hand
    each row of the output is 0, 30, 30, 0 -- (10+10+10) - (0+0+0) = 30 where the filter
    straddles the edge, 0 where it sees one flat colour."""
    image = as_image([[10, 10, 10, 0, 0, 0]] * 6)
    kernel = as_image([[1, 0, -1]] * 3)
    np.testing.assert_array_equal(conv2d(image, kernel)[0, 0], [[0, 30, 30, 0]] * 4)


def test_notes_tic_tac_toe_windows_with_bias():
    """Seed 000: the first two windows of the X/O example, filter = the anti-diagonal, bias -2.
    By hand: first patch equals the filter, 1+1+1 = 3, 3 - 2 = 1; next patch (shifted one
    pixel) overlaps it in one pixel: 1 - 2 = -1. These match the notes."""
    kernel = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    first = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    second = [[0, 1, 1], [1, 0, 0], [0, 0, 0]]
    bias = np.array([-2.0])
    assert conv2d(as_image(first), as_image(kernel), bias)[0, 0, 0, 0] == 1
    assert conv2d(as_image(second), as_image(kernel), bias)[0, 0, 0, 0] == -1


def test_notes_output_sizes():
    """Seeds 000-002: 7x7 with 3x3 gives 5x5 (stride 1), 3x3 (stride 2), does not fit at
    stride 3; 32x32x3 with ten 5x5 filters, pad 2 gives 32x32x10; 5x5 with 3x3: 3x3 at
    stride 1, 2x2 at stride 2; MNIST 28x28 through four unpadded 3x3 layers: 20x20."""
    x7 = np.zeros((1, 1, 7, 7))
    w3 = np.zeros((1, 1, 3, 3))
    assert conv2d(x7, w3).shape[2:] == (5, 5)
    assert conv2d(x7, w3, stride=2).shape[2:] == (3, 3)
    with pytest.raises(ValueError, match=r"\(7 - 3\)/3 \+ 1 = 2\.33"):
        conv2d(x7, w3, stride=3)
    assert conv2d(x7, w3, stride=3, strict=False).shape[2:] == (2, 2)   # PyTorch's floor
    assert conv2d(np.zeros((1, 3, 32, 32)), np.zeros((10, 3, 5, 5)), padding=2).shape == (1, 10, 32, 32)
    x5 = np.zeros((1, 1, 5, 5))
    assert conv2d(x5, w3).shape[2:] == (3, 3)
    assert conv2d(x5, w3, stride=2).shape[2:] == (2, 2)
    # seed 000 says "5x5 input, 3x3 filter, stride 2, same padding: output 5x5"; that holds at
    # stride 1 only. At stride 2 with P = 1: (5 + 2 - 3)/2 + 1 = 3.
    assert conv2d(x5, w3, padding="same").shape[2:] == (5, 5)
    assert conv2d(x5, w3, stride=2, padding=1).shape[2:] == (3, 3)
    x = np.zeros((1, 1, 28, 28))
    for _ in range(4):
        x = conv2d(x, w3)
    assert x.shape[2:] == (20, 20)


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------
def test_wrong_rank_says_what_was_expected():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*\(3, 8, 8\).*x\[None\]"):
        conv2d(np.zeros((3, 8, 8)), np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"weight must be.*got shape \(3, 3\)"):
        conv2d(np.zeros((1, 1, 8, 8)), np.zeros((3, 3)))


def test_channel_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"weight \(4, 3, 3, 3\).*3 channels.*input \(1, 2, 8, 8\) has 2"):
        conv2d(np.zeros((1, 2, 8, 8)), np.zeros((4, 3, 3, 3)))


def test_bad_groups():
    with pytest.raises(ValueError, match=r"groups=2 must divide the 3 input channels"):
        conv2d(np.zeros((1, 3, 8, 8)), np.zeros((4, 1, 3, 3)), groups=2)
    with pytest.raises(ValueError, match=r"groups=2 must divide the 3 output channels"):
        conv2d(np.zeros((1, 4, 8, 8)), np.zeros((3, 2, 3, 3)), groups=2)
    with pytest.raises(ValueError, match="groups must be a positive int"):
        conv2d(np.zeros((1, 4, 8, 8)), np.zeros((4, 4, 3, 3)), groups=0)


def test_kernel_larger_than_the_padded_input():
    with pytest.raises(ValueError, match=r"5x5 filter does not fit a 3x3 input padded to 5x5|5x5 filter does not fit"):
        conv2d(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 5, 5)), padding=0)
    # with enough padding it fits
    assert conv2d(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 5, 5)), padding=1).shape == (1, 1, 1, 1)


def test_nan_inf_and_integer_inputs_are_refused():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 2] = np.nan
    with pytest.raises(ValueError, match="1 NaN or inf"):
        conv2d(x, np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="NaN or inf"):
        conv2d(np.zeros((1, 1, 4, 4)), np.full((1, 1, 3, 3), np.inf))
    with pytest.raises(TypeError, match=r"dtype uint8.*astype\(np.float32\)"):
        conv2d(np.zeros((1, 1, 4, 4), dtype=np.uint8), np.zeros((1, 1, 3, 3)))


def test_bad_padding_arguments():
    with pytest.raises(ValueError, match="'same' keeps the size only at stride 1"):
        conv2d(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 3, 3)), stride=2, padding="same")
    with pytest.raises(ValueError, match="padding must be"):
        conv2d(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 3, 3)), padding="full")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        conv2d(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 3, 3)), padding=1, padding_mode="mirror")
    with pytest.raises(ValueError, match="reflect padding must be smaller than the dimension"):
        conv2d(np.zeros((1, 1, 2, 8)), np.zeros((1, 1, 3, 3)), padding=2, padding_mode="reflect")


def test_stride_that_does_not_fit_in_the_height_names_the_height():
    with pytest.raises(ValueError, match=r"shape \(1, 1, 8, 7\), along the height.*\(8 - 3\)/2 \+ 1 = 3.5"):
        conv2d(np.zeros((1, 1, 8, 7)), np.zeros((1, 1, 3, 3)), stride=2)


def test_grad_output_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"grad_output has shape \(1, 1, 3, 3\).*\(1, 1, 4, 4\)"):
        conv2d_backward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 6, 6)), np.zeros((1, 1, 3, 3)))


# --------------------------------------------------------------------------------------
# the layer
# --------------------------------------------------------------------------------------
def test_layer_init_follows_pytorch():
    layer = Conv2d(4, 6, 3, groups=2, rng=0)
    w, b = layer.params["weight"], layer.params["bias"]
    assert w.shape == (6, 2, 3, 3) and b.shape == (6,) and w.dtype == np.float32
    bound = 1 / math.sqrt(2 * 3 * 3)            # fan_in = in_channels/groups * kH * kW
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.8 * bound         # uniform over the whole interval, not a narrower one
    torch_layer = torch.nn.Conv2d(4, 6, 3, groups=2)
    assert set(layer.state_dict()) == set(torch_layer.state_dict())
    np.testing.assert_array_equal(Conv2d(4, 6, 3, groups=2, rng=0).params["weight"], w)   # seeded
    assert "bias" not in Conv2d(1, 1, 3, bias=False).params


def test_layer_matches_torch_and_accumulates_gradients():
    layer = Conv2d(3, 4, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), padding_mode="reflect",
                   rng=np.random.default_rng(0), dtype=np.float64)
    torch_layer = torch.nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2),
                                  padding_mode="reflect", dtype=torch.float64)
    copy_into_torch(torch_layer, layer)
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 6))
    out = layer(x)
    g = np.random.default_rng(2).standard_normal(out.shape)
    expected, expected_gx = torch_forward_backward(torch_layer, x, g)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)
    gx = layer.backward(g)
    np.testing.assert_allclose(gx, expected_gx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.grads["weight"], torch_layer.weight.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.grads["bias"], torch_layer.bias.grad.numpy(), rtol=1e-10, atol=1e-10)
    layer.backward(g)                              # a second backward adds, like .grad in torch
    np.testing.assert_allclose(layer.grads["weight"], 2 * torch_layer.weight.grad.numpy(), rtol=1e-10)
    layer.zero_grad()
    assert not layer.grads["weight"].any()


def test_layer_float32():
    layer = Conv2d(2, 3, 3, padding="same", rng=0)
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5)).astype(np.float32)
    out = layer(x)
    assert out.dtype == np.float32 and out.shape == (2, 3, 5, 5)
    gx = layer.backward(np.ones_like(out))
    assert gx.dtype == np.float32 and layer.grads["weight"].dtype == np.float32


def test_layer_backward_before_forward():
    with pytest.raises(RuntimeError, match="before forward"):
        Conv2d(1, 1, 3).backward(np.zeros((1, 1, 1, 1)))
