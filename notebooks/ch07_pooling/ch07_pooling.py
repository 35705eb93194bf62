# %% [markdown]
# # Assignment 7: pooling
#
# Pooling summarises each window of a feature map by one number. You will write max
# pooling forward and backward (with overlapping windows, where one pixel can win several
# windows), compute an average-pooling output by hand, write average pooling's backward
# pass, and measure how much of a pooled map a one-pixel shift leaves unchanged.
#
# **Rules.** In parts 1, 2 and 4 write NumPy only: `cnn_core.reference`, PyTorch and
# `scipy.ndimage` may not be used in `max_pool2d`, `max_pool2d_backward`,
# `avg_pool2d_backward` and `unchanged_fraction` (the test
# inspects your functions, and the grading sandbox also hides those modules from your
# code). The tests use them to compute the expected answers. Tests print `PASS ...` or say
# what was expected, what you gave and for which input; hidden tests run when your work
# is graded.
#
# Points: part 1 (4), part 2 (5), part 3 (2), part 4 (4): 15 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_close, check_number, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.reference", "cnn_core.torch_ops", "torch", "scipy.ndimage"]


def distinct_values(rng, shape):
    """Random values with no ties, so that every window has a single maximum."""
    return rng.permutation(int(np.prod(shape))).reshape(shape).astype(float) / 10

# %% [markdown]
# ## Part 1 (4 points): max pooling forward
#
# Write `max_pool2d(x, kernel_size, stride)`: `x` is (N, C, H, W); windows of
# `kernel_size` x `kernel_size` move `stride` pixels at a time (no padding; windows may
# overlap when the stride is smaller than the window); output (N, C, Ho, Wo) with
# Ho = (H - k)//s + 1.

# %% solution id=max_pool
def max_pool2d(x, kernel_size, stride):
    """x: (N, C, H, W) -> (N, C, (H-k)//s+1, (W-k)//s+1), the maximum of each window."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    k, s = kernel_size, stride
    ho, wo = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    out = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return out
    ### END SOLUTION

# %% tests id=max_pool_forward points=2
part("max_pool_forward")
from cnn_core.reference import max_pool2d as _ref_max_pool2d

forbid(max_pool2d, NOT_ALLOWED)
_rng = np.random.default_rng(71)
_x = distinct_values(_rng, (2, 3, 6, 6))
check_close("2x2 windows, stride 2", max_pool2d(_x, 2, 2), _ref_max_pool2d(_x, 2, 2), inputs={"x": _x})

# %% tests id=max_pool_overlap points=2
part("max_pool_overlap")
forbid(max_pool2d, NOT_ALLOWED)
_rng = np.random.default_rng(72)
_x = distinct_values(_rng, (1, 2, 7, 7))
check_close("3x3 windows, stride 2 (overlapping)", max_pool2d(_x, 3, 2), _ref_max_pool2d(_x, 3, 2),
            inputs={"x": _x, "kernel_size": 3, "stride": 2})
### BEGIN HIDDEN TESTS
with quietly("max_pool2d on 20 random shapes, windows and strides"):
    for _ in range(20):
        _k, _s = int(_rng.integers(1, 4)), int(_rng.integers(1, 4))
        _h, _w = (int(v) for v in _rng.integers(_k, _k + 6, size=2))
        _x = distinct_values(_rng, (2, 2, _h, _w))
        check_close(f"{_h}x{_w}, window {_k}, stride {_s}", max_pool2d(_x, _k, _s),
                    _ref_max_pool2d(_x, _k, _s, strict=False), inputs={"x": _x, "kernel_size": _k, "stride": _s})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 (5 points): max pooling backward
#
# The gradient of a window's maximum goes entirely to the pixel that won it. When windows
# overlap, one pixel can win several windows: its gradient is the **sum** of theirs.
# Write `max_pool2d_backward(grad_output, x, kernel_size, stride)`, returning dL/dx of
# shape (N, C, H, W) (you may assume each window has a single maximum).

# %% solution id=max_pool_backward
def max_pool2d_backward(grad_output, x, kernel_size, stride):
    """grad_output: (N, C, Ho, Wo); x: (N, C, H, W). Returns dL/dx, (N, C, H, W)."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    k, s = kernel_size, stride
    dx = np.zeros_like(x)
    n, c, ho, wo = grad_output.shape
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * s:i * s + k, j * s:j * s + k].reshape(n, c, -1)
            arg = window.argmax(axis=2)
            r, q = np.unravel_index(arg, (k, k))
            nn_, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
            np.add.at(dx, (nn_, cc, i * s + r, j * s + q), grad_output[:, :, i, j])
    return dx
    ### END SOLUTION

