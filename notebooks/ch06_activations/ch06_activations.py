# %% [markdown]
# # Assignment 6: activation functions
#
# Without a non-linearity between them, layers collapse into one linear map. You will write
# the sigmoid and softmax in a numerically stable way, their gradients and ReLU's, measure
# how the sigmoid's gradient vanishes through a deep stack, and compute the one filter that
# two stacked convolutions without an activation amount to.
#
# **Rules.** In parts 1, 2 and 4 write NumPy only: `cnn_core.reference`, PyTorch and
# `scipy.special` may not be used in `sigmoid`, `sigmoid_backward`, `softmax`,
# `relu_backward` and `composed_filter` (the test
# inspects your functions, and the grading sandbox also hides those modules from your
# code). The tests use PyTorch's autograd to compute the expected answers. Tests print
# `PASS ...` or say what was expected, what you gave and for which input; hidden tests run
# when your work is graded.
#
# Points: part 1 (4), part 2 (4), part 3 (2), part 4 (4): 14 in all.

# %% locked id=setup
import warnings

import numpy as np
from cnn_core.grading import check_close, check_number, check_shape, check_true, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.reference", "cnn_core.torch_ops", "torch", "scipy.special"]

# %% [markdown]
# ## Part 1 (4 points): a sigmoid that does not overflow
#
# sigmoid(x) = 1 / (1 + exp(-x)). Computed naively, `exp(-x)` overflows for x = -1000 (NumPy
# warns and the result may be 0 with a warning, or NaN in the gradient). Write `sigmoid(x)`
# for an array of any shape without overflow (hint: for x < 0 use exp(x) / (1 + exp(x))),
# and `sigmoid_backward(grad_output, output)`: the gradient with respect to x, given the
# upstream gradient and the sigmoid's output y (dy/dx = y(1 - y)).

# %% solution id=sigmoid
def sigmoid(x):
    """Elementwise logistic function, stable for large |x|. x: any shape."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))                       # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    ### END SOLUTION


def sigmoid_backward(grad_output, output):
    """dL/dx from dL/dy (grad_output) and y = sigmoid(x) (output); both the same shape."""
    ### BEGIN SOLUTION
    return grad_output * output * (1 - output)
    ### END SOLUTION

# %% tests id=sigmoid_forward points=2
part("sigmoid_forward")
import torch

forbid(sigmoid, NOT_ALLOWED)
_x = np.array([-1000.0, -30.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
with warnings.catch_warnings():
    warnings.simplefilter("error")              # an overflow warning fails the test
    _y = sigmoid(_x)
check_close("sigmoid at extreme and ordinary values", _y, torch.sigmoid(torch.from_numpy(_x)).numpy(),
            rtol=1e-12, atol=1e-300, inputs={"x": _x})
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(61)
_x = _rng.normal(scale=20, size=(3, 4, 5))
with warnings.catch_warnings():
    warnings.simplefilter("error")
    check_close("sigmoid on a (3, 4, 5) array", sigmoid(_x), torch.sigmoid(torch.from_numpy(_x)).numpy(),
                rtol=1e-12, atol=1e-300, inputs={"x": _x})
### END HIDDEN TESTS

# %% tests id=sigmoid_gradient points=2
part("sigmoid_gradient")
forbid(sigmoid_backward, NOT_ALLOWED)
_rng = np.random.default_rng(62)
_x = _rng.normal(scale=3, size=(4, 5))
_g = _rng.normal(size=(4, 5))
_xt = torch.from_numpy(_x).requires_grad_()
torch.sigmoid(_xt).backward(torch.from_numpy(_g))
check_close("sigmoid_backward against autograd", sigmoid_backward(_g, sigmoid(_x)), _xt.grad.numpy(),
            rtol=1e-10, atol=1e-14, inputs={"x": _x, "grad_output": _g})

# %% [markdown]
# ## Part 2 (4 points): a stable softmax
#
# softmax(z)_i = exp(z_i) / sum_j exp(z_j) along axis `dim`. Logits of 1000 overflow `exp`;
# subtracting the maximum along `dim` first changes nothing mathematically and avoids it.
# Write `softmax(z, dim)`.

# %% solution id=softmax
def softmax(z, dim):
    """Softmax of z along axis dim; same shape as z."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)
    ### END SOLUTION

# %% tests id=softmax_check points=2
part("softmax_check")
import torch

forbid(softmax, NOT_ALLOWED)
_z = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
check_close("softmax of 2 rows, dim=1", softmax(_z, 1), torch.softmax(torch.from_numpy(_z), 1).numpy(),
            rtol=1e-12, inputs={"z": _z})

