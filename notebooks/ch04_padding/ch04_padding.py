# %% [markdown]
# # Assignment 4: padding
#
# Without padding every 3x3 layer eats one pixel on each side: a deep stack loses the
# image's border, and the border pixels are seen by fewer windows than the centre ones.
# You will write the four padding modes of PyTorch in NumPy, compute the "same" padding
# and measure how many pixels an unpadded network loses.
#
# **Rules.** In part 1 write the padding yourself with NumPy indexing: `np.pad`,
# `cnn_core.reference`, PyTorch and `scipy.ndimage` may not be used in `pad_image` (the test
# inspects your function, and the grading sandbox also hides those modules from your
# code). The tests use them to compute the expected answers. Tests print `PASS ...` or say
# what was expected, what you gave and for which input; hidden tests run when your work is
# graded.
#
# Points: part 1 (6), part 2 (2), part 3 (3), part 4 (2): 13 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_close, check_number, check_option, check_choice, forbid, part, quietly

NOT_ALLOWED = ["numpy.pad", "cnn_core.reference", "cnn_core.torch_ops", "torch", "scipy.ndimage"]

# %% [markdown]
# ## Part 1 (6 points): zero, replicate, reflect and circular padding
#
# Write `pad_image(x, p, mode)` for a batch `x` of shape (N, C, H, W): add `p` pixels on
# every side of every image, so the result is (N, C, H + 2p, W + 2p). The modes are
# PyTorch's:
#
# - `"zeros"`: zeros;
# - `"replicate"`: repeat the edge pixel (`a b c` -> `a a | a b c | c c` for p = 2);
# - `"reflect"`: mirror *without* repeating the edge (`a b c d` -> `c b | a b c d | c b`;
#   needs p < H and p < W);
# - `"circular"`: wrap around (`a b c` -> `b c | a b c | a b`).

# %% solution id=pad_image
def pad_image(x, p, mode="zeros"):
    """x: (N, C, H, W); returns (N, C, H + 2p, W + 2p) padded with the given mode."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    h, w = x.shape[2], x.shape[3]
    if mode == "zeros":
        out = np.zeros(x.shape[:2] + (h + 2 * p, w + 2 * p))
        out[:, :, p:p + h, p:p + w] = x
        return out
    # an index map per axis: which input row (column) each output row (column) copies
    def index(n):
        i = np.arange(-p, n + p)
        if mode == "replicate":
            return np.clip(i, 0, n - 1)
        if mode == "circular":
            return i % n
        if mode == "reflect":
            period = 2 * (n - 1)
            i = np.abs(i) % period if n > 1 else np.zeros_like(i)
            return np.where(i >= n, period - i, i)
        raise ValueError(f"unknown padding mode {mode!r}")
    return x[:, :, index(h)[:, None], index(w)[None, :]]
    ### END SOLUTION

# %% tests id=pad_zeros points=1
part("pad_zeros")
import torch
import torch.nn.functional as F

forbid(pad_image, NOT_ALLOWED)
_rng = np.random.default_rng(41)
_x = _rng.normal(size=(2, 3, 4, 5))
check_close("zeros, p = 2", pad_image(_x, 2, "zeros"), F.pad(torch.from_numpy(_x), (2, 2, 2, 2)).numpy(),
            inputs={"x": _x, "p": 2})

# %% tests id=pad_other_modes points=3
part("pad_other_modes")
forbid(pad_image, NOT_ALLOWED)
_rng = np.random.default_rng(42)
_x = _rng.normal(size=(1, 2, 4, 4))
for _mode in ["replicate", "reflect", "circular"]:
    check_close(f"{_mode}, p = 1", pad_image(_x, 1, _mode),
                F.pad(torch.from_numpy(_x), (1, 1, 1, 1), mode=_mode).numpy(), inputs={"x": _x, "p": 1})
### BEGIN HIDDEN TESTS
# padding wider than the filter's half, non-square images, p up to H - 1 (reflect's limit) or more
with quietly("three modes on 30 random images and paddings"):
    for _ in range(30):
        _h, _w = (int(v) for v in _rng.integers(2, 7, size=2))
        _x = _rng.normal(size=(int(_rng.integers(1, 3)), int(_rng.integers(1, 3)), _h, _w))
        for _mode in ["replicate", "reflect", "circular"]:
            _p = int(_rng.integers(0, min(_h, _w)))
            check_close(f"{_mode}, {_h}x{_w}, p = {_p}", pad_image(_x, _p, _mode),
                        F.pad(torch.from_numpy(_x), (_p,) * 4, mode=_mode).numpy(), inputs={"x": _x, "p": _p})
### END HIDDEN TESTS

# %% tests id=pad_matches_reference points=2
part("pad_matches_reference")
forbid(pad_image, NOT_ALLOWED)
### BEGIN HIDDEN TESTS
from cnn_core.reference import pad as _ref_pad

_rng = np.random.default_rng(43)
_modes = {"zeros": "constant", "replicate": "replicate", "reflect": "reflect", "circular": "circular"}
with quietly("pad_image against cnn_core.reference.pad, 20 cases with p = 0 to 6"):
    for _ in range(20):
        _x = _rng.normal(size=(1, 1, 7, 8))
        _p = int(_rng.integers(0, 7))
        for _mode, _ref_mode in _modes.items():
            check_close(f"{_mode}, p = {_p}", pad_image(_x, _p, _mode), _ref_pad(_x, (_p,) * 4, mode=_ref_mode),
                        inputs={"x": _x, "p": _p})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 (2 points): same padding
#
# For stride 1, which padding P keeps the size for a 3x3, a 5x5 and a 7x7 filter? Write the
# formula P = (F - 1)/2 as arithmetic, in `same_3`, `same_5` and `same_7`.

# %% solution id=same_padding
### BEGIN SOLUTION
same_3, same_5, same_7 = (3 - 1) // 2, (5 - 1) // 2, (7 - 1) // 2
### END SOLUTION

# %% tests id=same_padding_check points=2
part("same_padding_check")
from cnn_core.shapes import conv_output_size, same_padding

for _f, _answer in [(3, same_3), (5, same_5), (7, same_7)]:
    check_number(f"same padding of a {_f}x{_f} filter", _answer, same_padding(_f))
    check_number(f"a {_f}x{_f} filter with your padding keeps a 28x28 image 28x28",
                 conv_output_size(28, _f, 1, int(_answer)), 28)

# %% [markdown]
# ## Part 3 (3 points): lost pixels
#
# Write `lost_fraction(h, w, layers)`: the fraction (between 0 and 1) of an h x w image's
# pixels that are lost after `layers` unpadded 3x3 convolutions with stride 1, i.e.
# 1 - (output area)/(input area). Then store in `uhd_lost` the percentage (0-100) lost by
# a UHD image (3840 x 2160) after 50 such layers.

# %% solution id=lost_pixels
def lost_fraction(h, w, layers):
    """Fraction of an h x w image's pixels lost after `layers` unpadded 3x3 layers."""
    ### BEGIN SOLUTION
    return 1 - (h - 2 * layers) * (w - 2 * layers) / (h * w)
    ### END SOLUTION