# %% tests id=max_pool_backward_plain points=2
part("max_pool_backward_plain")
import torch
import torch.nn.functional as F

forbid(max_pool2d_backward, NOT_ALLOWED)
_rng = np.random.default_rng(73)
_x = distinct_values(_rng, (2, 2, 4, 4))
_g = _rng.normal(size=(2, 2, 2, 2))
_xt = torch.from_numpy(_x).requires_grad_()
F.max_pool2d(_xt, 2, 2).backward(torch.from_numpy(_g))
check_close("2x2 windows, stride 2", max_pool2d_backward(_g, _x, 2, 2), _xt.grad.numpy(),
            inputs={"x": _x, "grad_output": _g})

# %% tests id=max_pool_backward_overlap points=3
part("max_pool_backward_overlap")
import torch
import torch.nn.functional as F

forbid(max_pool2d_backward, NOT_ALLOWED)
# one big pixel in the middle wins all four overlapping 3x3 windows: it gets the sum
_x = np.zeros((1, 1, 5, 5))
_x[0, 0, 2, 2] = 9.0
_x[0, 0] += np.arange(25).reshape(5, 5) / 100      # no ties elsewhere
_g = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
_xt = torch.from_numpy(_x).requires_grad_()
F.max_pool2d(_xt, 3, 2).backward(torch.from_numpy(_g))
check_close("3x3 windows, stride 2: one pixel wins four windows", max_pool2d_backward(_g, _x, 3, 2),
            _xt.grad.numpy(), inputs={"x": _x, "grad_output": _g})
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(74)
with quietly("max_pool2d_backward on 20 random overlapping configurations"):
    for _ in range(20):
        _k = int(_rng.integers(2, 4))
        _s = int(_rng.integers(1, _k + 1))
        _h, _w = (int(v) for v in _rng.integers(_k, _k + 5, size=2))
        _x = distinct_values(_rng, (2, 2, _h, _w))
        _xt = torch.from_numpy(_x).requires_grad_()
        _y = F.max_pool2d(_xt, _k, _s)
        _g = _rng.normal(size=tuple(_y.shape))
        _y.backward(torch.from_numpy(_g))
        check_close(f"{_h}x{_w}, window {_k}, stride {_s}", max_pool2d_backward(_g, _x, _k, _s), _xt.grad.numpy(),
                    inputs={"x": _x, "grad_output": _g, "kernel_size": _k, "stride": _s})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (2 points): average pooling by hand
#
# The notes pool this 4x4 feature map with 2x2 windows and stride 2:
#
# ```
# 2 4 3 5
# 4 6 1 4
# 7 8 5 4
# 3 4 1 2
# ```
#
# and print the average-pooled map as `[[4, 4.2], [5.5, 3]]`. Compute it yourself: write
# `avg_pooled` as a 2x2 list of the four window means, each written as arithmetic
# (e.g. `(2 + 4 + 4 + 6) / 4`). Is the notes' 4.2 right?

# %% solution id=avg_window
### BEGIN SOLUTION
avg_pooled = [[(2 + 4 + 4 + 6) / 4, (3 + 5 + 1 + 4) / 4],
              [(7 + 8 + 3 + 4) / 4, (5 + 4 + 1 + 2) / 4]]
### END SOLUTION

# %% tests id=avg_window_check points=2
part("avg_window_check")
from cnn_core.reference import avg_pool2d as _ref_avg_pool2d

