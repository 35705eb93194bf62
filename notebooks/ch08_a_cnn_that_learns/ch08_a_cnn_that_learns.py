# %% [markdown]
# # Assignment 8: putting it together, a CNN that learns
#
# A CNN ends in dense layers and a loss; backpropagation carries the loss's gradient back
# through every layer; gradient descent updates the weights. You will write the
# cross-entropy loss and its gradient, the backward pass of a dense layer, count the
# parameters of the notes' CIFAR-10 network, write one training step in PyTorch, and write
# the backward pass of a convolution: the gradients with respect to its input, its filters
# and its biases, with stride and padding.
#
# **Rules.** In parts 1, 2 and 5 write NumPy only: `cnn_core.reference`, PyTorch and
# `scipy.special` may not be used in `cross_entropy`, `cross_entropy_backward`,
# `linear_backward` and `conv2d_backward` (the test inspects your functions, and the grading
# sandbox also hides those modules from your code). The tests use PyTorch's autograd to compute the expected
# answers. Tests print `PASS ...` or say what was expected, what you gave and for which
# input; hidden tests run when your work is graded.
#
# Points: part 1 (4), part 2 (4), part 3 (3), part 4 (3), part 5 (6): 20 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_close, check_number, check_true, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.reference", "cnn_core.torch_ops", "torch", "scipy.special"]

# %% [markdown]
# ## Part 1 (4 points): cross-entropy and its gradient
#
# `logits` is (N, K) (one row of K class scores per example), `targets` is (N,) integer
# class labels. Write
#
# - `cross_entropy(logits, targets)`: the mean over the batch of -log softmax(logits)[target]
#   (stable for large logits: use the log-sum-exp trick);
# - `cross_entropy_backward(logits, targets)`: its gradient with respect to the logits,
#   (softmax(logits) - one_hot(targets)) / N.

# %% solution id=cross_entropy
def cross_entropy(logits, targets):
    """logits: (N, K); targets: (N,) ints. Mean cross-entropy, a float."""
    ### BEGIN SOLUTION
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(z)), targets].mean())
    ### END SOLUTION


def cross_entropy_backward(logits, targets):
    """dLoss/dlogits, (N, K), for the mean cross-entropy."""
    ### BEGIN SOLUTION
    z = np.asarray(logits, dtype=float)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(z)), targets] -= 1
    return p / len(z)
    ### END SOLUTION

# %% tests id=cross_entropy_check points=2
part("cross_entropy_check")
import torch
import torch.nn.functional as F

forbid(cross_entropy, NOT_ALLOWED)
_rng = np.random.default_rng(81)
_z, _t = _rng.normal(size=(5, 4)), _rng.integers(0, 4, size=5)
check_number("cross-entropy of 5 examples, 4 classes", cross_entropy(_z, _t),
             F.cross_entropy(torch.from_numpy(_z), torch.from_numpy(_t)).item(), rtol=1e-10,
             inputs={"logits": _z, "targets": _t})
### BEGIN HIDDEN TESTS
_z = _rng.normal(scale=500, size=(6, 3))         # large logits: a naive softmax overflows
_t = _rng.integers(0, 3, size=6)
check_number("cross-entropy with logits of size ~1000", cross_entropy(_z, _t),
             F.cross_entropy(torch.from_numpy(_z), torch.from_numpy(_t)).item(), rtol=1e-10,
             inputs={"logits": _z, "targets": _t})
### END HIDDEN TESTS

# %% tests id=cross_entropy_gradient points=2
part("cross_entropy_gradient")
import torch
import torch.nn.functional as F

forbid(cross_entropy_backward, NOT_ALLOWED)
_rng = np.random.default_rng(82)
with quietly("gradient of the cross-entropy against autograd, 5 batches"):
    for _ in range(5):
        _n, _k = (int(v) for v in _rng.integers(1, 6, size=2))
        _z, _t = _rng.normal(size=(_n, _k)), _rng.integers(0, _k, size=_n)
        _zt = torch.from_numpy(_z).requires_grad_()
        F.cross_entropy(_zt, torch.from_numpy(_t)).backward()
        check_close(f"dL/dlogits, N={_n}, K={_k}", cross_entropy_backward(_z, _t), _zt.grad.numpy(), rtol=1e-10,
                    atol=1e-14, inputs={"logits": _z, "targets": _t})