### BEGIN SOLUTION
uhd_lost = 100 * lost_fraction(2160, 3840, 50)
### END SOLUTION

# %% tests id=lost_pixels_check points=3
part("lost_pixels_check")
from cnn_core.shapes import conv_output_size


def _lost(h, w, layers):
    h2, w2 = h, w
    for _ in range(layers):
        h2, w2 = conv_output_size(h2, 3), conv_output_size(w2, 3)
    return 1 - h2 * w2 / (h * w)


check_number("MNIST 28x28 after 4 layers", lost_fraction(28, 28, 4), _lost(28, 28, 4), rtol=1e-9,
             inputs={"h": 28, "w": 28, "layers": 4})
check_number("UHD after 50 layers, in percent", uhd_lost, 100 * _lost(2160, 3840, 50), atol=0.01)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(44)
with quietly("lost_fraction on 20 random images"):
    for _ in range(20):
        _layers = int(_rng.integers(1, 8))
        _h, _w = (int(v) for v in _rng.integers(2 * _layers + 1, 100, size=2))
        check_number(f"{_h}x{_w}, {_layers} layers", lost_fraction(_h, _w, _layers), _lost(_h, _w, _layers),
                     rtol=1e-9, inputs={"h": _h, "w": _w, "layers": _layers})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 (2 points): border pixels
#
# In an unpadded 3x3 convolution with stride 1, in how many windows does a *corner* pixel of
# the image appear, compared with a pixel in the middle? Store a letter as a string in
# `corner_windows`.
#
# - (a) 1 window for the corner, 9 for a middle pixel;
# - (b) 3 windows for the corner, 9 for a middle pixel;
# - (c) the same number: convolution treats every pixel alike.

# %% solution id=corner_windows
### BEGIN SOLUTION
corner_windows = "a"
### END SOLUTION

# %% tests id=corner_windows_check points=2
part("corner_windows_check")
check_option("windows of a corner pixel", corner_windows, ["a", "b", "c"])
### BEGIN HIDDEN TESTS
# count the windows: the gradient of the sum of a valid 3x3 convolution with a kernel of
# ones, with respect to the input, is the number of windows each pixel belongs to
import torch

_x = torch.zeros(1, 1, 6, 6, requires_grad=True)
torch.nn.functional.conv2d(_x, torch.ones(1, 1, 3, 3)).sum().backward()
_counts = _x.grad[0, 0]
_by_answer = {"a": (1, 9), "b": (3, 9), "c": None}
_right = [k for k, v in _by_answer.items() if v == (int(_counts[0, 0]), int(_counts[3, 3]))][0]
check_choice("windows of a corner pixel", corner_windows, _right, ["a", "b", "c"])
### END HIDDEN TESTS
