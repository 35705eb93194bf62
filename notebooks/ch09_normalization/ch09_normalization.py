# %% [markdown]
# # Assignment 9: normalization
#
# Batch normalization standardises each channel with the statistics of the batch while
# training, keeps running averages of them, and uses those averages at inference. Layer
# normalization standardises each example on its own. You will write both in NumPy,
# including the running averages and the inference mode, measure how they differ with a
# batch of one image, and write batch norm's backward pass.
#
# **Rules.** In parts 1 to 3 and 5 write NumPy only: `cnn_core.reference` and PyTorch may not
# be used in `batch_norm_train`, `batch_norm_eval`, `layer_norm` and `batch_norm_backward` (the test inspects your
# functions, and the grading sandbox also hides those modules from your code). The tests use
# PyTorch to compute the expected answers. Tests print `PASS ...` or say what was expected,
# what you gave and for which input; hidden tests run when your work is graded.
#
# Points: part 1 (5), part 2 (3), part 3 (3), part 4 (2), part 5 (3): 16 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_close, check_number, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.reference", "cnn_core.torch_ops", "torch"]

# %% [markdown]
# ## Part 1 (5 points): batch norm while training
#
# Write `batch_norm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5)`
# for `x` of shape (N, C, H, W) and per-channel (C,) arrays:
#
# - normalise each channel with the mean and the *biased* variance (divide by the count) of
#   that channel over N, H and W; then scale by `gamma` and shift by `beta`;
# - return the output **and** the updated running statistics
#   `(out, new_running_mean, new_running_var)`, where
#   new = (1 - momentum) * old + momentum * batch statistic, and the running variance uses
#   the *unbiased* variance (divide by count - 1), as PyTorch does.

