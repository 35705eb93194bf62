"""Input checks shared by the reference's functions, with errors in the course's language.

Every public function checks its arguments here first, so a student who passes
a (H, W) image where (N, C, H, W) is expected reads what was expected and what
arrived, not an IndexError from deep inside a loop.
"""

from __future__ import annotations

import numpy as np

from ..shapes import DoesNotFit

_LAYOUTS = {1: "(N,)", 2: "(N, features)", 3: "(C, H, W)", 4: "(N, C, H, W)"}
CONV_WEIGHT = "(out_channels, in_channels/groups, kH, kW)"
LOGITS = "(N, classes) logits"


def as_float_array(x, name: str = "input", ndim: int | tuple[int, ...] | None = None,
                   layout: str | None = None, allow_nonfinite: bool = False) -> np.ndarray:
    """Return ``x`` as a float32/float64 NumPy array, or raise a clear error.

    - integer or boolean arrays are refused (a convolution of uint8 pixels
      would silently wrap around): convert with ``x.astype(np.float32)``;
    - ``ndim`` (an int or a tuple of allowed ranks) checks the rank, naming the
      expected ``layout`` (e.g. ``"(N, C, H, W)"``);
    - NaN and inf are refused unless ``allow_nonfinite``.
    """
    if not isinstance(x, np.ndarray):
        if hasattr(x, "detach") and hasattr(x, "numpy"):
            raise TypeError(
                f"{name} is a torch tensor; the NumPy reference takes NumPy arrays "
                f"(use {name}.detach().cpu().numpy())"
            )
        x = np.asarray(x)
    if x.dtype.kind not in "f":
        raise TypeError(
            f"{name} has dtype {x.dtype}; the reference needs floating point "
            f"(float32 or float64): convert with {name}.astype(np.float32)"
        )
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float32)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.ndim not in allowed:
            raise rank_error(name, x.shape, allowed, layout)
    if not allow_nonfinite and not np.isfinite(x).all():
        bad = int(np.size(x) - np.isfinite(x).sum())
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); check the previous step")
    return x


def rank_error(name: str, shape, allowed: tuple[int, ...], layout: str | None = None,
               kind: str = "array") -> ValueError:
    """The error for an input with the wrong number of axes (a NumPy ``array`` or a torch ``tensor``)."""
    want = layout or " or ".join(_LAYOUTS.get(n, f"{n}-d") for n in allowed)
    return ValueError(f"{name} must be {'a ' if len(allowed) == 1 else ''}{want} {kind}, "
                      f"got shape {tuple(shape)} ({len(shape)}-d)"
                      + (" — add a batch axis with x[None]" if len(shape) + 1 in allowed else ""))


def positive_int(fname: str, name: str, value) -> int:
    """``value`` as an int >= 1 (channels, features, groups), or the course's ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{fname}: {name} must be a positive int, got {value!r}")
    return int(value)


def pair(value, name: str) -> tuple[int, int]:
    """Turn ``3`` or ``(3, 3)`` into ``(3, 3)``, refusing anything else."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        return int(value[0]), int(value[1])
    raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")


def checked_pair(value, name: str, minimum: int = 1) -> tuple[int, int]:
    """:func:`pair`, refusing entries below ``minimum`` (1: positive, 0: zero or positive)."""
    p = pair(value, name)
    if min(p) < minimum:
        raise ValueError(f"{name} must be {'positive' if minimum >= 1 else 'zero or positive'}, got {value!r}")
    return p


STRICT_HINT = "; pass strict=False to drop the leftover rows and columns as PyTorch does"


def fit_error(fname: str, shape, side: str, err: ValueError) -> ValueError:
    """The error for a window that does not fit the input along one side (NumPy and torch paths).

    ``err`` comes from :mod:`cnn_core.shapes`; a stride that misses the last pixels
    (:class:`~cnn_core.shapes.DoesNotFit` with ``leftover``) gets the ``strict=False`` hint.
    """
    message = f"{fname}: input of shape {tuple(shape)}, along the {side}: {err}"
    if isinstance(err, DoesNotFit):
        return DoesNotFit(message + (STRICT_HINT if err.leftover else ""), leftover=err.leftover)
    return ValueError(message)


def grad_output_shape_error(fname: str, got, expected) -> ValueError:
    """The error for a ``grad_output`` that is not shaped like the forward's output."""
    return ValueError(f"{fname}: grad_output has shape {tuple(got)}, but the output had shape {tuple(expected)}")