# %% [markdown]
# ## Part 2 (4 points): the backward pass of a dense layer
#
# A dense layer computes y = x W^T + b with x (N, D), W (M, D), b (M,). Given
# `grad_output` = dL/dy (N, M), write `linear_backward(grad_output, x, weight)` returning
# the tuple `(dx, dW, db)` of shapes (N, D), (M, D), (M,).

# %% solution id=linear_backward
def linear_backward(grad_output, x, weight):
    """Returns (dL/dx, dL/dW, dL/db) for y = x @ W.T + b."""
    ### BEGIN SOLUTION
    g = np.asarray(grad_output, dtype=float)
    return g @ weight, g.T @ x, g.sum(axis=0)
    ### END SOLUTION

# %% tests id=linear_backward_check points=4
part("linear_backward_check")
import torch

forbid(linear_backward, NOT_ALLOWED)
_rng = np.random.default_rng(83)


def _autograd(g, x, w, b):
    xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    (xt @ wt.T + bt).backward(torch.from_numpy(g))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


_x, _w, _b, _g = (_rng.normal(size=s) for s in [(3, 4), (2, 4), (2,), (3, 2)])
for _name, _got, _exp in zip(["dx", "dW", "db"], linear_backward(_g, _x, _w), _autograd(_g, _x, _w, _b)):
    check_close(f"{_name}, N=3, D=4, M=2", _got, _exp, rtol=1e-10, inputs={"x": _x, "weight": _w})
### BEGIN HIDDEN TESTS
with quietly("linear_backward on 10 random shapes"):
    for _ in range(10):
        _n, _d, _m = (int(v) for v in _rng.integers(1, 7, size=3))
        _x, _w, _b, _g = (_rng.normal(size=s) for s in [(_n, _d), (_m, _d), (_m,), (_n, _m)])
        for _name, _got, _exp in zip(["dx", "dW", "db"], linear_backward(_g, _x, _w), _autograd(_g, _x, _w, _b)):
            check_close(f"{_name}, N={_n}, D={_d}, M={_m}", _got, _exp, rtol=1e-10, atol=1e-12,
                        inputs={"x": _x, "weight": _w})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (3 points): the notes' CIFAR-10 network
#
# The notes' network for 32x32 RGB images: a convolution of 32 filters 3x3 (stride 1,
# "same" padding), a 2x2 max pooling with stride 2, a convolution of 64 filters 3x3 (stride
# 1, "same" padding), a 2x2 max pooling with stride 2, a flatten, a dense layer of 128 units
# and a dense layer of 10 class scores (every convolution and dense layer with biases).
# Give, as arithmetic:
#
# - `conv_parameters`: the learnable parameters of the two convolutions together;
# - `flat_size`: the length of the flattened vector;
# - `dense_parameters`: the parameters of the two dense layers together.