# %% solution id=batch_norm_train
def batch_norm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """x: (N, C, H, W); gamma, beta, running_mean, running_var: (C,).
    Returns (out (N, C, H, W), new_running_mean (C,), new_running_var (C,))."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    axes = (0, 2, 3)
    count = x.size // x.shape[1]
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    shape = (1, -1, 1, 1)
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    out = out * np.reshape(gamma, shape) + np.reshape(beta, shape)
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * count / (count - 1)
    return out, new_mean, new_var
    ### END SOLUTION

# %% tests id=batch_norm_output points=2
part("batch_norm_output")
import torch
import torch.nn.functional as F

forbid(batch_norm_train, NOT_ALLOWED)


def _torch_bn_train(x, gamma, beta, rm, rv, momentum=0.1):
    rm_t, rv_t = torch.tensor(rm), torch.tensor(rv)
    out = F.batch_norm(torch.from_numpy(x), rm_t, rv_t, torch.from_numpy(gamma), torch.from_numpy(beta),
                       training=True, momentum=momentum, eps=1e-5)
    return out.numpy(), rm_t.numpy(), rv_t.numpy()


_rng = np.random.default_rng(91)
_x = _rng.normal(loc=3, scale=2, size=(4, 3, 5, 5))
_gamma, _beta = _rng.normal(size=3), _rng.normal(size=3)
_rm, _rv = np.zeros(3), np.ones(3)
_got = batch_norm_train(_x, _gamma, _beta, _rm.copy(), _rv.copy())
_exp = _torch_bn_train(_x, _gamma, _beta, _rm, _rv)
check_close("batch norm output, training mode", _got[0], _exp[0], rtol=1e-8, atol=1e-10, inputs={"x": _x})

# %% tests id=batch_norm_running points=3
part("batch_norm_running")
forbid(batch_norm_train, NOT_ALLOWED)
_rng = np.random.default_rng(92)
_x = _rng.normal(loc=3, scale=2, size=(2, 3, 2, 2))
_gamma, _beta = np.ones(3), np.zeros(3)
_rm, _rv = _rng.normal(size=3), _rng.uniform(0.5, 2, size=3)
_got = batch_norm_train(_x, _gamma, _beta, _rm.copy(), _rv.copy(), momentum=0.3)
_exp = _torch_bn_train(_x, _gamma, _beta, _rm, _rv, momentum=0.3)
check_close("new running mean (momentum 0.3)", _got[1], _exp[1], rtol=1e-10, inputs={"x": _x})
check_close("new running variance (unbiased, momentum 0.3)", _got[2], _exp[2], rtol=1e-10, inputs={"x": _x})
### BEGIN HIDDEN TESTS
with quietly("batch_norm_train on 10 random batches, all three outputs"):
    for _ in range(10):
        _n, _c, _h, _w = int(_rng.integers(2, 5)), int(_rng.integers(1, 4)), *(int(v) for v in
                                                                             _rng.integers(1, 4, size=2))
        _x = _rng.normal(loc=1, scale=3, size=(_n, _c, _h, _w))
        _gamma, _beta, _rm = _rng.normal(size=_c), _rng.normal(size=_c), _rng.normal(size=_c)
        _rv = _rng.uniform(0.5, 2, size=_c)
        _m = float(_rng.uniform(0, 1))
        _got = batch_norm_train(_x, _gamma, _beta, _rm.copy(), _rv.copy(), momentum=_m)
        _exp = _torch_bn_train(_x, _gamma, _beta, _rm, _rv, momentum=_m)
        for _name, _a, _b in zip(["output", "running mean", "running var"], _got, _exp):
            check_close(f"{_name}, x {(_n, _c, _h, _w)}", _a, _b, rtol=1e-8, atol=1e-10, inputs={"x": _x})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 (3 points): batch norm at inference
#
# At inference there may be a single image: batch statistics would be meaningless. Write
# `batch_norm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5)` that normalises
# with the running statistics instead (and changes nothing else).

# %% solution id=batch_norm_eval
def batch_norm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """x: (N, C, H, W); the (C,) arrays as in part 1. Returns (N, C, H, W)."""
    ### BEGIN SOLUTION
    shape = (1, -1, 1, 1)
    x = np.asarray(x, dtype=float)
    return ((x - np.reshape(running_mean, shape)) / np.sqrt(np.reshape(running_var, shape) + eps)
            * np.reshape(gamma, shape) + np.reshape(beta, shape))
    ### END SOLUTION

# %% tests id=batch_norm_eval_check points=3
part("batch_norm_eval_check")
import torch
from torch import nn

forbid(batch_norm_eval, NOT_ALLOWED)
torch.manual_seed(9)
_layer = nn.BatchNorm2d(3).double()
with torch.no_grad():
    _layer.weight.copy_(torch.randn(3)); _layer.bias.copy_(torch.randn(3))
    _layer.running_mean.copy_(torch.randn(3)); _layer.running_var.copy_(torch.rand(3) + 0.5)
_layer.eval()
_x = torch.randn(1, 3, 4, 4, dtype=torch.float64)             # a single image
_args = [t.detach().numpy() for t in (_layer.weight, _layer.bias, _layer.running_mean, _layer.running_var)]
with torch.no_grad():
    check_close("BatchNorm2d in eval mode, one image", batch_norm_eval(_x.numpy(), *_args), _layer(_x),
                rtol=1e-10, inputs={"x": _x})

# %% [markdown]
# ## Part 3 (3 points): layer normalization
#
# Write `layer_norm(x, eps=1e-5)` for `x` of shape (N, C, H, W): normalise each *example*
# over all its C*H*W values (mean 0, biased variance 1), with no scale or shift.

# %% solution id=layer_norm
def layer_norm(x, eps=1e-5):
    """x: (N, C, H, W) -> (N, C, H, W), each example standardised over C, H, W."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    var = x.var(axis=(1, 2, 3), keepdims=True)
    return (x - mean) / np.sqrt(var + eps)
    ### END SOLUTION

# %% tests id=layer_norm_check points=3
part("layer_norm_check")
import torch
import torch.nn.functional as F

forbid(layer_norm, NOT_ALLOWED)
_rng = np.random.default_rng(93)
_x = _rng.normal(loc=2, scale=3, size=(3, 2, 4, 4))
check_close("layer norm over (C, H, W)", layer_norm(_x), F.layer_norm(torch.from_numpy(_x), (2, 4, 4)).numpy(),
            rtol=1e-8, atol=1e-10, inputs={"x": _x})
### BEGIN HIDDEN TESTS
_x = _rng.normal(size=(1, 5, 2, 3))                     # batch of one: layer norm does not care
check_close("layer norm of a batch of one", layer_norm(_x), F.layer_norm(torch.from_numpy(_x), (5, 2, 3)).numpy(),
            rtol=1e-8, atol=1e-10, inputs={"x": _x})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 (2 points): a batch of one image
#
# You must train with a batch of **one** image per step (the images are huge). Batch norm in
# training mode still normalises each channel, over that image's H x W values; at test time
# it uses the running averages instead, so the same image gives another output. Layer norm
# computes the same thing in both modes. Measure it, with your functions of parts 1 to 3,
# on the single image `one_image` and the running statistics below (gamma 1, beta 0):
#
# - `bn_gap`: the largest absolute difference between batch norm's output in training mode
#   and in inference mode;
# - `ln_gap`: the same for your `layer_norm` "in training" and "at test time" (there is one
#   function for both: what must the difference be?).

