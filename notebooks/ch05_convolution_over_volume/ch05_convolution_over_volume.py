# %% [markdown]
# # Assignment 5: convolution over volume
#
# A filter spans the full depth of its input; K filters make K output channels. You will
# write a 1x1 convolution as a matrix product, build a dilated filter by inserting zeros,
# count the parameters of standard and depthwise separable convolutions, and build a
# depthwise separable block in PyTorch.
#
# **Rules.** In parts 1 and 2 write NumPy only: `cnn_core.reference`, PyTorch and
# `scipy.signal`/`scipy.ndimage` may not be used in `conv1x1` and `dilate_kernel` (the test
# inspects your functions, and the grading sandbox also hides those modules from your
# code). The tests use them to compute the expected answers. Tests print `PASS ...` or say
# what was expected, what you gave and for which input; hidden tests run when your work
# is graded.
#
# Points: part 1 (3), part 2 (3), part 3 (3), part 4 (3): 12 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_close, check_equal, check_number, check_shape, check_true, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.reference", "cnn_core.torch_ops", "torch", "scipy.signal", "scipy.ndimage"]

# %% [markdown]
# ## Part 1 (3 points): a 1x1 convolution is a matrix product over channels
#
# Write `conv1x1(x, weight, bias)`: `x` is (N, C, H, W), `weight` is (K, C, 1, 1), `bias` is
# (K,). Every pixel's C channel values are mixed into K new ones by the same K x C matrix.
# Return (N, K, H, W). No loops needed: `np.einsum` or `np.tensordot` will do.

# %% solution id=conv1x1
def conv1x1(x, weight, bias):
    """x: (N, C, H, W); weight: (K, C, 1, 1); bias: (K,). Returns (N, K, H, W)."""
    ### BEGIN SOLUTION
    w = np.asarray(weight, dtype=float)[:, :, 0, 0]                 # (K, C)
    return np.einsum("kc,nchw->nkhw", w, np.asarray(x, dtype=float)) + np.asarray(bias).reshape(1, -1, 1, 1)
    ### END SOLUTION

# %% tests id=conv1x1_check points=3
part("conv1x1_check")
from cnn_core.reference import conv2d as _ref_conv2d

forbid(conv1x1, NOT_ALLOWED)
_rng = np.random.default_rng(51)
_x, _w, _b = _rng.normal(size=(2, 3, 4, 5)), _rng.normal(size=(6, 3, 1, 1)), _rng.normal(size=6)
check_close("1x1 convolution, 3 -> 6 channels", conv1x1(_x, _w, _b), _ref_conv2d(_x, _w, _b), rtol=1e-10,
            inputs={"x": _x, "weight": _w})
### BEGIN HIDDEN TESTS
with quietly("conv1x1 on 15 random shapes"):
    for _ in range(15):
        _n, _c, _k, _h, _wd = (int(v) for v in _rng.integers(1, 6, size=5))
        _x, _w, _b = _rng.normal(size=(_n, _c, _h, _wd)), _rng.normal(size=(_k, _c, 1, 1)), _rng.normal(size=_k)
        check_close(f"conv1x1 {(_n, _c, _h, _wd)} -> {_k} channels", conv1x1(_x, _w, _b), _ref_conv2d(_x, _w, _b),
                    rtol=1e-10, atol=1e-12, inputs={"x": _x, "weight": _w})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 (3 points): a dilated filter is a sparse larger filter
#
# A 3x3 filter with dilation 2 looks at pixels 2 apart: it behaves like a 5x5 filter with
# zeros between the taps. Write `dilate_kernel(weight, d)`: `weight` is (K, C, F, F);
# return (K, C, d(F - 1) + 1, d(F - 1) + 1) with the taps placed d apart and zeros
# elsewhere. (The test checks that convolving with your big filter equals PyTorch's
# dilated convolution.)

# %% solution id=dilate_kernel
def dilate_kernel(weight, d):
    """weight: (K, C, F, F) -> (K, C, d(F-1)+1, d(F-1)+1) with zeros between the taps."""
    ### BEGIN SOLUTION
    weight = np.asarray(weight, dtype=float)
    k, c, f, _ = weight.shape
    span = d * (f - 1) + 1
    out = np.zeros((k, c, span, span))
    out[:, :, ::d, ::d] = weight
    return out
    ### END SOLUTION

# %% tests id=dilate_kernel_check points=3
part("dilate_kernel_check")
import torch
import torch.nn.functional as F