# %% solution id=cifar_counts
### BEGIN SOLUTION
conv_parameters = (3 * 3 * 3 * 32 + 32) + (3 * 3 * 32 * 64 + 64)
flat_size = 64 * (32 // 2 // 2) * (32 // 2 // 2)
dense_parameters = (flat_size * 128 + 128) + (128 * 10 + 10)
### END SOLUTION

# %% tests id=cifar_conv_check points=1
part("cifar_conv_check")
from cnn_core.shapes import ConvSpec, DenseSpec, FlattenSpec, PoolSpec, layer_table

_table = layer_table((3, 32, 32), [ConvSpec(32, 3, padding=1), PoolSpec(2), ConvSpec(64, 3, padding=1), PoolSpec(2),
                                   FlattenSpec(), DenseSpec(128), DenseSpec(10)])
check_number("parameters of the two convolutions", conv_parameters, _table.rows[0][2] + _table.rows[2][2])

# %% tests id=cifar_flat_check points=1
part("cifar_flat_check")
check_number("length of the flattened vector", flat_size, _table.rows[4][1][0])

# %% tests id=cifar_dense_check points=1
part("cifar_dense_check")
check_number("parameters of the two dense layers", dense_parameters, _table.rows[5][2] + _table.rows[6][2])

# %% [markdown]
# ## Part 4 (3 points): one training step in PyTorch
#
# Write `train_step(model, x, y, optimizer)`: one step of gradient descent on the
# cross-entropy of `model(x)` against the labels `y`. Return the loss *before* the update as
# a Python float. Remember that PyTorch accumulates gradients across `backward()` calls.

# %% solution id=train_step
import torch


def train_step(model, x, y, optimizer):
    ### BEGIN SOLUTION
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION

# %% tests id=train_step_check points=3
part("train_step_check")
import copy

import torch
from torch import nn


def _reference_step(model, x, y, lr):
    loss = nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    with torch.no_grad():
        for p, g in zip(model.parameters(), grads):
            p -= lr * g
    return loss.item()


torch.manual_seed(8)
_model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3)).double()
_twin = copy.deepcopy(_model)
_opt = torch.optim.SGD(_model.parameters(), lr=0.1)
for _step in range(3):                     # three steps: forgetting zero_grad shows from the second
    _x = torch.randn(4, 1, 6, 6, dtype=torch.float64)
    _y = torch.randint(0, 3, (4,))
    check_number(f"loss returned at step {_step + 1}", train_step(_model, _x, _y, _opt),
                 _reference_step(_twin, _x, _y, 0.1), rtol=1e-10)
    for (_name, _p), _q in zip(_model.named_parameters(), _twin.parameters()):
        check_close(f"parameter {_name} after step {_step + 1}", _p.detach(), _q.detach(), rtol=1e-10, atol=1e-12)

# %% [markdown]
# ## Part 5 (6 points): backpropagation through a convolution
#
# A convolution with stride $S$ and padding $P$ computes, for each output position,
# $y_{n,k,i,j} = b_k + \sum_{c,u,v} w_{k,c,u,v}\, \tilde x_{n,c,iS+u,jS+v}$, where
# $\tilde x$ is the input padded with $P$ zeros on each side. Given the loss's gradient with
# respect to the output, $g = \partial L/\partial y$ of shape (N, K, Ho, Wo), write
# `conv2d_backward(grad_output, x, weight, stride, padding)` returning `(dx, dw, db)`:
#
# - $\partial L/\partial b_k = \sum_{n,i,j} g_{n,k,i,j}$, shape (K,);
# - $\partial L/\partial w_{k,c,u,v} = \sum_{n,i,j} g_{n,k,i,j}\, \tilde x_{n,c,iS+u,jS+v}$, shape of `weight`;
# - $\partial L/\partial \tilde x_{n,c,p,q} = \sum_{k,i,j:\,iS+u=p,\,jS+v=q} g_{n,k,i,j}\, w_{k,c,u,v}$: each output
#   position sends its gradient back to the window it read, weighted by the filter; then
#   drop the padding to get `dx`, the shape of `x`.
#
# `x` is (N, C, H, W), `weight` is (K, C, F, F); assume the stride fits exactly.

# %% solution id=conv2d_backward
def conv2d_backward(grad_output, x, weight, stride=1, padding=0):
    """grad_output (N, K, Ho, Wo), x (N, C, H, W), weight (K, C, F, F) -> (dx, dw, db)."""
    ### BEGIN SOLUTION
    g = np.asarray(grad_output, dtype=float)
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    n, c, h, w = x.shape
    f = weight.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(weight)
    for i in range(g.shape[2]):
        for j in range(g.shape[3]):
            rows, cols = slice(i * stride, i * stride + f), slice(j * stride, j * stride + f)
            dw += np.tensordot(g[:, :, i, j], xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g[:, :, i, j], weight, axes=([1], [0]))
    dx = dxp[:, :, padding:padding + h, padding:padding + w]
    return dx, dw, g.sum(axis=(0, 2, 3))
    ### END SOLUTION