_notes_map = np.array([[2, 4, 3, 5], [4, 6, 1, 4], [7, 8, 5, 4], [3, 4, 1, 2]], dtype=float)
check_close("average pooling of the notes' 4x4 map", avg_pooled, _ref_avg_pool2d(_notes_map[None, None], 2)[0, 0],
            rtol=1e-12, inputs={"feature map": _notes_map, "window": 2, "stride": 2})

# %% [markdown]
# ## Part 4 (4 points): average pooling backward, and what max pooling buys
#
# Average pooling spreads each output's gradient evenly over the window it averaged. Write
# `avg_pool2d_backward(grad_output, input_shape, kernel_size, stride)`: dL/dx of shape
# `input_shape` (N, C, H, W); where windows overlap, a pixel collects from every window it
# is in.
#
# Max pooling buys some tolerance to shifts. Write `unchanged_fraction(feature_map)`: for a
# feature map (H, W) with H and W even, the fraction of the outputs of a 2x2 max pooling with
# stride 2 that stay exactly the same when the map is shifted right by one pixel (the new
# first column is zeros, the last column falls off). A convolution's output would move
# with the shift; how much of the pooled map does not move?

# %% solution id=avg_pool_backward
def avg_pool2d_backward(grad_output, input_shape, kernel_size, stride):
    """grad_output (N, C, Ho, Wo) -> dL/dx of shape input_shape."""
    ### BEGIN SOLUTION
    g = np.asarray(grad_output, dtype=float)
    k, s = kernel_size, stride
    dx = np.zeros(input_shape)
    for i in range(g.shape[2]):
        for j in range(g.shape[3]):
            dx[:, :, i * s:i * s + k, j * s:j * s + k] += g[:, :, i:i + 1, j:j + 1] / (k * k)
    return dx
    ### END SOLUTION


def unchanged_fraction(feature_map):
    """feature_map (H, W), H and W even -> the share of 2x2/stride-2 max-pool outputs a one-pixel shift keeps."""
    ### BEGIN SOLUTION
    m = np.asarray(feature_map, dtype=float)
    shifted = np.zeros_like(m)
    shifted[:, 1:] = m[:, :-1]

    def pool(a):
        return a.reshape(a.shape[0] // 2, 2, a.shape[1] // 2, 2).max(axis=(1, 3))

    return float(np.mean(pool(m) == pool(shifted)))
    ### END SOLUTION

# %% tests id=avg_pool_backward_check points=2
part("avg_pool_backward_check")
import torch
import torch.nn.functional as F

forbid(avg_pool2d_backward, NOT_ALLOWED)
for _k, _s, _size in [(2, 2, 6), (3, 2, 7)]:            # disjoint windows, then overlapping ones
    _rng = np.random.default_rng(75 + _k)
    _x = _rng.normal(size=(2, 2, _size, _size))
    _xt = torch.from_numpy(_x).requires_grad_()
    _y = F.avg_pool2d(_xt, _k, _s)
    _g = _rng.normal(size=tuple(_y.shape))
    _y.backward(torch.from_numpy(_g))
    check_close(f"{_k}x{_k} windows, stride {_s}", avg_pool2d_backward(_g, _x.shape, _k, _s), _xt.grad.numpy(),
                rtol=1e-10, atol=1e-12, inputs={"grad_output": _g, "input_shape": _x.shape})

# %% tests id=unchanged_fraction_check points=2
part("unchanged_fraction_check")
import torch
import torch.nn.functional as F

forbid(unchanged_fraction, NOT_ALLOWED)
_rng = np.random.default_rng(76)
for _name, _map in [("a random map", _rng.normal(size=(8, 8))),
                    ("an edge detector's map", np.kron(_rng.integers(0, 2, size=(4, 4)), np.ones((2, 2))))]:
    _pooled = F.max_pool2d(torch.from_numpy(_map)[None, None], 2).numpy()
    _moved = F.max_pool2d(F.pad(torch.from_numpy(_map)[None, None], (1, -1)), 2).numpy()
    check_number(f"share of pooled values a one-pixel shift keeps, {_name}", unchanged_fraction(_map),
                 float(np.mean(_pooled == _moved)), rtol=1e-12, inputs={"feature_map": _map})
