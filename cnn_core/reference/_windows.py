"""Sliding windows without Python loops over pixels: the machinery under conv and pooling.

Two operations, adjoint to each other:

- :func:`windows` cuts a padded (..., Hp, Wp) array into every window the filter
  visits, as a *view* of shape (..., Ho, Wo, kH, kW) (no copy: NumPy's
  ``sliding_window_view`` moves strides, not data). ``windows(x)[..., i, j, :, :]``
  is the patch under the filter at output position (i, j).
- :func:`fold_windows` does the opposite: given one value per (window, kernel
  offset) it adds each value back onto the pixel it came from. Overlapping windows
  (stride < kernel) add up, which is exactly what a backward pass needs. It loops
  over the kH*kW kernel offsets only (9 iterations for a 3x3 filter), each one a
  strided slice-add over the whole batch.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__: list[str] = []  # private helpers


def windows(xp: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int],
            dilation: tuple[int, int], out_size: tuple[int, int]) -> np.ndarray:
    """Every window of ``xp`` (..., Hp, Wp) as a read-only view (..., Ho, Wo, kH, kW).

    A dilated kH x kW filter spans D(k - 1) + 1 pixels; we take windows of that span
    and keep every D-th pixel of each, and every S-th window position.
    """
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel_size, stride, dilation, out_size
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    v = sliding_window_view(xp, (span_h, span_w), axis=(-2, -1))
    return v[..., : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, ::dh, ::dw]


def fold_windows(values: np.ndarray, padded_size: tuple[int, int], stride: tuple[int, int],
                 dilation: tuple[int, int]) -> np.ndarray:
    """Add window values (..., Ho, Wo, kH, kW) back onto a zero (..., Hp, Wp) array.

    The adjoint of :func:`windows`: pixel (y, x) receives the sum of every
    ``values[..., i, j, a, b]`` with ``i*sH + a*dH == y`` and ``j*sW + b*dW == x``.
    """
    *lead, ho, wo, kh, kw = values.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((*lead, *padded_size), dtype=values.dtype)
    for a in range(kh):          # one strided slice-add per kernel offset (a, b)
        for b in range(kw):
            y0, x0 = a * dh, b * dw
            out[..., y0 : y0 + sh * (ho - 1) + 1 : sh, x0 : x0 + sw * (wo - 1) + 1 : sw] += values[..., a, b]
    return out


def im2col(xp: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int],
           dilation: tuple[int, int], out_size: tuple[int, int], groups: int) -> np.ndarray:
    """Unroll the windows of ``xp`` (N, C, Hp, Wp) into a matrix per group.

    Returns ``cols`` of shape (groups, N*Ho*Wo, C/groups*kH*kW): row ``m`` of group
    ``g`` is the patch (channels of that group x kernel) under output pixel m, so a
    convolution is one matrix product ``cols[g] @ weight[g].T`` per group.
    """
    n, c = xp.shape[:2]
    ho, wo = out_size
    kh, kw = kernel_size
    cg = c // groups
    v = windows(xp, kernel_size, stride, dilation, out_size)          # (N, C, Ho, Wo, kH, kW)
    v = v.reshape(n, groups, cg, ho, wo, kh, kw)                       # still a view
    cols = np.ascontiguousarray(v.transpose(1, 0, 3, 4, 2, 5, 6))      # (G, N, Ho, Wo, Cg, kH, kW)
    return cols.reshape(groups, n * ho * wo, cg * kh * kw)