def check_grad_output(fname: str, grad_output, expected_shape, dtype) -> np.ndarray:
    """``grad_output`` as an (N, C, Ho, Wo) array of ``dtype``, shaped like the forward's output."""
    go = as_float_array(grad_output, "grad_output", ndim=4, layout="(N, C, Ho, Wo)")
    if go.shape != tuple(expected_shape):
        raise grad_output_shape_error(fname, go.shape, expected_shape)
    return go.astype(dtype, copy=False)


def check_divisor_override(divisor_override) -> None:
    """Average pooling's ``divisor_override``: None or a non-zero int."""
    if divisor_override is not None and (isinstance(divisor_override, bool)
                                         or not isinstance(divisor_override, (int, np.integer))
                                         or divisor_override == 0):
        raise ValueError(f"divisor_override must be a non-zero int, got {divisor_override!r}")


# --------------------------------------------------------------------------------------
# convolution layers: the arguments both paths check alike
# --------------------------------------------------------------------------------------
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def check_conv_bias(fname: str, bias_shape, weight_shape) -> None:
    if bias_shape[0] != weight_shape[0]:
        raise ValueError(f"{fname}: bias has {bias_shape[0]} entries but the weight {tuple(weight_shape)} "
                         f"has {weight_shape[0]} filters")


def check_padding_mode(fname: str, padding_mode) -> None:
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{fname}: padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")


def check_padding_word(fname: str, padding, stride: tuple[int, int]) -> None:
    """A padding given as a word: 'same' (stride 1 only) or 'valid'."""
    if padding not in ("same", "valid"):
        raise ValueError(f"{fname}: padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    if padding == "same" and stride != (1, 1):
        raise ValueError(f"{fname}: padding='same' keeps the size only at stride 1, got stride {stride}: "
                         f"give the padding in pixels instead")


def check_conv_layer(fname: str, in_channels, out_channels, kernel_size, stride, padding, groups,
                     padding_mode) -> tuple[int, int]:
    """The constructor arguments of ``Conv2d`` (NumPy and torch); returns the kernel size (kH, kW)."""
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
        positive_int(fname, name, value)
    kernel = checked_pair(kernel_size, "kernel_size")
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"{fname}: groups={groups} must divide in_channels ({in_channels}) "
                         f"and out_channels ({out_channels})")
    check_padding_mode(fname, padding_mode)
    if isinstance(padding, str):
        check_padding_word(fname, padding, checked_pair(stride, "stride"))
    return kernel


# --------------------------------------------------------------------------------------
# the other layers
# --------------------------------------------------------------------------------------
def check_dropout_p(p) -> float:
    """Dropout's ``p``: a number in [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)):
        raise TypeError(f"dropout: p must be a number in [0, 1], got {p!r}")
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p is the probability of dropping a unit and must lie in "
                         f"[0, 1], got p = {p}")
    return float(p)


def flatten_dims(ndim: int, start_dim: int, end_dim: int) -> tuple[int, int]:
    """``flatten``'s dimensions, as non-negative axes of an ``ndim``-d input."""
    for name, d in (("start_dim", start_dim), ("end_dim", end_dim)):
        if not -ndim <= d < ndim:
            raise ValueError(f"flatten: {name}={d} is out of range for a {ndim}-d input")
    s, e = start_dim % ndim, end_dim % ndim
    if s > e:
        raise ValueError(f"flatten: start_dim ({start_dim}) comes after end_dim ({end_dim}) "
                         f"for a {ndim}-d input")
    return s, e


def check_channels(layer: str, num_features: int, shape) -> None:
    """A normalization layer built for ``num_features`` channels sees them on axis 1."""
    if shape[1] != num_features:
        raise ValueError(f"{layer}({num_features}) got an input of shape "
                         f"{tuple(shape)} with {shape[1]} channels on axis 1")


def check_class_targets(shape, target_shape, lowest: int, highest: int, first_bad) -> None:
    """Class indices (N,) for logits (N, K): shape, then every class in 0 ... K-1 (``first_bad()``
    gives the first one that is not, called only when one is)."""
    n, k = shape
    if tuple(target_shape) != (n,):
        raise ValueError(f"cross_entropy: target must have shape (N,) = ({n},) to match "
                         f"input {tuple(shape)}, got {tuple(target_shape)}")
    if lowest < 0 or highest >= k:
        raise ValueError(f"cross_entropy: target contains class {int(first_bad())}, but input has "
                         f"{k} classes, so targets must lie in 0 ... {k - 1}")
