"""Activation functions, forward and backward side by side.

Every function takes and returns NumPy arrays of any shape (softmax and
log_softmax reduce along ``dim``). The backward functions take
``grad_output`` (dL/d output, same shape as the output) and return dL/d input.

================  ===============================  =====================================
function          forward                          derivative
================  ===============================  =====================================
relu              max(0, x)                        1 where x > 0, else 0
sigmoid           1 / (1 + exp(-x))                s (1 - s)
tanh              tanh(x)                          1 - t**2
softmax           exp(x_i) / sum_j exp(x_j)        s_i (g_i - sum_j g_j s_j)
log_softmax       x_i - log sum_j exp(x_j)         g_i - softmax_i * sum_j g_j
================  ===============================  =====================================
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array
from .module import Module

__all__ = [
    "relu", "relu_backward", "sigmoid", "sigmoid_backward", "tanh", "tanh_backward",
    "softmax", "softmax_backward", "log_softmax", "log_softmax_backward",
    "ReLU", "Sigmoid", "Tanh", "Softmax",
]


def _check_dim(dim: int, ndim: int, name: str) -> int:
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}: dim must be an int, got {dim!r}")
    if not -ndim <= dim < ndim:
        raise ValueError(f"{name}: dim={dim} is out of range for a {ndim}-d input "
                         f"(allowed: {-ndim} ... {ndim - 1})")
    return int(dim) % ndim


def _same_shape(grad_output: np.ndarray, other: np.ndarray, other_name: str = "input") -> None:
    if grad_output.shape != other.shape:
        raise ValueError(f"grad_output has shape {grad_output.shape} but {other_name} has shape "
                         f"{other.shape}; they must match")


# --- ReLU -------------------------------------------------------------------------
def relu(input: np.ndarray) -> np.ndarray:
    """max(0, x), elementwise. input: any shape; output: same shape and dtype."""
    x = as_float_array(input, "input")
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def relu_backward(grad_output: np.ndarray, input: np.ndarray) -> np.ndarray:
    """dL/dx = dL/dy where x > 0, else 0 (PyTorch also uses 0 at x == 0).

    grad_output, input: the same shape. Returns an array of that shape.
    """
    x = as_float_array(input, "input")
    g = as_float_array(grad_output, "grad_output")
    _same_shape(g, x)
    return np.where(x > 0, g, 0).astype(g.dtype, copy=False)


# --- sigmoid ----------------------------------------------------------------------
def sigmoid(input: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), computed without overflow for large |x|.

    input: any shape; output: same shape and dtype, values in (0, 1).
    """
    x = as_float_array(input, "input")
    # exp of a non-positive number never overflows: use exp(-|x|) on both sides.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid_backward(grad_output: np.ndarray, output: np.ndarray) -> np.ndarray:
    """dL/dx = dL/dy * s (1 - s), where ``output`` = s = sigmoid(x) (as torch saves it).

    grad_output, output: the same shape. Returns an array of that shape.
    """
    s = as_float_array(output, "output")
    g = as_float_array(grad_output, "grad_output")
    _same_shape(g, s, "output")
    return g * s * (1 - s)


# --- tanh -------------------------------------------------------------------------
def tanh(input: np.ndarray) -> np.ndarray:
    """tanh(x), elementwise. input: any shape; output: same shape and dtype."""
    return np.tanh(as_float_array(input, "input"))


def tanh_backward(grad_output: np.ndarray, output: np.ndarray) -> np.ndarray:
    """dL/dx = dL/dy * (1 - t**2), where ``output`` = t = tanh(x).

    grad_output, output: the same shape. Returns an array of that shape.
    """
    t = as_float_array(output, "output")
    g = as_float_array(grad_output, "grad_output")
    _same_shape(g, t, "output")
    return g * (1 - t * t)


# --- softmax and log-softmax --------------------------------------------------------
def softmax(input: np.ndarray, dim: int) -> np.ndarray:
    """exp(x_i) / sum_j exp(x_j) along ``dim``.

    Subtracting the maximum first leaves the result unchanged and keeps exp from
    overflowing (logits of 1e4 work). input: any shape; output: same shape, each
    slice along ``dim`` sums to 1.
    """
    x = as_float_array(input, "input")
    dim = _check_dim(dim, x.ndim, "softmax")
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def softmax_backward(grad_output: np.ndarray, output: np.ndarray, dim: int) -> np.ndarray:
    """dL/dx_i = s_i (g_i - sum_j g_j s_j), where ``output`` = s = softmax(x, dim).

    This is the Jacobian-vector product of the softmax, never forming the
    (classes x classes) Jacobian diag(s) - s s^T.
    grad_output, output: the same shape. Returns an array of that shape.
    """
    s = as_float_array(output, "output")
    g = as_float_array(grad_output, "grad_output")
    _same_shape(g, s, "output")
    dim = _check_dim(dim, s.ndim, "softmax_backward")
    return s * (g - (g * s).sum(axis=dim, keepdims=True))


def log_softmax(input: np.ndarray, dim: int) -> np.ndarray:
    """x_i - log sum_j exp(x_j) along ``dim``, via the log-sum-exp trick.

    input: any shape; output: same shape (log-probabilities, all <= 0).
    """
    x = as_float_array(input, "input")
    dim = _check_dim(dim, x.ndim, "log_softmax")
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def log_softmax_backward(grad_output: np.ndarray, output: np.ndarray, dim: int) -> np.ndarray:
    """dL/dx_i = g_i - softmax_i * sum_j g_j, where ``output`` = log_softmax(x, dim).

    grad_output, output: the same shape. Returns an array of that shape.
    """
    ls = as_float_array(output, "output", allow_nonfinite=True)
    g = as_float_array(grad_output, "grad_output")
    _same_shape(g, ls, "output")
    dim = _check_dim(dim, ls.ndim, "log_softmax_backward")
    return g - np.exp(ls) * g.sum(axis=dim, keepdims=True)


# --- layers -----------------------------------------------------------------------
class ReLU(Module):
    """Layer form of :func:`relu`. Input: any shape; output: the same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._input = as_float_array(x, "input")
        return relu(self._input)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return relu_backward(grad_output, self._input)


class Sigmoid(Module):
    """Layer form of :func:`sigmoid`. Input: any shape; output: the same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._output = sigmoid(x)
        return self._output

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return sigmoid_backward(grad_output, self._output)


class Tanh(Module):
    """Layer form of :func:`tanh`. Input: any shape; output: the same shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._output = tanh(x)
        return self._output

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return tanh_backward(grad_output, self._output)


class Softmax(Module):
    """Layer form of :func:`softmax` along ``dim``. Input: any shape; output: the same."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._output = softmax(x, self.dim)
        return self._output

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return softmax_backward(grad_output, self._output, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
