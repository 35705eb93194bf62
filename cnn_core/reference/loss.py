"""Loss functions and weight penalties, forward and backward side by side.

- ``cross_entropy``: logits (N, classes) and class indices (N,), as
  ``torch.nn.functional.cross_entropy`` (softmax and negative log-likelihood in
  one numerically stable step);
- ``mse_loss``: mean squared error, as ``torch.nn.functional.mse_loss``;
- ``l1_penalty`` / ``l2_penalty``: the regularisation terms sum |w| and sum w**2
  over a list of weight arrays.

``reduction`` is ``'mean'`` (average over the batch), ``'sum'`` or ``'none'``
(one loss per example), as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from ._validate import LOGITS, as_float_array, check_class_targets
from .activation import log_softmax
from .module import needs_forward, remembers_forward

__all__ = [
    "cross_entropy", "cross_entropy_backward", "mse_loss", "mse_loss_backward",
    "l1_penalty", "l1_penalty_backward", "l2_penalty", "l2_penalty_backward",
    "CrossEntropyLoss", "MSELoss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(losses: np.ndarray, reduction: str):
    if reduction == "none":
        return losses
    return float(losses.mean() if reduction == "mean" else losses.sum())


def _check_ce(input, target, label_smoothing):
    x = as_float_array(input, "input", ndim=2, layout=LOGITS)
    t = np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"target must hold class indices as integers (N,), got dtype {t.dtype}; "
                        f"for one-hot targets use target.argmax(axis=1)")
    k = x.shape[1]
    check_class_targets(x.shape, t.shape, int(t.min()) if t.size else 0, int(t.max()) if t.size else 0,
                        lambda: t[(t < 0) | (t >= k)][0])
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"label_smoothing must lie in [0, 1], got {label_smoothing}")
    return x, t.astype(np.intp)


def _soft_targets(t: np.ndarray, K: int, label_smoothing: float, dtype) -> np.ndarray:
    """q = (1 - eps) * one_hot(target) + eps / K: the distribution the loss pulls towards."""
    q = np.full((t.shape[0], K), label_smoothing / K, dtype=dtype)
    q[np.arange(t.shape[0]), t] += 1 - label_smoothing
    return q


def cross_entropy(input: np.ndarray, target: np.ndarray, reduction: str = "mean",
                  label_smoothing: float = 0.0):
    """Cross-entropy of logits against class indices.

    input: (N, classes) raw scores (logits, not probabilities); target: (N,) ints
    in 0 ... classes - 1. loss_i = -log softmax(input_i)[target_i], computed as
    logsumexp(input_i) - input_i[target_i] so that logits of 1e4 do not overflow.
    With label_smoothing eps, the target is the mixture (1 - eps) one_hot + eps / classes.
    Returns a float ('mean', 'sum') or an (N,) array ('none').
    """
    _check_reduction(reduction)
    x, t = _check_ce(input, target, label_smoothing)
    logp = log_softmax(x, dim=1)
    if label_smoothing:
        losses = -(_soft_targets(t, x.shape[1], label_smoothing, x.dtype) * logp).sum(axis=1)
    else:
        losses = -logp[np.arange(x.shape[0]), t]
    return _reduce(losses, reduction)


def cross_entropy_backward(grad_output, input: np.ndarray, target: np.ndarray,
                           reduction: str = "mean", label_smoothing: float = 0.0) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the logits.

    grad_output: a number for 'mean'/'sum' (1.0 when the loss is the final
    output), an (N,) array for 'none'. input: (N, classes); target: (N,).
    Returns (N, classes): (softmax(input) - one_hot(target)) * grad_output,
    divided by N for 'mean'. (With label smoothing, one_hot becomes the smoothed q.)
    """
    _check_reduction(reduction)
    x, t = _check_ce(input, target, label_smoothing)
    N, K = x.shape
    logp = log_softmax(x, dim=1)
    grad = np.exp(logp) - _soft_targets(t, K, label_smoothing, x.dtype)
    g = np.asarray(grad_output, dtype=x.dtype)
    if reduction == "none":
        if g.shape != (N,):
            raise ValueError(f"with reduction='none' grad_output must have shape ({N},), "
                             f"got {g.shape}")
        return grad * g[:, None]
    if g.size != 1:
        raise ValueError(f"with reduction={reduction!r} the loss is a number, so grad_output "
                         f"must be a number, got shape {g.shape}")
    scale = g.reshape(()) / N if reduction == "mean" else g.reshape(())
    return (grad * scale).astype(x.dtype, copy=False)


def _check_mse(input, target):
    x = as_float_array(input, "input")
    t = as_float_array(target, "target")
    if x.shape != t.shape:
        raise ValueError(f"mse_loss: input has shape {x.shape} but target has shape {t.shape}; "
                         f"they must match (PyTorch would broadcast and warn)")
    return x, t


