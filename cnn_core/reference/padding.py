"""Padding: adding a border around an image, and the backward pass of that border.

The notes' four kinds of padding, named as in ``torch.nn.functional.pad``::

    row [1 2 3] padded by 2 on each side
    'constant' (zeros)   0 0 | 1 2 3 | 0 0
    'reflect'  (mirror)  3 2 | 1 2 3 | 2 1     the edge pixel is not repeated
    'replicate' (edge)   1 1 | 1 2 3 | 3 3
    'circular' (wrap)    2 3 | 1 2 3 | 1 2

``pad`` follows PyTorch's convention: ``(left, right)`` pads the last dimension,
``(left, right, top, bottom)`` the last two (last dimension first).

Backward: every pixel of the padded output is a copy of some input pixel (or a
constant, which has no input). The gradient of an input pixel is therefore the
sum of the gradients of all its copies: the padded border *folds back* onto the
image. For 'constant' this is just cropping.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array

__all__ = ["pad", "pad_backward"]

_NUMPY_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _check_pad(pad, ndim: int, mode: str, shape: tuple[int, ...] | None = None) -> list[tuple[int, int]]:
    """Turn PyTorch's flat pad tuple into NumPy's per-axis ((before, after), ...)."""
    if mode not in _NUMPY_MODES:
        raise ValueError(
            f"unknown padding mode {mode!r}: use 'constant', 'reflect', 'replicate' or 'circular'"
        )
    if not isinstance(pad, (tuple, list)) or not all(
        isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in pad
    ):
        raise TypeError(f"pad must be a tuple of ints like (left, right, top, bottom), got {pad!r}")
    if len(pad) % 2:
        raise ValueError(
            f"pad must have an even length, (left, right) or (left, right, top, bottom), "
            f"got {len(pad)} values {tuple(pad)}"
        )
    if any(p < 0 for p in pad):
        raise ValueError(f"pad amounts must be zero or positive (this reference does not crop), got {tuple(pad)}")
    n_axes = len(pad) // 2
    if n_axes > ndim:
        raise ValueError(f"pad {tuple(pad)} pads {n_axes} dimensions but the input has only {ndim}")
    if mode != "constant" and n_axes > 2:
        raise ValueError(f"{mode!r} padding pads at most the last 2 dimensions, got pad {tuple(pad)}")
    widths = [(0, 0)] * ndim
    for i in range(n_axes):  # pad[0:2] is the last axis, pad[2:4] the one before, ...
        widths[ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if shape is not None:
        for axis, (before, after) in enumerate(widths):
            size = shape[axis]
            if mode == "reflect" and max(before, after) >= size:
                raise ValueError(
                    f"reflect padding must be smaller than the dimension it pads: padding "
                    f"({before}, {after}) on dimension {axis} of size {size} of an input of shape "
                    f"{tuple(shape)} (a mirror of {size} pixels without its edge has {size - 1})"
                )
            if mode == "circular" and max(before, after) > size:
                raise ValueError(
                    f"circular padding can wrap around at most once: padding ({before}, {after}) "
                    f"on dimension {axis} of size {size} of an input of shape {tuple(shape)}"
                )
            if mode == "replicate" and size == 0 and before + after:
                raise ValueError(f"cannot replicate the edge of an empty dimension {axis}")
    return widths


def pad(input: np.ndarray, pad, mode: str = "constant", value: float = 0.0) -> np.ndarray:
    """Pad ``input`` like ``torch.nn.functional.pad``.

    Args:
        input: array of any shape (..., H, W); float32 or float64.
        pad: ``(left, right)`` for the last dimension, ``(left, right, top, bottom)``
            for the last two; 'constant' accepts more pairs (one per dimension, last first).
        mode: 'constant', 'reflect', 'replicate' or 'circular'.
        value: the fill value of 'constant' padding.

    Returns:
        array (..., H + top + bottom, W + left + right), same dtype as ``input``.
    """
    x = as_float_array(input, "input")
    widths = _check_pad(pad, x.ndim, mode, x.shape)
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode=_NUMPY_MODES[mode])


def pad_backward(grad_output: np.ndarray, input_shape: tuple[int, ...], pad, mode: str = "constant") -> np.ndarray:
    """Gradient of :func:`pad` with respect to its input.

    Args:
        grad_output: gradient of the padded array, shape (..., H + top + bottom, W + left + right).
        input_shape: shape of the input that was padded (..., H, W).
        pad, mode: as given to :func:`pad`.

    Returns:
        array of shape ``input_shape``: for 'constant' the centre of ``grad_output``; for the
        other modes each padded copy's gradient is added onto the pixel it copied.
    """
    g = as_float_array(grad_output, "grad_output")
    input_shape = tuple(int(s) for s in input_shape)
    widths = _check_pad(pad, len(input_shape), mode, input_shape)
    expected = tuple(s + b + a for s, (b, a) in zip(input_shape, widths))
    if g.shape != expected:
        raise ValueError(
            f"grad_output has shape {g.shape} but padding an input of shape {input_shape} "
            f"by {tuple(pad)} gives {expected}"
        )
    if mode == "constant":
        return g[tuple(slice(b, b + s) for s, (b, _) in zip(input_shape, widths))].copy()
    for axis, (before, after) in enumerate(widths):
        if before == after == 0:
            continue
        size = input_shape[axis]
        # source[i] = which input pixel the i-th padded pixel is a copy of
        source = np.pad(np.arange(size), (before, after), mode=_NUMPY_MODES[mode])
        moved = np.moveaxis(g, axis, 0)
        folded = np.zeros((size,) + moved.shape[1:], dtype=g.dtype)
        np.add.at(folded, source, moved)     # copies of the same pixel add up
        g = np.moveaxis(folded, 0, axis)
    return np.ascontiguousarray(g)
