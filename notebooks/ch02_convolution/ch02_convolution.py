# %% [markdown]
# # Assignment 2: the convolution operation, with stride and padding
#
# You will write a 2-D convolution in NumPy, first for one image and one filter, then for
# a batch of multi-channel images with stride and padding; work out output sizes and a
# filter's parameters, say which filter gives the same result flipped or not, and build
# a PyTorch layer with the output shape you are given.
#
# **Rules for the parts that ask you to implement something.** Write them with NumPy only.
# `cnn_core.reference`, PyTorch and `scipy.signal`/`scipy.ndimage` may not be used in
# those functions: the tests check this (they inspect your function and every helper it
# calls), and the grading sandbox also hides those modules from your code. The tests
# themselves use `cnn_core` and PyTorch to compute the expected answers.
#
# Every test cell prints `PASS ...` lines, or fails with what was expected, what your code
# gave and for which input. Some tests are hidden: they run when your work is graded,
# on random shapes, strides and paddings.
#
# Points: part 1 (3), part 2 (6), part 3 (3), part 4 (2), part 5 (2): 16 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import (check_choice, check_close, check_equal, check_number, check_option, check_shape,
                              check_true, forbid, part, quietly)

NOT_ALLOWED = ["cnn_core.reference", "cnn_core.torch_ops", "torch", "scipy.signal", "scipy.ndimage"]

# %% [markdown]
# ## Part 1 (3 points): one image, one filter
#
# A convolution layer slides a small filter over the image and, at every position, takes
# the dot product of the filter with the window under it (strictly speaking this is a
# *cross-correlation*: the filter is not flipped; PyTorch and the notes do the same).
#
# Write `correlate2d(image, kernel)`: `image` is (H, W), `kernel` is (kH, kW); no padding,
# stride 1; return the (H - kH + 1, W - kW + 1) feature map as floats.

# %% solution id=correlate2d
def correlate2d(image, kernel):
    """Valid cross-correlation of one (H, W) image with one (kH, kW) kernel, stride 1."""
    ### BEGIN SOLUTION
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out
    ### END SOLUTION

# %% tests id=correlate2d_edge points=1
part("correlate2d_edge")
from cnn_core.reference import conv2d as _ref_conv2d

forbid(correlate2d, NOT_ALLOWED)
# the notes' vertical-edge example: bright left half, dark right half, a [1 0 -1] filter
_image = np.array([[10, 10, 10, 0, 0, 0]] * 6, dtype=float)
_kernel = np.array([[1, 0, -1]] * 3, dtype=float)
_expected = _ref_conv2d(_image[None, None], _kernel[None, None])[0, 0]
check_close("vertical edge, 6x6 image, 3x3 filter", correlate2d(_image, _kernel), _expected,
            inputs={"image": _image, "kernel": _kernel})

# %% tests id=correlate2d_random points=2
part("correlate2d_random")
forbid(correlate2d, NOT_ALLOWED)
_rng = np.random.default_rng(20)
_image = _rng.normal(size=(5, 7))
_kernel = _rng.normal(size=(2, 3))
check_close("random 5x7 image, 2x3 filter", correlate2d(_image, _kernel),
            _ref_conv2d(_image[None, None], _kernel[None, None])[0, 0], inputs={"image": _image, "kernel": _kernel})
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(21)
with quietly("correlate2d on 15 random images and filters"):
    for _ in range(15):
        kh, kw = _rng.integers(1, 5, size=2)
        h, w = kh + _rng.integers(0, 6), kw + _rng.integers(0, 6)
        _image, _kernel = _rng.normal(size=(h, w)), _rng.normal(size=(kh, kw))
        check_close(f"correlate2d {h}x{w} with {kh}x{kw}", correlate2d(_image, _kernel),
                    _ref_conv2d(_image[None, None], _kernel[None, None])[0, 0],
                    inputs={"image": _image, "kernel": _kernel})
# a filter as large as the image: a single dot product
check_close("filter as large as the image", correlate2d(_image, _image),
            np.array([[np.sum(_image * _image)]]), inputs={"image": _image})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 (6 points): a batch, channels, stride and padding
#
# Write `conv2d(x, weight, bias, stride, padding)` in the layout of
# `torch.nn.functional.conv2d`:
#
# - `x`: (N, C, H, W); `weight`: (K, C, F, F) (K filters, each spanning all C channels);
#   `bias`: (K,);
# - `padding` zeros on every side, then the filter moves `stride` pixels at a time;
# - output: (N, K, Ho, Wo) with Ho = (H + 2P - F) / S + 1 (and the same for Wo).
#
# You may assume the configuration fits (the division is exact). Loops over output
# positions are fine; the hidden tests use small shapes.