def mse_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean"):
    """Mean squared error: mean of (input - target)**2 over every element.

    input, target: the same shape (any). Returns a float ('mean', 'sum') or an
    array of the input's shape ('none').
    """
    _check_reduction(reduction)
    x, t = _check_mse(input, target)
    return _reduce((x - t) ** 2, reduction)


def mse_loss_backward(grad_output, input: np.ndarray, target: np.ndarray,
                      reduction: str = "mean") -> np.ndarray:
    """Gradient of :func:`mse_loss` with respect to input: 2 (input - target) * grad_output,
    divided by the number of elements for 'mean'.

    grad_output: a number ('mean', 'sum') or the input's shape ('none').
    """
    _check_reduction(reduction)
    x, t = _check_mse(input, target)
    g = np.asarray(grad_output, dtype=x.dtype)
    if reduction == "none" and g.shape != x.shape:
        raise ValueError(f"with reduction='none' grad_output must have shape {x.shape}, "
                         f"got {g.shape}")
    if reduction != "none" and g.size != 1:
        raise ValueError(f"with reduction={reduction!r} grad_output must be a number, "
                         f"got shape {g.shape}")
    grad = 2 * (x - t) * (g if reduction == "none" else g.reshape(()))
    return grad / x.size if reduction == "mean" else grad


# --- weight penalties -------------------------------------------------------------
def _weights(weights) -> list[np.ndarray]:
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return [as_float_array(w, f"weights[{i}]") for i, w in enumerate(weights)]


def l1_penalty(weights) -> float:
    """L1 penalty sum_k sum_i |w_k,i| over a list of arrays (or one array).

    Convention: no factor in front. Add ``lam * l1_penalty(ws)`` to the loss;
    its gradient is ``lam * sign(w)`` (see :func:`l1_penalty_backward`).
    """
    return float(sum(np.abs(w).sum() for w in _weights(weights)))


def l1_penalty_backward(weights, grad_output: float = 1.0) -> list[np.ndarray]:
    """Gradients of :func:`l1_penalty`: ``grad_output * sign(w)`` for each array
    (0 where w == 0, the subgradient PyTorch also uses)."""
    return [grad_output * np.sign(w) for w in _weights(weights)]


def l2_penalty(weights) -> float:
    """L2 penalty sum_k sum_i w_k,i**2 over a list of arrays (or one array).

    Convention: no 1/2 in front, so the gradient is ``2 w``. Adding
    ``lam * l2_penalty(ws)`` to the loss is the same as SGD's ``weight_decay =
    2 * lam`` (PyTorch's weight_decay adds ``weight_decay * w`` to the gradient).
    """
    return float(sum((w * w).sum() for w in _weights(weights)))


def l2_penalty_backward(weights, grad_output: float = 1.0) -> list[np.ndarray]:
    """Gradients of :func:`l2_penalty`: ``grad_output * 2 w`` for each array."""
    return [grad_output * 2 * w for w in _weights(weights)]


# --- loss objects -------------------------------------------------------------------
class CrossEntropyLoss:
    """``loss = CrossEntropyLoss(); value = loss(logits, target); grad = loss.backward()``.

    forward: logits (N, classes), target (N,) ints -> float (or (N,) for 'none');
    backward() -> d loss / d logits, (N, classes), for the last forward.
    """

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        _check_reduction(reduction)
        self.reduction, self.label_smoothing = reduction, label_smoothing

    @remembers_forward
    def forward(self, input: np.ndarray, target: np.ndarray):
        self._input, self._target = input, target
        return cross_entropy(input, target, self.reduction, self.label_smoothing)

    __call__ = forward

    @needs_forward
    def backward(self, grad_output=None) -> np.ndarray:
        if grad_output is None:
            grad_output = np.ones(len(self._target)) if self.reduction == "none" else 1.0
        return cross_entropy_backward(grad_output, self._input, self._target, self.reduction,
                                      self.label_smoothing)

    def __repr__(self) -> str:
        return f"CrossEntropyLoss(reduction={self.reduction!r})"


class MSELoss:
    """``loss = MSELoss(); value = loss(pred, target); grad = loss.backward()``.

    forward: input and target of the same shape -> float; backward() -> d loss / d input.
    """

    def __init__(self, reduction: str = "mean") -> None:
        _check_reduction(reduction)
        self.reduction = reduction

    @remembers_forward
    def forward(self, input: np.ndarray, target: np.ndarray):
        self._input, self._target = input, target
        return mse_loss(input, target, self.reduction)

    __call__ = forward

    @needs_forward
    def backward(self, grad_output=None) -> np.ndarray:
        if grad_output is None:
            grad_output = np.ones(np.shape(self._input)) if self.reduction == "none" else 1.0
        return mse_loss_backward(grad_output, self._input, self._target, self.reduction)

    def __repr__(self) -> str:
        return f"MSELoss(reduction={self.reduction!r})"
