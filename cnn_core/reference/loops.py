"""The teaching versions: convolution and pooling as plain loops, the way the notes do them.

Each function here has the same signature, the same checks and the same result as
its fast twin in ``conv.py`` / ``pooling.py``; the tests check that they agree. They
are slow (Python loops over every output pixel) and meant to be read:

    for every image n, every filter o, every output position (i, j):
        take the patch under the filter, multiply it element-wise with the filter,
        sum, add the bias.

The backward passes read the same loops the other way round: every term
``patch * weight`` that went into an output also sends ``grad_output`` back to
the patch (through the weight) and to the weight (through the patch).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_divisor_override, check_grad_output
from .conv import check_conv_arrays, conv_geometry
from .pooling import check_max_windows, pool_geometry, pool_input

__all__ = ["conv2d", "conv2d_backward", "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward"]


def _patch_slices(i: int, j: int, kernel_size, stride, dilation) -> tuple[slice, slice]:
    """Rows and columns of the (padded) input under the filter at output position (i, j)."""
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    top, left = i * sh, j * sw
    return slice(top, top + dh * (kh - 1) + 1, dh), slice(left, left + dw * (kw - 1) + 1, dw)


# --------------------------------------------------------------------------------------
# convolution
# --------------------------------------------------------------------------------------
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, padding_mode="zeros",
           strict=True):
    """Loop version of :func:`cnn_core.reference.conv2d` (same arguments, same result)."""
    x, w, b = check_conv_arrays("conv2d", input, weight, bias)
    geom = conv_geometry("conv2d", x.shape, w.shape, stride, padding, dilation, groups, padding_mode, strict)
    xp = geom.pad_input(x)                          # add the border (zeros, reflect, ...)
    n_images, out_channels = x.shape[0], w.shape[0]
    in_per_group, out_per_group = w.shape[1], out_channels // geom.groups
    out = np.zeros((n_images, out_channels, *geom.out_size), dtype=x.dtype)
    for n in range(n_images):
        for o in range(out_channels):
            g = o // out_per_group                  # the group of filter o sees only its channels
            channels = slice(g * in_per_group, (g + 1) * in_per_group)
            for i in range(geom.out_size[0]):
                for j in range(geom.out_size[1]):
                    rows, cols = _patch_slices(i, j, geom.kernel_size, geom.stride, geom.dilation)
                    patch = xp[n, channels, rows, cols]         # (C/groups, kH, kW)
                    out[n, o, i, j] = np.sum(patch * w[o])      # the dot product
                    if b is not None:
                        out[n, o, i, j] += b[o]                 # plus the bias
    return out


def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1, groups=1, *,
                    padding_mode="zeros", bias=True, strict=True):
    """Loop version of :func:`cnn_core.reference.conv2d_backward`: (grad_input, grad_weight, grad_bias)."""
    x, w, _ = check_conv_arrays("conv2d_backward", input, weight)
    geom = conv_geometry("conv2d_backward", x.shape, w.shape, stride, padding, dilation, groups, padding_mode,
                         strict)
    go = check_grad_output("conv2d_backward", grad_output, (x.shape[0], w.shape[0], *geom.out_size), x.dtype)
    xp = geom.pad_input(x)
    grad_xp = np.zeros_like(xp)                     # gradient w.r.t. the *padded* input
    grad_w = np.zeros_like(w)
    in_per_group, out_per_group = w.shape[1], w.shape[0] // geom.groups
    for n in range(x.shape[0]):
        for o in range(w.shape[0]):
            g = o // out_per_group
            channels = slice(g * in_per_group, (g + 1) * in_per_group)
            for i in range(geom.out_size[0]):
                for j in range(geom.out_size[1]):
                    rows, cols = _patch_slices(i, j, geom.kernel_size, geom.stride, geom.dilation)
                    # out[n, o, i, j] = sum(patch * w[o]) + b[o], so:
                    grad_w[o] += go[n, o, i, j] * xp[n, channels, rows, cols]
                    grad_xp[n, channels, rows, cols] += go[n, o, i, j] * w[o]
    grad_b = go.sum(axis=(0, 2, 3)) if bias else None
    return geom.unpad_grad(grad_xp, x.shape), grad_w, grad_b   # the border's gradient folds back


# --------------------------------------------------------------------------------------
# max pooling
# --------------------------------------------------------------------------------------
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False, *,
               strict=True):
    """Loop version of :func:`cnn_core.reference.max_pool2d`."""
    x = pool_input(input)
    geom = pool_geometry("max_pool2d", x.shape, kernel_size, stride, padding, dilation, ceil_mode, strict)
    check_max_windows("max_pool2d", geom, x.shape)                   # every window touches the image
    xp = np.pad(x, geom.padded_widths, constant_values=-np.inf)     # the padding never wins
    n_images, channels, h, w = x.shape
    ph, pw = geom.padding
    out = np.zeros((n_images, channels, *geom.out_size), dtype=x.dtype)
    indices = np.zeros(out.shape, dtype=np.int64)
    for n in range(n_images):
        for c in range(channels):
            for i in range(geom.out_size[0]):
                for j in range(geom.out_size[1]):
                    rows, cols = _patch_slices(i, j, geom.kernel_size, geom.stride, geom.dilation)
                    window = xp[n, c, rows, cols]
                    a, b = np.unravel_index(np.argmax(window), window.shape)  # argmax: the FIRST maximum
                    out[n, c, i, j] = window[a, b]
                    row = rows.start + a * geom.dilation[0] - ph             # back to unpadded coordinates
                    col = cols.start + b * geom.dilation[1] - pw
                    indices[n, c, i, j] = row * w + col
    return (out, indices) if return_indices else out


def max_pool2d_backward(grad_output, input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, *,
                        strict=True):
    """Loop version of :func:`cnn_core.reference.max_pool2d_backward`."""
    x = pool_input(input)
    _, indices = max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode, True, strict=strict)
    g = check_grad_output("max_pool2d_backward", grad_output, indices.shape, x.dtype)
    grad = np.zeros_like(x)
    w = x.shape[3]
    for n, c, i, j in np.ndindex(*g.shape):
        row, col = divmod(int(indices[n, c, i, j]), w)
        grad[n, c, row, col] += g[n, c, i, j]       # += : overlapping windows may share a maximum
    return grad


# --------------------------------------------------------------------------------------
# average pooling
# --------------------------------------------------------------------------------------
def _divisor(geom, rows, cols, h, w, count_include_pad, divisor_override):
    """What the window at (rows, cols) of the padded input is divided by."""
    check_divisor_override(divisor_override)
    if divisor_override is not None:
        return divisor_override
    ph, pw = geom.padding
    # padded coordinates: the image is [ph, ph + h), the padding [0, h + 2*ph); ceil_mode may reach beyond
    lo_r, hi_r = (0, h + 2 * ph) if count_include_pad else (ph, ph + h)
    lo_c, hi_c = (0, w + 2 * pw) if count_include_pad else (pw, pw + w)
    n_rows = sum(lo_r <= r < hi_r for r in range(rows.start, rows.stop))
    n_cols = sum(lo_c <= c < hi_c for c in range(cols.start, cols.stop))
    return n_rows * n_cols


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None, *, strict=True):
    """Loop version of :func:`cnn_core.reference.avg_pool2d`."""
    x = pool_input(input)
    geom = pool_geometry("avg_pool2d", x.shape, kernel_size, stride, padding, 1, ceil_mode, strict)
    xp = np.pad(x, geom.padded_widths)              # zero padding
    n_images, channels, h, w = x.shape
    out = np.zeros((n_images, channels, *geom.out_size), dtype=x.dtype)
    for n in range(n_images):
        for c in range(channels):
            for i in range(geom.out_size[0]):
                for j in range(geom.out_size[1]):
                    rows, cols = _patch_slices(i, j, geom.kernel_size, geom.stride, geom.dilation)
                    divisor = _divisor(geom, rows, cols, h, w, count_include_pad, divisor_override)
                    out[n, c, i, j] = xp[n, c, rows, cols].sum() / divisor
    return out


def avg_pool2d_backward(grad_output, input, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None, *, strict=True):
    """Loop version of :func:`cnn_core.reference.avg_pool2d_backward`."""
    x = pool_input(input)
    geom = pool_geometry("avg_pool2d_backward", x.shape, kernel_size, stride, padding, 1, ceil_mode, strict)
    g = check_grad_output("avg_pool2d_backward", grad_output, (*x.shape[:2], *geom.out_size), x.dtype)
    n_images, channels, h, w = x.shape
    grad_xp = np.zeros((n_images, channels, *geom.padded_size(h, w)), dtype=x.dtype)
    for n in range(n_images):
        for c in range(channels):
            for i in range(geom.out_size[0]):
                for j in range(geom.out_size[1]):
                    rows, cols = _patch_slices(i, j, geom.kernel_size, geom.stride, geom.dilation)
                    divisor = _divisor(geom, rows, cols, h, w, count_include_pad, divisor_override)
                    grad_xp[n, c, rows, cols] += g[n, c, i, j] / divisor   # every pixel of the window
    return geom.crop(grad_xp, h, w)