# %% locked id=one_image
one_image = np.random.default_rng(90).normal(loc=2.0, scale=3.0, size=(1, 3, 5, 5))
one_running_mean, one_running_var = np.zeros(3), np.ones(3)

# %% solution id=one_image_gaps
### BEGIN SOLUTION
bn_gap = float(np.abs(batch_norm_train(one_image, np.ones(3), np.zeros(3), one_running_mean, one_running_var)[0]
                      - batch_norm_eval(one_image, np.ones(3), np.zeros(3), one_running_mean,
                                        one_running_var)).max())
ln_gap = float(np.abs(layer_norm(one_image) - layer_norm(one_image)).max())   # one function for both modes
### END SOLUTION

# %% tests id=one_image_gaps_check points=2
part("one_image_gaps_check")
import torch
from torch import nn

_bn = nn.BatchNorm2d(3).double()
_t = torch.from_numpy(one_image)
with torch.no_grad():
    _train = _bn.train()(_t)
    _bn.running_mean.zero_()
    _bn.running_var.fill_(1.0)
    _eval = _bn.eval()(_t)
check_number("batch norm, one image: training output minus inference output, largest", bn_gap,
             float((_train - _eval).abs().max()), rtol=1e-8)
check_number("layer norm, one image: the same difference", ln_gap, 0.0, atol=1e-12)

# %% [markdown]
# ## Part 5 (3 points): batch norm backward
#
# In training mode the mean and variance depend on every example of the batch, so each
# input's gradient depends on all of them. With $\hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon}$
# per channel, $y = \gamma \hat x + \beta$, and $m$ values per channel (N x H x W):
#
# $$\frac{\partial L}{\partial x} = \frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}
#   \left(m\,g - \sum g - \hat x \sum g\,\hat x\right),\qquad
#   \frac{\partial L}{\partial \gamma} = \sum g\,\hat x,\qquad \frac{\partial L}{\partial \beta} = \sum g$$
#
# (sums over N, H and W, per channel). Write `batch_norm_backward(grad_output, x, gamma,
# eps=1e-5)` returning `(dx, dgamma, dbeta)` for x of shape (N, C, H, W).

# %% solution id=batch_norm_backward
def batch_norm_backward(grad_output, x, gamma, eps=1e-5):
    """grad_output, x: (N, C, H, W); gamma: (C,). Returns (dx, dgamma (C,), dbeta (C,))."""
    ### BEGIN SOLUTION
    g = np.asarray(grad_output, dtype=float)
    x = np.asarray(x, dtype=float)
    axes, shape = (0, 2, 3), (1, -1, 1, 1)
    m = x.size // x.shape[1]
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    dbeta = g.sum(axis=axes)
    dgamma = (g * xhat).sum(axis=axes)
    dx = (np.reshape(gamma, shape) / (m * np.sqrt(var.reshape(shape) + eps))
          * (m * g - dbeta.reshape(shape) - xhat * dgamma.reshape(shape)))
    return dx, dgamma, dbeta
    ### END SOLUTION

# %% tests id=batch_norm_backward_check points=3
part("batch_norm_backward_check")
import torch
import torch.nn.functional as F

forbid(batch_norm_backward, NOT_ALLOWED)
_rng = np.random.default_rng(95)
_x, _gamma, _beta = _rng.normal(size=(4, 3, 5, 5)), _rng.normal(size=3), _rng.normal(size=3)
_g = _rng.normal(size=_x.shape)
_xt, _gt, _bt = (torch.from_numpy(a).requires_grad_() for a in (_x, _gamma, _beta))
F.batch_norm(_xt, None, None, _gt, _bt, training=True, eps=1e-5).backward(torch.from_numpy(_g))
_dx, _dgamma, _dbeta = batch_norm_backward(_g, _x, _gamma)
check_close("dbeta", _dbeta, _bt.grad.numpy(), rtol=1e-9, atol=1e-10, inputs={"grad_output": _g})
check_close("dgamma", _dgamma, _gt.grad.numpy(), rtol=1e-9, atol=1e-10, inputs={"x": _x, "grad_output": _g})
check_close("dx", _dx, _xt.grad.numpy(), rtol=1e-8, atol=1e-10, inputs={"x": _x, "gamma": _gamma})
