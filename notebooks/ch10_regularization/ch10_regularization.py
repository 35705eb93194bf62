# %% [markdown]
# # Assignment 10: regularization
#
# A network that fits its training set too well generalises badly. You will write inverted
# dropout (forward and backward), the L2 penalty's gradient, a max-norm weight constraint,
# and early stopping, and compute why dropout needs no change at test time.
#
# **Rules.** In parts 1 to 3 write NumPy only: `cnn_core.reference` and PyTorch may not be
# used in `dropout_forward`, `dropout_backward`, `l2_gradient` and `max_norm` (the test
# inspects your functions, and the grading sandbox also hides those modules from your
# code). The tests use them to compute the expected answers. Tests print `PASS ...` or say
# what was expected, what you gave and for which input; hidden tests run when your work is
# graded.
#
# Points: part 1 (5), part 2 (3), part 3 (2), part 4 (2): 12 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_close, check_equal, check_number, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.reference", "cnn_core.torch_ops", "torch"]

# %% [markdown]
# ## Part 1 (5 points): inverted dropout
#
# Write `dropout_forward(x, p, rng, training)` returning `(out, mask)`:
#
# - in training, draw `u = rng.random(x.shape)` (exactly this one call, so the tests can
#   reproduce your mask), keep a unit when `u >= p`, and scale the kept units by 1/(1 - p)
#   so that the expected value of each unit is unchanged; the mask holds 1/(1 - p) for a kept
#   unit and 0 for a dropped one, and out = x * mask;
# - at test time (`training=False`), return `x` unchanged and a mask of ones (no random draw).
#
# Then write `dropout_backward(grad_output, mask)`.

