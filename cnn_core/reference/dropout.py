"""Inverted dropout, forward and backward side by side.

In training, each unit is kept with probability 1 - p and set to zero with
probability p; the kept units are multiplied by 1 / (1 - p) so that the
expected value of every unit is unchanged:  E[y] = (1 - p) * x / (1 - p) = x.
At test time (``training=False``) dropout is the identity, and nothing needs
rescaling: this is the "inverted" form PyTorch uses (the original paper
instead scaled the weights by 1 - p at test time).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_dropout_p
from .module import Module

__all__ = ["dropout", "dropout_mask", "dropout_backward", "Dropout"]


def dropout_mask(shape, p: float = 0.5, rng=None, dtype=np.float32) -> np.ndarray:
    """The scaled mask of inverted dropout: 1/(1-p) for a kept unit, 0 for a dropped one.

    shape: the input's shape; rng: a NumPy Generator, an int seed, or None.
    With p = 1 every unit is dropped and the mask is all zeros.
    """
    p = check_dropout_p(p)
    if p == 1:
        return np.zeros(shape, dtype)
    rng = np.random.default_rng(rng)
    keep = rng.random(shape) >= p  # kept with probability 1 - p
    return (keep / (1 - p)).astype(dtype)


def dropout(input: np.ndarray, p: float = 0.5, training: bool = True, rng=None,
            *, return_mask: bool = False):
    """Inverted dropout. input: any shape; returns an array of that shape
    (and the mask, if ``return_mask``, for :func:`dropout_backward`).

    p: probability of dropping a unit, in [0, 1]. training=False returns the
    input unchanged (mask of ones). rng: a NumPy Generator or an int seed; the
    same seed gives the same mask.
    """
    x = as_float_array(input, "input")
    p = check_dropout_p(p)
    if not training or p == 0:
        mask = np.ones_like(x)
        out = x
    else:
        mask = dropout_mask(x.shape, p, rng, x.dtype)
        out = x * mask
    return (out, mask) if return_mask else out


def dropout_backward(grad_output: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """dL/dx = dL/dy * mask: dropped units get no gradient, kept ones are scaled by 1/(1-p).

    grad_output, mask: the input's shape (the mask from ``dropout(..., return_mask=True)``).
    """
    g = as_float_array(grad_output, "grad_output")
    if g.shape != np.shape(mask):
        raise ValueError(f"dropout_backward: grad_output has shape {g.shape} but the mask has "
                         f"shape {np.shape(mask)}")
    return g * mask


class Dropout(Module):
    """Layer form of :func:`dropout`, as ``torch.nn.Dropout(p)``.

    Active in training mode, the identity after ``eval()``. ``rng``: a NumPy
    Generator or an int seed; the layer draws a fresh mask on every forward
    from that generator and remembers it in ``self.mask`` for the backward.
    """

    def __init__(self, p: float = 0.5, *, rng=None) -> None:
        super().__init__()
        self.p = check_dropout_p(p)
        self.rng = np.random.default_rng(rng)
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self.mask = dropout(x, self.p, self.training, self.rng, return_mask=True)
        return out

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return dropout_backward(grad_output, self.mask)

    def extra_repr(self) -> str:
        return f"p={self.p}"
