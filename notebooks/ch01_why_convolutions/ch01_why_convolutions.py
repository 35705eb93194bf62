# %% [markdown]
# # Assignment 1: why convolutions?
#
# A dense layer connects every pixel to every unit: on real images the number of weights
# explodes, and the layer ignores which pixels are neighbours. You will count that
# explosion, write a dense layer on images in NumPy, shift images, and see that a
# convolution's response moves with the image while its weights stay few.
#
# **Rules.** In parts 2 and 3 write NumPy only: `cnn_core.reference`, PyTorch and
# `scipy.ndimage` may not be used in `dense_on_images` and `shift_right` (the test inspects
# your functions, and the grading sandbox also hides those modules from your code). The
# tests use them to compute the expected answers. Tests print `PASS ...` or say what was
# expected, what you gave and for which input; hidden tests run when your work is graded.
#
# Points: part 1 (3), part 2 (3), part 3 (3), part 4 (2): 11 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_choice, check_close, check_number, check_option, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.reference", "cnn_core.torch_ops", "torch", "scipy.ndimage"]

# %% [markdown]
# ## Part 1 (3 points): the parameter explosion
#
# A 1-megapixel RGB photo is 1000 x 1000 x 3 numbers. Give, as arithmetic:
#
# - `dense_params`: the weights and biases of one dense layer from that image to 1000 units;
# - `conv_params_10`: those of a convolution layer with 10 filters of 5x5 on the same image
#   (each filter spans the 3 channels, one bias per filter);
# - `ratio`: `dense_params / conv_params_10`.

# %% solution id=explosion
### BEGIN SOLUTION
dense_params = 1000 * 1000 * 3 * 1000 + 1000
conv_params_10 = 10 * (5 * 5 * 3) + 10
ratio = dense_params / conv_params_10
### END SOLUTION

# %% tests id=explosion_dense_check points=1
part("explosion_dense_check")
from cnn_core.shapes import conv_params, linear_params

check_number("dense layer, 1000x1000x3 -> 1000 units", dense_params, linear_params(1000 * 1000 * 3, 1000))

# %% tests id=explosion_filters_check points=1
part("explosion_filters_check")
from cnn_core.shapes import conv_params, linear_params

check_number("10 filters of 5x5 on RGB", conv_params_10, conv_params(3, 10, 5))

# %% tests id=explosion_ratio_check points=1
part("explosion_ratio_check")
from cnn_core.shapes import conv_params, linear_params

check_number("ratio", ratio, linear_params(1000 * 1000 * 3, 1000) / conv_params(3, 10, 5), rtol=1e-9)

# %% [markdown]
# ## Part 2 (3 points): a dense layer on images
#
# Write `dense_on_images(x, weight, bias)`: flatten each image of `x` (N, C, H, W) into a
# vector of C*H*W numbers (in C, H, W order, as `torch.flatten` does), then apply
# y = x W^T + b with `weight` (M, C*H*W) and `bias` (M,). Return (N, M).

# %% solution id=dense_on_images
def dense_on_images(x, weight, bias):
    """x: (N, C, H, W); weight: (M, C*H*W); bias: (M,). Returns (N, M)."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return x.reshape(x.shape[0], -1) @ np.asarray(weight).T + bias
    ### END SOLUTION

# %% tests id=dense_on_images_check points=3
part("dense_on_images_check")
from cnn_core.reference import flatten as _ref_flatten, linear as _ref_linear

forbid(dense_on_images, NOT_ALLOWED)
_rng = np.random.default_rng(11)
_x, _w, _b = _rng.normal(size=(2, 3, 4, 4)), _rng.normal(size=(5, 48)), _rng.normal(size=5)
check_close("dense layer on a (2, 3, 4, 4) batch", dense_on_images(_x, _w, _b),
            _ref_linear(_ref_flatten(_x), _w, _b), rtol=1e-10, inputs={"x": _x, "weight": _w})
### BEGIN HIDDEN TESTS
with quietly("dense_on_images on 10 random shapes"):
    for _ in range(10):
        _n, _c, _h, _wd, _m = (int(v) for v in _rng.integers(1, 5, size=5))
        _x, _w, _b = _rng.normal(size=(_n, _c, _h, _wd)), _rng.normal(size=(_m, _c * _h * _wd)), _rng.normal(size=_m)
        check_close(f"x {(_n, _c, _h, _wd)}, {_m} units", dense_on_images(_x, _w, _b),
                    _ref_linear(_ref_flatten(_x), _w, _b), rtol=1e-10, atol=1e-12, inputs={"x": _x, "weight": _w})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (3 points): shifting an image
#
# Write `shift_right(x, k)`: move every image of `x` (N, C, H, W) `k` pixels to the right
# (0 <= k <= W); the `k` columns that enter on the left are zeros, the `k` rightmost columns
# fall off.

# %% solution id=shift_right
def shift_right(x, k):
    """x: (N, C, H, W) -> (N, C, H, W), content moved k pixels right, zeros on the left."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    out[..., k:] = x[..., :x.shape[-1] - k]
    return out
    ### END SOLUTION

# %% tests id=shift_right_check points=3
part("shift_right_check")
import torch
import torch.nn.functional as F

forbid(shift_right, NOT_ALLOWED)


def _torch_shift(x, k):
    """Pad k zero columns on the left, then keep the first W columns."""
    return F.pad(torch.from_numpy(x), (k, 0))[..., :x.shape[-1]].numpy()


_rng = np.random.default_rng(12)
_x = _rng.normal(size=(2, 1, 4, 6))
check_close("shift by 2", shift_right(_x, 2), _torch_shift(_x, 2), rtol=0, atol=0, inputs={"x": _x, "k": 2})
### BEGIN HIDDEN TESTS
_x = _rng.normal(size=(1, 2, 3, 5))
for _k in (0, 5):   # edge cases: no shift, and everything falls off
    check_close(f"shift by {_k} of a width-5 image", shift_right(_x, _k), _torch_shift(_x, _k), rtol=0, atol=0,
                inputs={"x": _x, "k": _k})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 (2 points): what does the convolution do with a shift?
#
# Take an image, shift it 2 pixels right, and convolve both versions with the same 3x3
# filter (no padding). Which is true? Store a letter as a string in `shift_choice`.
#
# - (a) the feature map of the shifted image is the original feature map shifted 2 pixels
#   right (away from the borders): the same detector fires, just elsewhere;
# - (b) the two feature maps are unrelated;
# - (c) the feature map does not change at all.

# %% solution id=shift_choice
### BEGIN SOLUTION
shift_choice = "a"
### END SOLUTION

# %% tests id=shift_choice_check points=2
part("shift_choice_check")
check_option("a convolution and a shifted image", shift_choice, ["a", "b", "c"])
### BEGIN HIDDEN TESTS
# the measurement behind (a): compare the interiors with the reference convolution
from cnn_core.reference import conv2d as _ref_conv2d

_x = np.random.default_rng(13).normal(size=(1, 1, 8, 8))
_w = np.random.default_rng(14).normal(size=(1, 1, 3, 3))
_shifted = np.zeros_like(_x)
_shifted[..., 2:] = _x[..., :-2]
_a, _b = _ref_conv2d(_x, _w), _ref_conv2d(_shifted, _w)
_answer = "a" if np.allclose(_b[..., 2:], _a[..., :-2]) else ("c" if np.allclose(_a, _b) else "b")
check_choice("a convolution and a shifted image", shift_choice, _answer, ["a", "b", "c"])
### END HIDDEN TESTS
