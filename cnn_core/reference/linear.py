"""Fully connected (dense) layers and flattening, forward and backward side by side.

``linear`` follows ``torch.nn.functional.linear``: y = x W^T + b with
W of shape (out_features, in_features). It also accepts inputs with extra
leading axes, (*, in_features) -> (*, out_features), as PyTorch does.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import as_float_array, flatten_dims, positive_int
from .module import Module

__all__ = ["linear", "linear_backward", "flatten", "flatten_backward", "Linear", "Flatten"]


def _check_linear(input, weight, bias=None):
    x = as_float_array(input, "input")
    w = as_float_array(weight, "weight", ndim=2, layout="(out_features, in_features)")
    if x.ndim == 0:
        raise ValueError("input must have at least one axis, (N, in_features); got a scalar")
    if x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear: input has {x.shape[-1]} features (shape {x.shape}) but weight "
            f"{w.shape} expects in_features = {w.shape[1]}; did you forget to flatten, "
            f"or is in_features wrong?"
        )
    b = None
    if bias is not None:
        b = as_float_array(bias, "bias", ndim=1, layout="(out_features,)")
        if b.shape[0] != w.shape[0]:
            raise ValueError(f"linear: bias has shape {b.shape} but weight {w.shape} has "
                             f"out_features = {w.shape[0]}")
    return x, w, b


def linear(input: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """y = x W^T + b.

    input: (N, in_features) (or (*, in_features)); weight: (out_features, in_features);
    bias: (out_features,) or None. Returns (N, out_features).
    """
    x, w, b = _check_linear(input, weight, bias)
    out = x @ w.T
    if b is not None:
        out = out + b
    return out


def linear_backward(grad_output: np.ndarray, input: np.ndarray, weight: np.ndarray,
                    bias: bool = True):
    """Gradients of y = x W^T + b.

    grad_output: (N, out_features); input: (N, in_features); weight: (out_features, in_features);
    bias: whether the forward had a bias. Returns ``(grad_input, grad_weight, grad_bias)``:

    - grad_input  = grad_output @ W            (N, in_features)
    - grad_weight = grad_output^T @ x          (out_features, in_features)
    - grad_bias   = grad_output summed over N  (out_features,), or None if ``bias`` is False
    """
    x, w, _ = _check_linear(input, weight)
    g = as_float_array(grad_output, "grad_output")
    expected = x.shape[:-1] + (w.shape[0],)
    if g.shape != expected:
        raise ValueError(f"linear_backward: grad_output has shape {g.shape} but the output of "
                         f"input {x.shape} and weight {w.shape} has shape {expected}")
    g2 = g.reshape(-1, w.shape[0])
    x2 = x.reshape(-1, w.shape[1])
    grad_input = g @ w
    grad_weight = g2.T @ x2
    grad_bias = g2.sum(axis=0) if bias else None
    return grad_input, grad_weight, grad_bias


def flatten(input: np.ndarray, start_dim: int = 1, end_dim: int = -1) -> np.ndarray:
    """Merge the axes start_dim ... end_dim into one, like ``torch.flatten``.

    input: e.g. (N, C, H, W); with the defaults returns (N, C*H*W), in C order
    (channel slowest, column fastest), the same order PyTorch uses, so weights
    of a following Linear layer carry over.
    """
    x = as_float_array(input, "input", allow_nonfinite=True)
    if x.ndim == 0:
        return x.reshape(1)
    s, e = flatten_dims(x.ndim, start_dim, end_dim)
    return x.reshape(x.shape[:s] + (-1,) + x.shape[e + 1:])


def flatten_backward(grad_output: np.ndarray, input_shape: tuple[int, ...]) -> np.ndarray:
    """Flattening only moves numbers around: the gradient is reshaped back.

    grad_output: the flattened shape; input_shape: the shape before flattening.
    """
    g = as_float_array(grad_output, "grad_output")
    if g.size != math.prod(input_shape):
        raise ValueError(f"flatten_backward: grad_output {g.shape} has {g.size} values, but the "
                         f"input shape {tuple(input_shape)} has {math.prod(input_shape)}")
    return g.reshape(input_shape)


class Linear(Module):
    """y = x W^T + b, as ``torch.nn.Linear``.

    Parameters: ``weight`` (out_features, in_features), ``bias`` (out_features,).
    Initialised like PyTorch: every entry uniform in [-1/sqrt(in_features),
    1/sqrt(in_features)] (kaiming_uniform with a = sqrt(5) comes to this bound).
    ``rng``: a NumPy Generator or an int seed, for reproducible weights.
    Input (N, in_features) -> output (N, out_features).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 rng=None, dtype=np.float32) -> None:
        super().__init__()
        self.in_features = positive_int("Linear", "in_features", in_features)
        self.out_features = positive_int("Linear", "out_features", out_features)
        rng = np.random.default_rng(rng)
        bound = 1 / math.sqrt(in_features)
        self.params["weight"] = rng.uniform(-bound, bound, (out_features, in_features)).astype(dtype)
        if bias:
            self.params["bias"] = rng.uniform(-bound, bound, (out_features,)).astype(dtype)
        self._init_grads()

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._input = as_float_array(x, "input")
        return linear(self._input, self.params["weight"], self.params.get("bias"))

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        has_bias = "bias" in self.params
        gx, gw, gb = linear_backward(grad_output, self._input, self.params["weight"], has_bias)
        self.grads["weight"] += gw
        if has_bias:
            self.grads["bias"] += gb
        return gx

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={'bias' in self.params}")


class Flatten(Module):
    """Layer form of :func:`flatten`: (N, C, H, W) -> (N, C*H*W) with the defaults."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "input")
        self._input_shape = x.shape
        return flatten(x, self.start_dim, self.end_dim)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return flatten_backward(grad_output, self._input_shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