# %% solution id=dropout
def dropout_forward(x, p, rng, training=True):
    """x: any shape; p: probability of dropping; rng: np.random.Generator. Returns (out, mask)."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    if not training:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask
    ### END SOLUTION


def dropout_backward(grad_output, mask):
    """dL/dx from dL/dout and the mask of the forward pass."""
    ### BEGIN SOLUTION
    return grad_output * mask
    ### END SOLUTION

# %% tests id=dropout_train points=3
part("dropout_train")
from cnn_core.reference import dropout as _ref_dropout

forbid(dropout_forward, NOT_ALLOWED)
_x = np.random.default_rng(100).normal(size=(4, 6))
_out, _mask = dropout_forward(_x, 0.3, np.random.default_rng(7), training=True)
_ref_out, _ref_mask = _ref_dropout(_x, 0.3, training=True, rng=np.random.default_rng(7), return_mask=True)
check_close("mask with p = 0.3 (seed 7)", _mask, _ref_mask, rtol=1e-12, inputs={"x": _x, "p": 0.3})
check_close("output with p = 0.3 (seed 7)", _out, _ref_out, rtol=1e-12, inputs={"x": _x, "p": 0.3})
### BEGIN HIDDEN TESTS
with quietly("dropout_forward with 8 values of p"):
    for _p in [0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 0.95]:
        _x = np.random.default_rng(int(_p * 100)).normal(size=(3, 5, 4))
        _out, _mask = dropout_forward(_x, _p, np.random.default_rng(11), training=True)
        _ref_out, _ref_mask = _ref_dropout(_x, _p, training=True, rng=np.random.default_rng(11), return_mask=True)
        check_close(f"mask, p = {_p}", _mask, _ref_mask, rtol=1e-12, inputs={"p": _p})
        check_close(f"output, p = {_p}", _out, _ref_out, rtol=1e-12, inputs={"p": _p})
### END HIDDEN TESTS

# %% tests id=dropout_eval_backward points=2
part("dropout_eval_backward")
from cnn_core.reference import dropout as _ref_dropout, dropout_backward as _ref_dropout_backward

forbid(dropout_forward, NOT_ALLOWED)
forbid(dropout_backward, NOT_ALLOWED)
_x = np.random.default_rng(101).normal(size=(2, 3))
_out, _ = dropout_forward(_x, 0.5, np.random.default_rng(0), training=False)
check_close("test time: the input unchanged", _out, _ref_dropout(_x, 0.5, training=False), rtol=0, atol=0)
_, _mask = _ref_dropout(_x, 0.5, training=True, rng=np.random.default_rng(3), return_mask=True)
_g = np.random.default_rng(102).normal(size=(2, 3))
check_close("backward through a mask", dropout_backward(_g, _mask), _ref_dropout_backward(_g, _mask), rtol=1e-12,
            inputs={"grad_output": _g, "mask": _mask})

# %% [markdown]
# ## Part 2 (3 points): the L2 penalty and a max-norm constraint
#
# - `l2_gradient(weights, lam)`: the gradient of lam * sum(w**2) with respect to a weight
#   array (the term weight decay adds to the gradient);
# - `max_norm(weight, c)`: for a dense layer's weight (M, D), rescale every row (the incoming
#   weights of one unit) whose Euclidean norm exceeds `c` so that its norm is exactly `c`;
#   leave the other rows unchanged.

# %% solution id=l2_maxnorm
def l2_gradient(weights, lam):
    ### BEGIN SOLUTION
    return 2 * lam * np.asarray(weights, dtype=float)
    ### END SOLUTION


def max_norm(weight, c):
    ### BEGIN SOLUTION
    weight = np.asarray(weight, dtype=float)
    norms = np.sqrt((weight ** 2).sum(axis=1, keepdims=True))
    return weight * np.minimum(1.0, c / np.maximum(norms, 1e-300))
    ### END SOLUTION

# %% tests id=l2_gradient_check points=1
part("l2_gradient_check")
import torch

forbid(l2_gradient, NOT_ALLOWED)
_w = np.random.default_rng(103).normal(size=(3, 4))
_wt = torch.from_numpy(_w).requires_grad_()
(0.01 * (_wt ** 2).sum()).backward()
check_close("gradient of 0.01 * sum(w^2)", l2_gradient(_w, 0.01), _wt.grad.numpy(), rtol=1e-12, inputs={"w": _w})

# %% tests id=max_norm_check points=2
part("max_norm_check")
import torch

forbid(max_norm, NOT_ALLOWED)
_w = np.random.default_rng(104).normal(scale=2, size=(6, 5))
# torch.renorm rescales the sub-tensors along dim 0 whose p-norm exceeds maxnorm
check_close("max-norm with c = 3", max_norm(_w, 3.0), torch.renorm(torch.from_numpy(_w), 2, 0, 3.0).numpy(),
            rtol=1e-6, atol=1e-12, inputs={"weight": _w, "c": 3.0})
### BEGIN HIDDEN TESTS
_w = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])   # norms 5, 0.5 and 0 (a dead unit)
check_close("max-norm with c = 1 (rows of norm 5, 0.5, 0)", max_norm(_w, 1.0),
            torch.renorm(torch.from_numpy(_w), 2, 0, 1.0).numpy(), rtol=1e-6, atol=1e-12, inputs={"weight": _w})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (2 points): early stopping
#
# Write `early_stopping_epoch(val_losses, patience)`: training stops when the validation
# loss has not improved on its best value for `patience` epochs in a row. Return the index
# (from 0) of the epoch whose weights are kept, i.e. the epoch of the best validation loss
# seen before stopping (the first one, if there are ties).

# %% solution id=early_stopping
def early_stopping_epoch(val_losses, patience):
    ### BEGIN SOLUTION
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best_epoch
    ### END SOLUTION

# %% tests id=early_stopping_check points=2
part("early_stopping_check")
def _oracle(losses, patience):
    """Independent: the first minimum of the losses seen up to the stopping epoch."""
    for stop in range(len(losses)):
        best = int(np.argmin(losses[:stop + 1]))
        if stop - best >= patience:
            return best
    return int(np.argmin(losses))


_losses = [1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.6, 0.5]
check_equal("patience 3 on the curve in the text", early_stopping_epoch(_losses, 3), _oracle(_losses, 3),
            inputs={"val_losses": _losses, "patience": 3})
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(105)
with quietly("early stopping on 30 random validation curves"):
    for _ in range(30):
        _losses = list(np.round(1 / np.arange(1, 16) + _rng.normal(scale=0.05, size=15), 2))
        _patience = int(_rng.integers(1, 5))
        check_equal(f"patience {_patience}", early_stopping_epoch(_losses, _patience), _oracle(_losses, _patience),
                    inputs={"val_losses": _losses, "patience": _patience})
### END HIDDEN TESTS

# %% [markdown]
# ## Part 4 (2 points): dropout at test time
#
# Inverted dropout drops a unit with probability `p` while training and multiplies the
# units it keeps by 1/(1 - p); at test time it does nothing. Take `p = 0.25` and a unit whose
# value is 2.0. As arithmetic, give:
#
# - `kept_value`: the unit's value in training when it is kept;
# - `train_mean`: its expected value in training (over the random drops). Compare it with
#   the value the next layer sees at test time, 2.0: that is why no change is needed then.

# %% solution id=dropout_test_time
### BEGIN SOLUTION
kept_value = 2.0 / (1 - 0.25)
train_mean = 0.25 * 0.0 + (1 - 0.25) * kept_value
### END SOLUTION

# %% tests id=dropout_kept_check points=1
part("dropout_kept_check")
import torch

_p, _a = 0.25, 2.0
torch.manual_seed(10)
_y = torch.nn.functional.dropout(torch.full((10_000,), _a, dtype=torch.float64), p=_p, training=True)
check_number("the value of a kept unit", kept_value, float(_y[_y > 0][0]), rtol=1e-12)

# %% tests id=dropout_mean_check points=1
part("dropout_mean_check")
import torch

torch.manual_seed(10)
_y = torch.nn.functional.dropout(torch.full((10_000,), 2.0, dtype=torch.float64), p=0.25, training=True)
check_number("its expected value in training", train_mean, 2.0, rtol=1e-12)
check_number("the mean of 10,000 dropped-out copies, for comparison", float(_y.mean()), 2.0, rtol=0.03)
