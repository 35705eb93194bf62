"""Input checks shared by the reference's functions, with errors in the course's language.

Every public function checks its arguments here first, so a student who passes
a (H, W) image where (N, C, H, W) is expected reads what was expected and what
arrived, not an IndexError from deep inside a loop.
"""

from __future__ import annotations

import numpy as np

from ..shapes import DoesNotFit

_LAYOUTS = {1: "(N,)", 2: "(N, features)", 3: "(C, H, W)", 4: "(N, C, H, W)"}


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
            want = layout or " or ".join(_LAYOUTS.get(n, f"{n}-d") for n in allowed)
            raise ValueError(
                f"{name} must be {'a ' if len(allowed) == 1 else ''}{want} array, "
                f"got shape {x.shape} ({x.ndim}-d)"
                + (" — add a batch axis with x[None]" if x.ndim + 1 in allowed else "")
            )
    if not allow_nonfinite and not np.isfinite(x).all():
        bad = int(np.size(x) - np.isfinite(x).sum())
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); check the previous step")
    return x


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