forbid(dilate_kernel, NOT_ALLOWED)
_rng = np.random.default_rng(52)
_x, _w = _rng.normal(size=(1, 2, 9, 9)), _rng.normal(size=(3, 2, 3, 3))
_big = dilate_kernel(_w, 2)
check_shape("3x3 filter, dilation 2", _big, (3, 2, 5, 5))
check_close("conv with the dilated filter == dilated conv", F.conv2d(torch.from_numpy(_x), torch.as_tensor(_big)),
            F.conv2d(torch.from_numpy(_x), torch.from_numpy(_w), dilation=2), rtol=1e-10, atol=1e-12,
            inputs={"weight": _w, "d": 2})
### BEGIN HIDDEN TESTS
with quietly("dilate_kernel on 15 random filters and dilations"):
    for _ in range(15):
        _f, _d = int(_rng.integers(1, 5)), int(_rng.integers(1, 4))
        _w = _rng.normal(size=(2, 2, _f, _f))
        _x = _rng.normal(size=(1, 2, _d * (_f - 1) + 3, _d * (_f - 1) + 4))
        check_close(f"{_f}x{_f} filter, dilation {_d}", F.conv2d(torch.from_numpy(_x), torch.as_tensor(
            dilate_kernel(_w, _d))), F.conv2d(torch.from_numpy(_x), torch.from_numpy(_w), dilation=_d),
            rtol=1e-10, atol=1e-12, inputs={"weight": _w, "d": _d})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (3 points): counting parameters
#
# For a layer from 64 to 128 channels with 3x3 filters (with biases), give, as arithmetic
# (F*F*C*K + K):
#
# - `standard`: the parameters of an ordinary convolution;
# - `depthwise`: those of a depthwise 3x3 convolution (one 3x3 filter per input channel, 64
#   biases);
# - `pointwise`: those of the 1x1 convolution from 64 to 128 channels that follows it.

# %% solution id=param_counts
### BEGIN SOLUTION
standard = 3 * 3 * 64 * 128 + 128
depthwise = 3 * 3 * 1 * 64 + 64
pointwise = 1 * 1 * 64 * 128 + 128
### END SOLUTION

# %% tests id=standard_params_check points=1
part("standard_params_check")
from cnn_core.shapes import conv_params

check_number("standard 3x3, 64 -> 128", standard, conv_params(64, 128, 3))

# %% tests id=depthwise_params_check points=1
part("depthwise_params_check")
from cnn_core.shapes import conv_params

check_number("depthwise 3x3 on 64 channels", depthwise, conv_params(64, 64, 3, groups=64))

# %% tests id=pointwise_params_check points=1
part("pointwise_params_check")
from cnn_core.shapes import conv_params

check_number("pointwise 1x1, 64 -> 128", pointwise, conv_params(64, 128, 1))

# %% [markdown]
# ## Part 4 (3 points): a depthwise separable block in PyTorch
#
# Write `separable(in_channels, out_channels)` returning an `nn.Sequential` of a depthwise
# 3x3 convolution (padding 1, `groups=in_channels`) followed by a 1x1 convolution, both with
# biases. It must keep the spatial size.

# %% solution id=separable
from torch import nn


def separable(in_channels, out_channels):
    ### BEGIN SOLUTION
    return nn.Sequential(nn.Conv2d(in_channels, in_channels, 3, padding=1, groups=in_channels),
                         nn.Conv2d(in_channels, out_channels, 1))
    ### END SOLUTION

# %% tests id=separable_check points=3
part("separable_check")
import torch
from cnn_core.shapes import conv_params

_block = separable(64, 128)
check_true("separable() returns an nn.Module", isinstance(_block, torch.nn.Module))
with torch.no_grad():
    check_shape("output of a (2, 64, 10, 10) batch", _block(torch.zeros(2, 64, 10, 10)), (2, 128, 10, 10))
check_number("parameters of separable(64, 128)", sum(p.numel() for p in _block.parameters()),
             conv_params(64, 64, 3, groups=64) + conv_params(64, 128, 1))
### BEGIN HIDDEN TESTS
_block = separable(6, 10)
check_number("parameters of separable(6, 10)", sum(p.numel() for p in _block.parameters()),
             conv_params(6, 6, 3, groups=6) + conv_params(6, 10, 1))
with torch.no_grad():
    check_shape("output of a (1, 6, 7, 5) batch", _block(torch.zeros(1, 6, 7, 5)), (1, 10, 7, 5))
### END HIDDEN TESTS