# %% tests id=softmax_stable points=2
part("softmax_stable")
forbid(softmax, NOT_ALLOWED)
_z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
with warnings.catch_warnings():
    warnings.simplefilter("error")
    check_close("softmax of logits near 1000", softmax(_z, 1), torch.softmax(torch.from_numpy(_z), 1).numpy(),
                rtol=1e-12, atol=1e-300, inputs={"z": _z})
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(63)
with quietly("softmax on 10 random arrays and axes"):
    for _ in range(10):
        _z = _rng.normal(scale=300, size=(2, 3, 4))
        _dim = int(_rng.integers(0, 3))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_close(f"softmax along dim {_dim}", softmax(_z, _dim),
                        torch.softmax(torch.from_numpy(_z), _dim).numpy(), rtol=1e-10, atol=1e-300,
                        inputs={"z": _z, "dim": _dim})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (2 points): vanishing gradients
#
# The sigmoid's derivative is at most 0.25 (at x = 0). Through 10 stacked sigmoid units
# (each with weight 1), what is the largest possible factor by which the gradient reaching
# the first unit is multiplied? Write it as arithmetic in `largest_factor`.

# %% solution id=vanishing
### BEGIN SOLUTION
largest_factor = 0.25 ** 10
### END SOLUTION

# %% tests id=vanishing_check points=2
part("vanishing_check")
import torch

_x = torch.zeros(1, requires_grad=True)     # x = 0 everywhere gives the largest derivative at the first layer...
_h = _x
for _ in range(10):
    _h = torch.sigmoid(_h) - 0.5            # ...and keeping every unit's input at 0 keeps it maximal
_h.backward()
check_number("gradient factor through 10 sigmoids", largest_factor, float(_x.grad), rtol=1e-12)

# %% [markdown]
# ## Part 4 (4 points): ReLU backward, and why a non-linearity
#
# ReLU(x) = max(x, 0). Write `relu_backward(grad_output, x)`: the gradient with respect to
# x given the upstream gradient (arrays of the same shape). At x = 0 use the slope 0, as
# PyTorch does.
#
# Without a non-linearity, two convolution layers are one: correlating an image with a 3x3
# filter `k1` and the result with a 3x3 filter `k2` equals correlating it once with a
# 5x5 filter. Write `composed_filter(k1, k2)` returning that filter for any two 2-d filters
# (F1 x F1 and F2 x F2 give (F1 + F2 - 1) x (F1 + F2 - 1)). Hint: each value `k2[a, b]`
# adds a copy of `k1`, scaled by it, shifted by (a, b).

# %% solution id=relu_backward
def relu_backward(grad_output, x):
    """grad_output, x: the same shape. Returns dL/dx."""
    ### BEGIN SOLUTION
    return np.asarray(grad_output, dtype=float) * (np.asarray(x) > 0)
    ### END SOLUTION


def composed_filter(k1, k2):
    """The single filter of correlating with k1, then with k2 (2-d arrays)."""
    ### BEGIN SOLUTION
    k1, k2 = np.asarray(k1, dtype=float), np.asarray(k2, dtype=float)
    out = np.zeros((k1.shape[0] + k2.shape[0] - 1, k1.shape[1] + k2.shape[1] - 1))
    for a in range(k2.shape[0]):
        for b in range(k2.shape[1]):
            out[a:a + k1.shape[0], b:b + k1.shape[1]] += k2[a, b] * k1
    return out
    ### END SOLUTION

# %% tests id=relu_backward_check points=2
part("relu_backward_check")
import torch

forbid(relu_backward, NOT_ALLOWED)
_x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0], [1.0, 0.0, -1.0, 2.0, -3.0]])
_g = np.arange(10, dtype=float).reshape(2, 5) - 4
_xt = torch.from_numpy(_x).requires_grad_()
torch.relu(_xt).backward(torch.from_numpy(_g))
check_close("ReLU backward, zeros included", relu_backward(_g, _x), _xt.grad.numpy(), rtol=0, atol=0,
            inputs={"x": _x, "grad_output": _g})

# %% tests id=composed_filter_check points=2
part("composed_filter_check")
import torch
import torch.nn.functional as F

forbid(composed_filter, NOT_ALLOWED)
_rng = np.random.default_rng(64)
_k1, _k2, _img = _rng.normal(size=(3, 3)), _rng.normal(size=(3, 3)), _rng.normal(size=(1, 1, 9, 9))
_twice = F.conv2d(F.conv2d(torch.from_numpy(_img), torch.from_numpy(_k1)[None, None]),
                  torch.from_numpy(_k2)[None, None]).numpy()
_k = np.asarray(composed_filter(_k1, _k2), dtype=float)
check_close("correlating once with composed_filter(k1, k2) equals correlating twice",
            F.conv2d(torch.from_numpy(_img), torch.from_numpy(_k)[None, None]).numpy(), _twice,
            rtol=1e-10, atol=1e-10, inputs={"k1": _k1, "k2": _k2})
### BEGIN HIDDEN TESTS
check_shape("composed_filter of a 3x3 and a 5x5 filter", composed_filter(_k1, _rng.normal(size=(5, 5))), (7, 7))
### END HIDDEN TESTS