# %% tests id=conv_backward_bias points=1
part("conv_backward_bias")
import torch
import torch.nn.functional as F


def _torch_grads(x, weight, bias, g, stride, padding):
    """PyTorch's autograd: (dx, dw, db) of a convolution for the output gradient g."""
    xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, weight, bias))
    F.conv2d(xt, wt, bt, stride=stride, padding=padding).backward(torch.from_numpy(g))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def _random_cases(seed, tries=12):
    """Random (x, weight, bias, grad_output, stride, padding) whose output is 1 to 3 pixels."""
    rng = np.random.default_rng(seed)
    for _ in range(tries):
        s, p, f = int(rng.integers(1, 3)), int(rng.integers(0, 3)), int(rng.choice([1, 3, 5]))
        out = int(rng.integers(1, 4))
        h = (out - 1) * s + f - 2 * p
        if h < 1:
            continue
        x, w, b = rng.normal(size=(2, 2, h, h)), rng.normal(size=(3, 2, f, f)), rng.normal(size=3)
        yield x, w, b, rng.normal(size=(2, 3, out, out)), s, p


_rng = np.random.default_rng(81)
_x, _w, _b = _rng.normal(size=(2, 3, 7, 7)), _rng.normal(size=(4, 3, 3, 3)), _rng.normal(size=4)
_g = _rng.normal(size=(2, 4, 4, 4))                    # stride 2, padding 1: (7 + 2 - 3)/2 + 1 = 4
_want = _torch_grads(_x, _w, _b, _g, 2, 1)
forbid(conv2d_backward, NOT_ALLOWED)
_got = conv2d_backward(_g, _x, _w, 2, 1)
check_close("db, stride 2, padding 1", _got[2], _want[2], rtol=1e-9, atol=1e-10, inputs={"grad_output": _g})

# %% tests id=conv_backward_weight points=2
part("conv_backward_weight")
forbid(conv2d_backward, NOT_ALLOWED)
check_close("dw, stride 2, padding 1", conv2d_backward(_g, _x, _w, 2, 1)[1], _want[1], rtol=1e-9, atol=1e-10,
            inputs={"x": _x, "grad_output": _g})
### BEGIN HIDDEN TESTS
with quietly("dw on 12 random shapes, strides and paddings"):
    for _xr, _wr, _br, _gr, _s, _p in _random_cases(82):
        _h, _f = _xr.shape[-1], _wr.shape[-1]
        check_close(f"dw, {_h}x{_h}, {_f}x{_f} filter, stride {_s}, padding {_p}",
                    conv2d_backward(_gr, _xr, _wr, _s, _p)[1], _torch_grads(_xr, _wr, _br, _gr, _s, _p)[1],
                    rtol=1e-9, atol=1e-10, inputs={"x": _xr, "grad_output": _gr, "stride": _s, "padding": _p})
### END HIDDEN TESTS

# %% tests id=conv_backward_input points=3
part("conv_backward_input")
forbid(conv2d_backward, NOT_ALLOWED)
check_close("dx, stride 2, padding 1", conv2d_backward(_g, _x, _w, 2, 1)[0], _want[0], rtol=1e-9, atol=1e-10,
            inputs={"x": _x, "weight": _w, "grad_output": _g})
### BEGIN HIDDEN TESTS
with quietly("dx on 12 random shapes, strides and paddings"):
    for _xr, _wr, _br, _gr, _s, _p in _random_cases(83):
        _h, _f = _xr.shape[-1], _wr.shape[-1]
        check_close(f"dx, {_h}x{_h}, {_f}x{_f} filter, stride {_s}, padding {_p}",
                    conv2d_backward(_gr, _xr, _wr, _s, _p)[0], _torch_grads(_xr, _wr, _br, _gr, _s, _p)[0],
                    rtol=1e-9, atol=1e-10, inputs={"x": _xr, "grad_output": _gr, "stride": _s, "padding": _p})
### END HIDDEN TESTS
