"""Output sizes, padding, parameter and multiply-add counts: the arithmetic of one layer,
its inputs checked (``_whole``), with errors that show the arithmetic (:class:`DoesNotFit`).
Re-exported by :mod:`cnn_core.shapes`."""

from __future__ import annotations

import math

from .._numbers import number

# --------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------
def _whole(value, name: str, minimum: int) -> int:
    """``value`` as an int >= ``minimum``, or a ValueError/TypeError that says why not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{name} must be a whole number, got {value}")
        value = int(value)
    value = int(value)
    if value < minimum:
        what = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{name} must be {what}, got {value}")
    return value


class DoesNotFit(ValueError):
    """A filter or window that does not fit its input along one dimension.

    ``leftover`` is True when it fits but the stride misses the last pixels, the case that
    ``strict=False`` (PyTorch's flooring) accepts; False when it is larger than the input.
    The NumPy and PyTorch layers add the input's shape and, for ``leftover``, that hint
    (``cnn_core/reference/_validate.py``).
    """

    def __init__(self, message: str, *, leftover: bool):
        super().__init__(message)
        self.leftover = leftover


def article(n: int) -> str:
    """'a' or 'an' before a number read aloud: a 7x7 input, an 8x8 input, an 11x11 filter."""
    digits = str(n)
    vowel = digits.startswith("8") or (len(digits) % 3 == 2 and digits[:2] in ("11", "18"))
    return "an" if vowel else "a"


def _filter_words(k: int, dilation: int, word: str = "filter") -> str:
    if dilation == 1:
        return f"{article(k)} {k}x{k} {word}"
    span = dilation * (k - 1) + 1
    return f"{article(k)} {k}x{k} {word} with dilation {dilation} (spanning {span}x{span} pixels)"


def _numerator_text(n: int, padding: int, span: int) -> str:
    return f"{n} - {span}" if padding == 0 else f"{n} + 2*{padding} - {span}"


# --------------------------------------------------------------------------------------
# output sizes
# --------------------------------------------------------------------------------------
def same_padding(kernel_size: int, dilation: int = 1) -> int:
    """Padding P that keeps the size at stride 1: P = D(F - 1) / 2 (the notes' (F - 1)/2).

    Only odd filter spans can be padded equally on both sides, one reason filters are
    odd-sized; an even span raises (PyTorch's ``padding='same'`` then puts the extra pixel
    on the right and bottom).
    """
    k = _whole(kernel_size, "kernel_size", 1)
    d = _whole(dilation, "dilation", 1)
    total = d * (k - 1)
    if total % 2:
        raise ValueError(
            f"{_filter_words(k, d)} needs {total}/2 = {number(total / 2, 6, decimals=2)} pixels of padding on "
            f"each side for 'same' output: only odd filter sizes pad symmetrically "
            f"(PyTorch's padding='same' puts the extra pixel on the right and bottom)"
        )
    return total // 2


def keras_same_padding(n: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """The padding (before, after) of Keras' and TensorFlow's ``padding='same'`` along one
    dimension: the output has ceil(N / S) pixels, at any stride.

    The padding is whatever makes that true, (ceil(N/S) - 1) S + D(F - 1) + 1 - N in total
    (never negative), with the odd pixel after (right, bottom). At stride 1 and odd
    spans it is :func:`same_padding` on both sides; this is the rule behind the notes'
    "output size = input size / stride".

    >>> keras_same_padding(5, 3, stride=2)   # ceil(5/2) = 3 outputs
    (1, 1)
    >>> keras_same_padding(6, 3, stride=2)   # ceil(6/2) = 3 outputs: one pixel, on the right
    (0, 1)
    """
    n = _whole(n, "input size", 1)
    k = _whole(kernel_size, "kernel_size", 1)
    s = _whole(stride, "stride", 1)
    d = _whole(dilation, "dilation", 1)
    out = -(-n // s)                                      # ceil(n / s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def conv_output_size(n: int, kernel_size: int, stride: int = 1, padding: int | str = 0,
                     dilation: int = 1, *, strict: bool = True) -> int:
    """Output size of a convolution along one dimension: (N + 2P - D(F - 1) - 1)/S + 1.

    ``padding`` is a number of pixels on each side, ``'valid'`` (0) or ``'same'`` (output
    size = input size; stride 1 only, as in PyTorch). With ``strict=True`` a configuration
    where the filter does not land exactly on the last pixels raises ValueError showing
    the arithmetic; with ``strict=False`` the size is floored as PyTorch does (the leftover
    rows and columns are dropped).

    >>> conv_output_size(32, 5, padding=2)
    32
    >>> conv_output_size(7, 3, stride=2)
    3
    """
    n = _whole(n, "input size", 1)
    k = _whole(kernel_size, "kernel_size", 1)
    s = _whole(stride, "stride", 1)
    d = _whole(dilation, "dilation", 1)
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            if s != 1:
                raise ValueError(
                    f"padding='same' keeps the size only at stride 1, got stride {s}: "
                    f"give the padding in pixels instead"
                )
            return n
        else:
            raise ValueError(f"padding must be a number of pixels, 'same' or 'valid', got {padding!r}")
    return _sliding_size(n, k, s, _whole(padding, "padding", 0), d, strict, "filter")


def _sliding_size(n: int, k: int, s: int, p: int, d: int, strict: bool, word: str) -> int:
    """Output size of a ``word`` (filter or window) sliding over ``n`` pixels padded by ``p``."""
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        padded = f"{n}x{n} input" if p == 0 else f"{n}x{n} input padded to {n + 2 * p}x{n + 2 * p}"
        raise DoesNotFit(f"{_filter_words(k, d, word)} does not fit {article(n)} {padded}: "
                         f"the {word} is larger than the image", leftover=False)
    room = n + 2 * p - span
    if strict and room % s:
        raise DoesNotFit(
            f"{_filter_words(k, d, word)} with stride {s} does not fit {article(n)} {n}x{n} input"
            + (f" with padding {p}" if p else "")
            + f": ({_numerator_text(n, p, span)})/{s} + 1 = {number(room / s + 1, 6, decimals=2)} "
            + "is not a whole number",
            leftover=True)
    return room // s + 1


def pool_output_size(n: int, kernel_size: int, stride: int | None = None, padding: int = 0,
                     dilation: int = 1, *, ceil_mode: bool = False, strict: bool = True) -> int:
    """Output size of a pooling window along one dimension (stride defaults to the window).

    Same formula as a convolution. PyTorch requires ``padding <= kernel_size // 2``.
    ``ceil_mode=True`` keeps a last, partial window (PyTorch's rule: a window that would
    start entirely in the right padding is dropped); ``strict`` only applies to the
    default floor mode.

    >>> pool_output_size(32, 2)
    16
    """
    k = _whole(kernel_size, "kernel_size", 1)
    s = k if stride is None else _whole(stride, "stride", 1)
    p = _whole(padding, "padding", 0)
    d = _whole(dilation, "dilation", 1)
    if p > k // 2:
        raise ValueError(
            f"pooling padding must be at most half the window ({k}//2 = {k // 2}), got {p}"
        )
    n = _whole(n, "input size", 1)
    if not ceil_mode:
        return _sliding_size(n, k, s, p, d, strict, "window")
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        raise DoesNotFit(f"{_filter_words(k, 1, 'window')} does not fit {article(n)} {n}x{n} input padded by {p}",
                         leftover=False)
    out = math.ceil((n + 2 * p - span) / s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return out


def conv_transpose_output_size(n: int, kernel_size: int, stride: int = 1, padding: int = 0,
                               output_padding: int = 0, dilation: int = 1) -> int:
    """Output size of a transposed convolution: (N - 1)S - 2P + D(F - 1) + output_padding + 1."""
    n = _whole(n, "input size", 1)
    k = _whole(kernel_size, "kernel_size", 1)
    s = _whole(stride, "stride", 1)
    p = _whole(padding, "padding", 0)
    op = _whole(output_padding, "output_padding", 0)
    d = _whole(dilation, "dilation", 1)
    if op >= max(s, d):
        raise ValueError(f"output_padding ({op}) must be smaller than the stride ({s}) or the dilation ({d})")
    out = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(f"padding {p} removes the whole output of this transposed convolution ({out} pixels left)")
    return out


# --------------------------------------------------------------------------------------
# parameters and compute
# --------------------------------------------------------------------------------------
def _kernel_pair(kernel_size) -> tuple[int, int]:
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size must be an int or a pair (kH, kW), got {kernel_size!r}")
        return _whole(kernel_size[0], "kernel height", 1), _whole(kernel_size[1], "kernel width", 1)
    k = _whole(kernel_size, "kernel_size", 1)
    return k, k


def conv_params(in_channels: int, out_channels: int, kernel_size, bias: bool = True, groups: int = 1) -> int:
    """Learnable parameters of a conv layer: F*F*(C/groups)*K weights + K biases.

    >>> conv_params(3, 10, 5)  # the notes: ten 5x5 filters on an RGB image
    760
    """
    c = _whole(in_channels, "in_channels", 1)
    kout = _whole(out_channels, "out_channels", 1)
    g = _whole(groups, "groups", 1)
    kh, kw = _kernel_pair(kernel_size)
    if c % g or kout % g:
        raise ValueError(f"groups={g} must divide both in_channels ({c}) and out_channels ({kout})")
    return kh * kw * (c // g) * kout + (kout if bias else 0)


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Learnable parameters of a dense layer: in*out weights + out biases."""
    i = _whole(in_features, "in_features", 1)
    o = _whole(out_features, "out_features", 1)
    return i * o + (o if bias else 0)


def conv_macs(in_channels: int, out_channels: int, kernel_size, output_size, groups: int = 1) -> int:
    """Multiply-adds of one conv layer for one image: every output pixel of every filter
    is a dot product of F*F*(C/groups) numbers. ``output_size``: an int or (H, W)."""
    kh, kw = _kernel_pair(kernel_size)
    weights_per_filter = conv_params(in_channels, out_channels, (kh, kw), bias=False, groups=groups) // out_channels
    oh, ow = _kernel_pair(output_size)
    return oh * ow * out_channels * weights_per_filter
