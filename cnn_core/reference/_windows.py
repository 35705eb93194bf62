"""Sliding windows without Python loops over pixels: the machinery under conv and pooling.

The trick: instead of looping over the Ho*Wo output positions (thousands), loop over
the kH*kW *kernel offsets* (9 for a 3x3 filter). For a fixed offset (a, b), the
pixels under that kernel entry, for every output position at once, form one strided
slice of the padded input::

    xp[..., a*dH : a*dH + sH*(Ho-1) + 1 : sH,  b*dW : b*dW + sW*(Wo-1) + 1 : sW]   # (..., Ho, Wo)

- :func:`offset_slices` yields these slices;
- :func:`patch_columns` copies them into the matrix ``cols`` whose columns are the patches
  (im2col, grouped: not the layout of ``torch_ops.im2col``, which is ``F.unfold``'s);
- :func:`fold_windows` is the adjoint: it adds one (..., Ho, Wo) array per offset back
  onto the pixels it came from, so overlapping windows add up (the backward pass).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__: list[str] = []  # private helpers


def offset_slices(kernel_size: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int],
                  out_size: tuple[int, int]) -> Iterator[tuple[int, int, tuple[slice, slice]]]:
    """Yield ``(a, b, (rows, cols))``: the slices of the padded input under kernel entry (a, b)."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel_size, stride, dilation, out_size
    for a in range(kh):
        for b in range(kw):
            y0, x0 = a * dh, b * dw
            yield a, b, (slice(y0, y0 + sh * (ho - 1) + 1, sh), slice(x0, x0 + sw * (wo - 1) + 1, sw))


def patch_columns(xp: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int],
           dilation: tuple[int, int], out_size: tuple[int, int], groups: int) -> np.ndarray:
    """Unroll the patches of ``xp`` (N, C, Hp, Wp) into one matrix per group.

    Returns ``cols`` of shape (groups, C/groups*kH*kW, N*Ho*Wo): column ``m`` is the
    patch (the channels of the group x the kernel) under output pixel ``m``, so a
    convolution is one matrix product ``weight[g] @ cols[g]`` per group.
    """
    n, c = xp.shape[:2]
    kh, kw = kernel_size
    ho, wo = out_size
    cols = np.empty((c, kh, kw, n, ho, wo), dtype=xp.dtype)
    xt = xp.transpose(1, 0, 2, 3)                         # (C, N, Hp, Wp) view
    for a, b, window in offset_slices(kernel_size, stride, dilation, out_size):
        cols[:, a, b] = xt[(..., *window)]                # kernel entry (a, b) at every position
    return cols.reshape(groups, (c // groups) * kh * kw, n * ho * wo)


def fold_windows(values: np.ndarray, padded_size: tuple[int, int], stride: tuple[int, int],
                 dilation: tuple[int, int]) -> np.ndarray:
    """Add ``values`` (kH, kW, ..., Ho, Wo) back onto a zero (..., Hp, Wp) array.

    ``values[a, b]`` holds, for every output position, the number that belongs to the
    pixel under kernel entry (a, b); pixels covered by several windows receive the sum.
    This is col2im, the adjoint of :func:`patch_columns`.
    """
    kh, kw, *lead, ho, wo = values.shape
    out = np.zeros((*lead, *padded_size), dtype=values.dtype)
    for a, b, window in offset_slices((kh, kw), stride, dilation, (ho, wo)):
        out[(..., *window)] += values[a, b]
    return out
