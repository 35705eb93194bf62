"""Pooling: max, average, sum and global pooling, forward and backward.

Pooling slides a window over each channel separately (no weights) and keeps one
number per window: the largest (max), the mean (average) or the total (sum, the
notes' "sum pooling" = average x window area). Global pooling uses one window
the size of the whole feature map: (N, C, H, W) -> (N, C, 1, 1).

Vectorised like the convolution: a loop over the kH*kW offsets inside the window
(4 for a 2x2 window), each a strided slice of the whole batch (see ``_windows``).

Backward:

- average: each pixel of a window receives ``grad / divisor``; overlapping windows add up;
- max: the whole gradient of a window goes to the pixel that was the maximum. On a
  tie, PyTorch picks the *first* maximum in the window (row by row), and so do we.
  The gradients are scattered with ``np.bincount``, so overlapping windows that share
  their maximum add up correctly.

``ceil_mode=True`` is supported (PyTorch's rule: a last, partial window is kept unless
it would start in the right padding). With ``strict=True`` (default, floor mode only)
a stride that does not land exactly on the last pixel raises, as the course teaches;
``strict=False`` drops the leftover rows and columns as PyTorch does.

Shapes: input (N, C, H, W) -> output (N, C, Ho, Wo), Ho = (H + 2P - D(k - 1) - 1)/S + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..shapes import pool_output_size
from ._validate import as_float_array, check_divisor_override, check_grad_output, checked_pair, fit_error
from ._windows import fold_windows, offset_slices
from .module import Module

__all__ = [
    "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward", "sum_pool2d",
    "sum_pool2d_backward", "global_avg_pool2d", "global_avg_pool2d_backward", "global_max_pool2d",
    "global_max_pool2d_backward", "MaxPool2d", "AvgPool2d", "SumPool2d", "GlobalAvgPool2d", "GlobalMaxPool2d",
]



# --------------------------------------------------------------------------------------
# geometry
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolGeometry:
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    padding: tuple[int, int]                # (pH, pW) on each side
    out_size: tuple[int, int]               # (Ho, Wo)
    extra: tuple[int, int]                  # ceil_mode: rows/columns a last partial window hangs past the padding

    @property
    def padded_widths(self):
        """NumPy pad widths for (N, C, H, W): the padding plus any ceil_mode overhang."""
        (ph, pw), (eh, ew) = self.padding, self.extra
        return ((0, 0), (0, 0), (ph, ph + eh), (pw, pw + ew))

    def padded_size(self, h: int, w: int) -> tuple[int, int]:
        (ph, pw), (eh, ew) = self.padding, self.extra
        return h + 2 * ph + eh, w + 2 * pw + ew

    def crop(self, padded: np.ndarray, h: int, w: int) -> np.ndarray:
        ph, pw = self.padding
        return np.ascontiguousarray(padded[:, :, ph : ph + h, pw : pw + w])


def pool_geometry(fname: str, input_shape, kernel_size, stride=None, padding=0, dilation=1,
                  ceil_mode: bool = False, strict: bool = True) -> PoolGeometry:
    """Check a pooling window against the input shape (N, C, H, W) and work out the output size."""
    k = checked_pair(kernel_size, "kernel_size", 1)
    s = k if stride is None else checked_pair(stride, "stride", 1)
    p = checked_pair(padding, "padding", 0)
    d = checked_pair(dilation, "dilation", 1)
    out, extra = [], []
    for axis, side in ((0, "height"), (1, "width")):
        n = input_shape[2 + axis]
        try:
            o = pool_output_size(n, k[axis], s[axis], p[axis], d[axis], ceil_mode=ceil_mode, strict=strict)
        except ValueError as err:
            raise fit_error(fname, input_shape, side, err) from None
        out.append(o)
        reach = (o - 1) * s[axis] + d[axis] * (k[axis] - 1) + 1      # last pixel a window touches, +1
        extra.append(max(0, reach - (n + 2 * p[axis])))
    return PoolGeometry(k, s, d, p, tuple(out), tuple(extra))


def check_max_windows(fname: str, geom: PoolGeometry, input_shape) -> None:
    """Max pooling: every window touches the image. With padding and dilation a window's taps can all
    fall in the padding: it has no maximum (-inf) and no pixel to send its gradient to."""
    for axis in (0, 1):
        n, k, s = input_shape[2 + axis], geom.kernel_size[axis], geom.stride[axis]
        d, p = geom.dilation[axis], geom.padding[axis]
        for o in range(geom.out_size[axis]):
            first = max(0, -(-(p - o * s) // d))            # the first tap at or after the image's first pixel
            if not (first < k and o * s + first * d < p + n):
                raise ValueError(
                    f"{fname}: with padding {geom.padding} and dilation {geom.dilation}, some {geom.kernel_size} "
                    f"windows of the input {tuple(input_shape)} cover only padding (their maximum would be -inf, "
                    f"with no pixel to send its gradient to): use less padding or dilation")


def pool_input(x) -> np.ndarray:
    return as_float_array(x, "input", ndim=4, layout="(N, C, H, W)")


# --------------------------------------------------------------------------------------
# max pooling
# --------------------------------------------------------------------------------------
def _max_pool_with_indices(fname: str, x: np.ndarray, geom: PoolGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Max of every window and, like PyTorch, the flat index h*W + w of the (first) maximum."""
    check_max_windows(fname, geom, x.shape)
    n, c, h, w = x.shape
    xp = np.pad(x, geom.padded_widths, constant_values=-np.inf)    # padding never wins a max
    kw = geom.kernel_size[1]
    best = arg = None
    for a, b, window in offset_slices(geom.kernel_size, geom.stride, geom.dilation, geom.out_size):
        v = xp[(..., *window)]
        if best is None:
            best, arg = v.copy(), np.zeros(v.shape, dtype=np.int64)
        else:
            better = v > best              # strictly greater: on a tie the first maximum stays
            np.copyto(best, v, where=better)
            arg[better] = a * kw + b
    # kernel offset (a, b) of the maximum -> row and column in the unpadded input
    (sh, sw), (dh, dw), (ph, pw) = geom.stride, geom.dilation, geom.padding
    ho, wo = geom.out_size
    rows = np.arange(ho).reshape(ho, 1) * sh - ph + (arg // kw) * dh
    cols = np.arange(wo).reshape(1, wo) * sw - pw + (arg % kw) * dw
    return best, rows * w + cols


def _scatter_max(grad_output: np.ndarray, indices: np.ndarray, input_shape) -> np.ndarray:
    """Send each window's gradient to its maximum; windows sharing a maximum add up."""
    n, c, h, w = input_shape
    flat = indices + (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    grad = np.bincount(flat.ravel(), weights=grad_output.ravel(), minlength=n * c * h * w)
    return grad.reshape(input_shape).astype(grad_output.dtype, copy=False)


def max_pool2d(input: np.ndarray, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False, *, strict: bool = True):
    """Max pooling, like ``torch.nn.functional.max_pool2d``.

    Args:
        input: (N, C, H, W).
        kernel_size, stride (default: kernel_size), padding, dilation: int or pair.
            Padding adds -inf (it never wins) and must be at most half the window.
        ceil_mode: keep a last partial window instead of dropping it.
        return_indices: also return, for every output, the flat index h*W + w of the
            maximum in its (N, C) image, as PyTorch does.

    Returns:
        (N, C, Ho, Wo), or ``(output, indices)`` with ``return_indices``.
    """
    x = pool_input(input)
    geom = pool_geometry("max_pool2d", x.shape, kernel_size, stride, padding, dilation, ceil_mode, strict)
    out, indices = _max_pool_with_indices("max_pool2d", x, geom)
    return (out, indices) if return_indices else out


def max_pool2d_backward(grad_output: np.ndarray, input: np.ndarray, kernel_size, stride=None, padding=0,
                        dilation=1, ceil_mode: bool = False, *, strict: bool = True) -> np.ndarray:
    """Gradient of :func:`max_pool2d`: grad_output (N, C, Ho, Wo) -> grad_input (N, C, H, W)."""
    x = pool_input(input)
    geom = pool_geometry("max_pool2d_backward", x.shape, kernel_size, stride, padding, dilation, ceil_mode, strict)
    g = check_grad_output("max_pool2d_backward", grad_output, (*x.shape[:2], *geom.out_size), x.dtype)
    _, indices = _max_pool_with_indices("max_pool2d_backward", x, geom)
    return _scatter_max(g, indices, x.shape)


# --------------------------------------------------------------------------------------
# average and sum pooling
# --------------------------------------------------------------------------------------
def _window_counts(n: int, k: int, s: int, p: int, extra: int, out: int, include_pad: bool) -> np.ndarray:
    """Along one axis: how many of each window's k pixels count towards the average."""
    counts = np.zeros(n + 2 * p + extra)
    if include_pad:
        counts[: n + 2 * p] = 1        # image and padding, not the ceil_mode overhang (PyTorch)
    else:
        counts[p : p + n] = 1          # the image only
    return sum(counts[a : a + s * (out - 1) + 1 : s] for a in range(k))


def _divisor(geom: PoolGeometry, h: int, w: int, count_include_pad: bool, divisor_override):
    """The number each window's sum is divided by: a scalar or an (Ho, Wo) array."""
    check_divisor_override(divisor_override)
    if divisor_override is not None:
        return divisor_override
    (kh, kw), (sh, sw), (ph, pw), (eh, ew), (ho, wo) = (geom.kernel_size, geom.stride, geom.padding,
                                                        geom.extra, geom.out_size)
    if count_include_pad and eh == ew == 0:
        return kh * kw
    rows = _window_counts(h, kh, sh, ph, eh, ho, count_include_pad)
    cols = _window_counts(w, kw, sw, pw, ew, wo, count_include_pad)
    return np.outer(rows, cols)


def avg_pool2d(input: np.ndarray, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None, *,
               strict: bool = True) -> np.ndarray:
    """Average pooling, like ``torch.nn.functional.avg_pool2d``.

    Args:
        input: (N, C, H, W).
        kernel_size, stride (default: kernel_size), padding: int or pair (zero padding,
            at most half the window).
        count_include_pad: divide by the whole window (True) or only by its pixels
            inside the image (False).
        divisor_override: divide every window's sum by this number instead.

    Returns:
        (N, C, Ho, Wo) in the input's dtype.
    """
    x = pool_input(input)
    h, w = x.shape[2:]
    geom = pool_geometry("avg_pool2d", x.shape, kernel_size, stride, padding, 1, ceil_mode, strict)
    divisor = _divisor(geom, h, w, count_include_pad, divisor_override)
    xp = np.pad(x, geom.padded_widths)
    total = np.zeros((*x.shape[:2], *geom.out_size), dtype=x.dtype)
    for _, _, window in offset_slices(geom.kernel_size, geom.stride, geom.dilation, geom.out_size):
        total += xp[(..., *window)]
    return (total / divisor).astype(x.dtype, copy=False)


def avg_pool2d_backward(grad_output: np.ndarray, input: np.ndarray, kernel_size, stride=None, padding=0,
                        ceil_mode: bool = False, count_include_pad: bool = True,
                        divisor_override: int | None = None, *, strict: bool = True) -> np.ndarray:
    """Gradient of :func:`avg_pool2d`: every pixel of a window gets ``grad / divisor``.

    grad_output (N, C, Ho, Wo) -> grad_input (N, C, H, W) (``input`` gives the shape and dtype).
    """
    x = pool_input(input)
    h, w = x.shape[2:]
    geom = pool_geometry("avg_pool2d_backward", x.shape, kernel_size, stride, padding, 1, ceil_mode, strict)
    g = check_grad_output("avg_pool2d_backward", grad_output, (*x.shape[:2], *geom.out_size), x.dtype)
    share = (g / _divisor(geom, h, w, count_include_pad, divisor_override)).astype(x.dtype, copy=False)
    per_offset = np.broadcast_to(share, (*geom.kernel_size, *share.shape))   # the same share for every pixel
    return geom.crop(fold_windows(per_offset, geom.padded_size(h, w), geom.stride, geom.dilation), h, w)


def sum_pool2d(input: np.ndarray, kernel_size, stride=None, padding=0, ceil_mode: bool = False, *,
               strict: bool = True) -> np.ndarray:
    """Sum pooling (the notes' third kind): the total of each window, = average x window area.

    input (N, C, H, W) -> (N, C, Ho, Wo).
    """
    return avg_pool2d(input, kernel_size, stride, padding, ceil_mode, divisor_override=1, strict=strict)


def sum_pool2d_backward(grad_output: np.ndarray, input: np.ndarray, kernel_size, stride=None, padding=0,
                        ceil_mode: bool = False, *, strict: bool = True) -> np.ndarray:
    """Gradient of :func:`sum_pool2d`: every pixel of a window gets the window's whole gradient."""
    return avg_pool2d_backward(grad_output, input, kernel_size, stride, padding, ceil_mode, divisor_override=1,
                               strict=strict)


# --------------------------------------------------------------------------------------
# global pooling
# --------------------------------------------------------------------------------------
def global_avg_pool2d(input: np.ndarray) -> np.ndarray:
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1) (``adaptive_avg_pool2d(x, 1)``)."""
    x = pool_input(input)
    return x.mean(axis=(2, 3), keepdims=True)


def global_avg_pool2d_backward(grad_output: np.ndarray, input: np.ndarray) -> np.ndarray:
    """grad_output (N, C, 1, 1) -> grad_input (N, C, H, W): each pixel gets grad / (H*W)."""
    x = pool_input(input)
    n, c, h, w = x.shape
    g = check_grad_output("global_avg_pool2d_backward", grad_output, (n, c, 1, 1), x.dtype)
    return np.broadcast_to(g / (h * w), x.shape).astype(x.dtype)


def global_max_pool2d(input: np.ndarray) -> np.ndarray:
    """Largest value of each feature map: (N, C, H, W) -> (N, C, 1, 1) (``adaptive_max_pool2d(x, 1)``)."""
    x = pool_input(input)
    return x.max(axis=(2, 3), keepdims=True)


def global_max_pool2d_backward(grad_output: np.ndarray, input: np.ndarray) -> np.ndarray:
    """grad_output (N, C, 1, 1) -> grad_input (N, C, H, W): all of it to the (first) maximum."""
    x = pool_input(input)
    n, c, h, w = x.shape
    g = check_grad_output("global_max_pool2d_backward", grad_output, (n, c, 1, 1), x.dtype)
    first_max = x.reshape(n, c, h * w).argmax(axis=2)          # argmax returns the first maximum
    return _scatter_max(g, first_max.reshape(n, c, 1, 1), x.shape)


# --------------------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------------------
class MaxPool2d(Module):
    """``torch.nn.MaxPool2d``: forward (N, C, H, W) -> (N, C, Ho, Wo); backward routes the
    gradient to each window's maximum (remembered in forward)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False, *, strict: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode, self.strict = return_indices, ceil_mode, strict
        self._cache = None

    def forward(self, x):
        x = pool_input(x)
        geom = pool_geometry("MaxPool2d", x.shape, self.kernel_size, self.stride, self.padding, self.dilation,
                             self.ceil_mode, self.strict)
        out, indices = _max_pool_with_indices("MaxPool2d", x, geom)
        self._cache = (x.shape, x.dtype, indices)
        return (out, indices) if self.return_indices else out

    def backward(self, grad_output):
        shape, dtype, indices = self._cache
        g = check_grad_output("MaxPool2d.backward", grad_output, (*shape[:2], *indices.shape[2:]), dtype)
        return _scatter_max(g, indices, shape)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """``torch.nn.AvgPool2d``: forward (N, C, H, W) -> (N, C, Ho, Wo)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None, *, strict: bool = True) -> None:
        super().__init__()
        check_divisor_override(divisor_override)
        self.kernel_size, self.stride, self.padding, self.ceil_mode = kernel_size, stride, padding, ceil_mode
        self.count_include_pad, self.divisor_override, self.strict = count_include_pad, divisor_override, strict
        self._input = None

    def _args(self):
        return (self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                self.divisor_override)

    def forward(self, x):
        self._input = pool_input(x)   # only its shape and dtype are needed, but it is cheap to keep
        return avg_pool2d(self._input, *self._args(), strict=self.strict)

    def backward(self, grad_output):
        return avg_pool2d_backward(grad_output, self._input, *self._args(), strict=self.strict)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class SumPool2d(AvgPool2d):
    """Sum pooling: the total of each window (an ``AvgPool2d`` with ``divisor_override=1``)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, *, strict: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, divisor_override=1, strict=strict)


class GlobalAvgPool2d(Module):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""

    def __init__(self) -> None:
        super().__init__()
        self._input = None

    def forward(self, x):
        self._input = pool_input(x)
        return global_avg_pool2d(self._input)

    def backward(self, grad_output):
        return global_avg_pool2d_backward(grad_output, self._input)


class GlobalMaxPool2d(GlobalAvgPool2d):
    """Largest value of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""

    def forward(self, x):
        self._input = pool_input(x)
        return global_max_pool2d(self._input)

    def backward(self, grad_output):
        return global_max_pool2d_backward(grad_output, self._input)