# %% solution id=conv2d
def conv2d(x, weight, bias, stride=1, padding=0):
    """x: (N, C, H, W); weight: (K, C, F, F); bias: (K,). Returns (N, K, Ho, Wo)."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    n, c, h, w = x.shape
    k, _, f, _ = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - f) // stride + 1
    wo = (w + 2 * padding - f) // stride + 1
    out = np.zeros((n, k, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride:i * stride + f, j * stride:j * stride + f]   # (N, C, F, F)
            out[:, :, i, j] = np.tensordot(window, weight, axes=([1, 2, 3], [1, 2, 3]))
    return out + np.asarray(bias, dtype=float).reshape(1, k, 1, 1)
    ### END SOLUTION

# %% tests id=conv2d_basic points=1
part("conv2d_basic")
from cnn_core.reference import conv2d as _ref_conv2d

forbid(conv2d, NOT_ALLOWED)
_rng = np.random.default_rng(1)
_x, _w, _b = _rng.normal(size=(2, 3, 5, 5)), _rng.normal(size=(4, 3, 3, 3)), _rng.normal(size=4)
check_close("conv2d, stride 1, no padding", conv2d(_x, _w, _b), _ref_conv2d(_x, _w, _b),
            inputs={"x": _x, "weight": _w, "stride": 1, "padding": 0})

# %% tests id=conv2d_stride_padding points=2
part("conv2d_stride_padding")
forbid(conv2d, NOT_ALLOWED)
_rng = np.random.default_rng(2)
_x, _w, _b = _rng.normal(size=(2, 3, 7, 7)), _rng.normal(size=(2, 3, 3, 3)), _rng.normal(size=2)
check_close("conv2d, stride 2, padding 1", conv2d(_x, _w, _b, stride=2, padding=1),
            _ref_conv2d(_x, _w, _b, stride=2, padding=1), inputs={"x": _x, "weight": _w, "stride": 2, "padding": 1})
### BEGIN HIDDEN TESTS
# padding larger than half the filter: a border of pure zeros around the image
_x, _w, _b = _rng.normal(size=(1, 2, 4, 4)), _rng.normal(size=(3, 2, 3, 3)), _rng.normal(size=3)
check_close("conv2d, 3x3 filter, padding 3", conv2d(_x, _w, _b, stride=1, padding=3),
            _ref_conv2d(_x, _w, _b, stride=1, padding=3), inputs={"x": _x, "weight": _w, "padding": 3})
# a stride larger than the filter skips pixels
_x, _w, _b = _rng.normal(size=(1, 1, 9, 9)), _rng.normal(size=(2, 1, 2, 2)), _rng.normal(size=2)
check_close("conv2d, 2x2 filter, stride 7 (skips pixels)", conv2d(_x, _w, _b, stride=7, padding=0),
            _ref_conv2d(_x, _w, _b, stride=7), inputs={"x": _x, "weight": _w, "stride": 7})
### END HIDDEN TESTS

# %% tests id=conv2d_random points=3
part("conv2d_random")
import torch

forbid(conv2d, NOT_ALLOWED)
# one random case you can see (a batch of 2, 3 channels, stride 2, padding 1); more are hidden
_rng = np.random.default_rng(30)
_x, _w, _b = _rng.normal(size=(2, 3, 7, 7)), _rng.normal(size=(4, 3, 3, 3)), _rng.normal(size=4)
check_close("conv2d on a random 7x7 batch, stride 2, padding 1", conv2d(_x, _w, _b, 2, 1),
            torch.nn.functional.conv2d(torch.from_numpy(_x), torch.from_numpy(_w), torch.from_numpy(_b),
                                       stride=2, padding=1).numpy(),
            rtol=1e-7, atol=1e-9, inputs={"x": _x, "weight": _w, "stride": 2, "padding": 1})
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(3)
with quietly("conv2d on 25 random configurations, checked against torch.nn.functional.conv2d"):
    for _ in range(25):
        n, c, k = (int(v) for v in _rng.integers(1, 4, size=3))
        f = int(_rng.integers(1, 5))
        s = int(_rng.integers(1, 4))
        p = int(_rng.integers(0, f + 2))
        out = int(_rng.integers(1, 5))
        h = (out - 1) * s + f - 2 * p           # a size where the stride fits exactly
        if h < 1:
            continue
        _x, _w, _b = _rng.normal(size=(n, c, h, h)), _rng.normal(size=(k, c, f, f)), _rng.normal(size=k)
        expected = torch.nn.functional.conv2d(torch.from_numpy(_x), torch.from_numpy(_w), torch.from_numpy(_b),
                                              stride=s, padding=p).numpy()
        check_close(f"conv2d {h}x{h}, {f}x{f} filter, stride {s}, padding {p}", conv2d(_x, _w, _b, s, p),
                    expected, rtol=1e-7, atol=1e-9, inputs={"x": _x, "weight": _w, "stride": s, "padding": p})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (3 points): output sizes
#
# Work these out with the formula (N + 2P - F)/S + 1; write the arithmetic, not a call to
# a library. (a) a 32x32 image, a 5x5 filter, stride 1, no padding; (b) a 28x28 image, a
# 3x3 filter, stride 2, padding 1 — PyTorch drops the last, incomplete step, i.e. it floors;
# (c) how many *weights and biases* does one 5x5 filter on an RGB image have? Store the
# answers in `size_a`, `size_b` and `params_c`.

# %% solution id=output_sizes
### BEGIN SOLUTION
size_a = (32 - 5) // 1 + 1
size_b = (28 + 2 * 1 - 3) // 2 + 1
params_c = 5 * 5 * 3 + 1
### END SOLUTION

# %% tests id=output_size_a_check points=1
part("output_size_a_check")
from cnn_core.shapes import conv_output_size, conv_params

check_number("(a) 32x32, 5x5, stride 1", size_a, conv_output_size(32, 5))

# %% tests id=output_size_b_check points=1
part("output_size_b_check")
from cnn_core.shapes import conv_output_size, conv_params

check_number("(b) 28x28, 3x3, stride 2, padding 1", size_b, conv_output_size(28, 3, 2, 1, strict=False))

# %% tests id=output_params_c_check points=1
part("output_params_c_check")
from cnn_core.shapes import conv_output_size, conv_params

check_number("(c) parameters of one 5x5 filter on RGB", params_c, conv_params(3, 1, 5))

# %% [markdown]
# ## Part 4 (2 points): what does a convolution layer compute?
#
# `torch.nn.functional.conv2d` and the notes slide the filter *without flipping it*.
# A true mathematical convolution flips the filter first. For which of these filters do the
# two give the same result on every image? Store a letter as a string in `flip_answer`,
# e.g. `flip_answer = "a"`.
#
# - (a) `[[1, 0, -1], [1, 0, -1], [1, 0, -1]]` (vertical edges)
# - (b) `[[1, 2, 1], [0, 0, 0], [1, 2, 1]]`
# - (c) `[[0, 1, 0], [0, 0, 0], [0, 0, 0]]`

# %% solution id=flip_choice
### BEGIN SOLUTION
flip_answer = "b"
### END SOLUTION

# %% tests id=flip_choice_check points=2
part("flip_choice_check")
_options = ["a", "b", "c"]
check_option("filters unchanged by flipping", flip_answer, _options)
### BEGIN HIDDEN TESTS
_filters = {"a": [[1, 0, -1]] * 3, "b": [[1, 2, 1], [0, 0, 0], [1, 2, 1]], "c": [[0, 1, 0], [0, 0, 0], [0, 0, 0]]}
_same = [o for o, k in _filters.items() if np.array_equal(np.array(k), np.array(k)[::-1, ::-1])]
check_choice("filters unchanged by flipping", flip_answer, _same[0], _options)
### END HIDDEN TESTS

# %% [markdown]
# ## Part 5 (2 points): the same layer in PyTorch
#
# Build a `torch.nn.Conv2d` layer `layer` that maps a batch of RGB 32x32 images
# (N, 3, 32, 32) to 16 feature maps of 16x16, with 3x3 filters. Choose the stride and
# padding.

# %% solution id=torch_layer
import torch

### BEGIN SOLUTION
layer = torch.nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)
### END SOLUTION

# %% tests id=torch_layer_check points=2
part("torch_layer_check")
from cnn_core.shapes import conv_params

check_true("the layer is a torch.nn.Conv2d", isinstance(layer, torch.nn.Conv2d))
check_equal("kernel size", layer.kernel_size, (3, 3))
with torch.no_grad():
    _out = layer(torch.zeros(2, 3, 32, 32))
check_shape("output of a (2, 3, 32, 32) batch", _out, (2, 16, 16, 16))
check_number("parameters", sum(p.numel() for p in layer.parameters()), conv_params(3, 16, 3))
