"""Normalization and simple augmentation on NumPy batches (N, C, H, W) -- chapter 10.

Every random transform has the signature ``f(x, rng) -> x``: a batch in, a new
batch out (the input is never modified), randomness from ``rng`` (an int seed or a
``numpy.random.Generator``). :class:`Compose` chains them::

    augment = Compose([RandomShift(2), RandomFlip(p=0.5), GaussianNoise(0.05)])
    x_aug = augment(x, rng)

Each image of the batch gets its own random shift / flip / noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..shapes import article
from ._random import as_generator

__all__ = [
    "channel_stats", "normalize", "denormalize",
    "random_shift", "random_flip", "gaussian_noise",
    "RandomShift", "RandomFlip", "GaussianNoise", "Compose",
]


def _batch(x, name: str = "x") -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{name} must be an (N, C, H, W) batch, got shape {x.shape}"
                         + (" -- add a batch axis with x[None]" if x.ndim == 3 else ""))
    if x.dtype.kind != "f":
        raise TypeError(f"{name} has dtype {x.dtype}; convert to float first, e.g. x.astype(np.float32) / 255")
    return x


def channel_stats(x) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation over a training set (N, C, H, W) -> two (C,) arrays.

    Compute them on the training split only and reuse them for every split.
    """
    x = _batch(x)
    return x.mean(axis=(0, 2, 3), dtype=np.float64).astype(x.dtype), x.std(axis=(0, 2, 3), dtype=np.float64).astype(x.dtype)


def _per_channel(value, c: int, name: str, dtype) -> np.ndarray:
    value = np.asarray(value, dtype=dtype).reshape(-1)
    if value.size == 1:
        value = np.repeat(value, c)
    if value.size != c:
        raise ValueError(f"{name} has {value.size} values but the batch has {c} channels")
    return value.reshape(1, c, 1, 1)


def normalize(x, mean, std) -> np.ndarray:
    """``(x - mean) / std`` per channel, like ``torchvision.transforms.Normalize``.

    x : (N, C, H, W); mean, std : scalars or sequences of C values (std > 0).
    """
    x = _batch(x)
    c = x.shape[1]
    std = _per_channel(std, c, "std", x.dtype)
    if np.any(std <= 0):
        raise ValueError(f"std must be positive in every channel, got {std.ravel()} (a constant channel?)")
    return (x - _per_channel(mean, c, "mean", x.dtype)) / std


def denormalize(x, mean, std) -> np.ndarray:
    """Undo :func:`normalize`: ``x * std + mean`` per channel (to show normalized images)."""
    x = _batch(x)
    c = x.shape[1]
    return x * _per_channel(std, c, "std", x.dtype) + _per_channel(mean, c, "mean", x.dtype)


def random_shift(x, max_shift: int, rng, fill: float = 0.0) -> np.ndarray:
    """Shift each image by a random whole number of pixels in ``-max_shift .. max_shift`` (each axis).

    Pixels that move out are lost; pixels that come in are ``fill``. The shift is
    a translation, not a roll: nothing wraps around.
    """
    x = _batch(x)
    if not isinstance(max_shift, (int, np.integer)) or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative int, got {max_shift!r}")
    n, _, h, w = x.shape
    if max_shift >= min(h, w):
        raise ValueError(f"max_shift={max_shift} would push {article(h)} {h}x{w} image out of its frame")
    gen = as_generator(rng)
    shifts = gen.integers(-max_shift, max_shift + 1, size=(n, 2))
    p = max_shift
    padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
    out = np.empty_like(x)
    for i, (dy, dx) in enumerate(shifts):
        # output pixel (r, c) shows input pixel (r - dy, c - dx): the content moves by (+dy, +dx)
        out[i] = padded[i, :, p - dy:p - dy + h, p - dx:p - dx + w]
    return out


def random_flip(x, rng, p: float = 0.5, axis: str = "horizontal") -> np.ndarray:
    """Mirror each image with probability ``p``, left-right ("horizontal") or top-bottom ("vertical").

    Beware: a flipped digit is often not the same digit (chapter 10).
    """
    x = _batch(x)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p is a probability, got {p}")
    if axis not in ("horizontal", "vertical"):
        raise ValueError(f"axis must be 'horizontal' or 'vertical', got {axis!r}")
    gen = as_generator(rng)
    flip = gen.random(len(x)) < p
    out = x.copy()
    image_axis = 3 if axis == "horizontal" else 2
    out[flip] = np.flip(x[flip], axis=image_axis)
    return out


def gaussian_noise(x, std: float, rng, clip: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """Add independent Gaussian noise of standard deviation ``std`` to every pixel, then clip (None: no clip)."""
    x = _batch(x)
    if std < 0:
        raise ValueError(f"std must be >= 0, got {std}")
    gen = as_generator(rng)
    out = x + gen.normal(0.0, std, size=x.shape).astype(x.dtype)
    return np.clip(out, *clip) if clip is not None else out


class RandomShift:
    """:func:`random_shift` as a callable ``f(x, rng)``."""

    def __init__(self, max_shift: int, fill: float = 0.0):
        self.max_shift, self.fill = max_shift, fill

    def __call__(self, x, rng):
        return random_shift(x, self.max_shift, rng, self.fill)

    def __repr__(self):
        return f"RandomShift(max_shift={self.max_shift}, fill={self.fill})"


class RandomFlip:
    """:func:`random_flip` as a callable ``f(x, rng)``."""

    def __init__(self, p: float = 0.5, axis: str = "horizontal"):
        self.p, self.axis = p, axis

    def __call__(self, x, rng):
        return random_flip(x, rng, self.p, self.axis)

    def __repr__(self):
        return f"RandomFlip(p={self.p}, axis={self.axis!r})"


class GaussianNoise:
    """:func:`gaussian_noise` as a callable ``f(x, rng)``."""

    def __init__(self, std: float, clip: tuple[float, float] | None = (0.0, 1.0)):
        self.std, self.clip = std, clip

    def __call__(self, x, rng):
        return gaussian_noise(x, self.std, rng, self.clip)

    def __repr__(self):
        return f"GaussianNoise(std={self.std}, clip={self.clip})"


class Compose:
    """Apply transforms in order, all drawing from the same generator."""

    def __init__(self, transforms: Sequence):
        self.transforms = list(transforms)

    def __call__(self, x, rng):
        gen = as_generator(rng)
        for transform in self.transforms:
            x = transform(x, gen)
        return x

    def __repr__(self):
        return "Compose([" + ", ".join(map(repr, self.transforms)) + "])"
