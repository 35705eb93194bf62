"""A digit domain shift for transfer learning (chapter 12) and mismatched splits (chapter 13).

- **Source** (plenty of data): the 5,000 bundled 28x28 MNIST digits (:func:`load_mnist_5k`).
- **Target** (scarce, different): the 1,797 8x8 digits of scikit-learn, scaled up
  to ``digit_size`` pixels (bilinear), blurred and centred in a 28x28 frame the way
  MNIST centres its 20x20 digits: same classes and image size, a different look
  (blocky, blurry, other writers).

The splits follow the notes (set 004, "building a dog-image classifier"):

    train   most source images, plus ``target_in_train`` target images
    bridge  (train-dev) held out from the *same mixture* as train, never trained on
    dev     target images only
    test    target images only

so train error vs bridge error measures variance, and bridge error vs dev error
measures data mismatch.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._random import as_generator
from .bundled import load_digits_8x8, load_mnist_5k
from .splits import split_indices

__all__ = ["Split", "degrade_digits", "load_digit_domain_shift", "SOURCE", "TARGET"]

#: values of the ``domain`` arrays
SOURCE, TARGET = 0, 1


class Split(NamedTuple):
    """One split: images (N, 1, 28, 28) float32, labels (N,) int64, domain (N,) int64 (0 source, 1 target)."""

    images: np.ndarray
    labels: np.ndarray
    domain: np.ndarray


def degrade_digits(images: np.ndarray, digit_size: int = 20, size: int = 28, blur: float = 1.0) -> np.ndarray:
    """Scale small digits up to ``digit_size`` pixels, blur them and centre them in a ``size`` frame.

    Parameters
    ----------
    images : array of shape (N, 1, h, w), values in [0, 1]
    digit_size : int
        Side of the scaled digit (<= size).
    size : int
        Side of the output frame.
    blur : float
        Standard deviation, in output pixels, of the Gaussian blur (0: none).

    Returns
    -------
    float32 array of shape (N, 1, size, size), values in [0, 1].
    """
    from scipy.ndimage import gaussian_filter, zoom

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"images must be (N, 1, H, W), got shape {images.shape}")
    if not 0 < digit_size <= size:
        raise ValueError(f"digit_size must be in 1..size={size}, got {digit_size}")
    n, _, h, w = images.shape
    scaled = zoom(images[:, 0], (1, digit_size / h, digit_size / w), order=1, grid_mode=True, mode="nearest")
    if blur > 0:
        scaled = gaussian_filter(scaled, sigma=(0, blur, blur), mode="constant")
    out = np.zeros((n, 1, size, size), dtype=np.float32)
    top, left = (size - scaled.shape[1]) // 2, (size - scaled.shape[2]) // 2
    out[:, 0, top:top + scaled.shape[1], left:left + scaled.shape[2]] = scaled
    return np.clip(out, 0.0, 1.0)


def _take(images, labels, domain, index) -> Split:
    return Split(images[index], labels[index], domain[index])


def load_digit_domain_shift(rng, bridge: int = 500, dev: int = 600, test: int = 600,
                            target_in_train: int = 200, digit_size: int = 20, blur: float = 1.0
                            ) -> dict[str, Split]:
    """The source/target digit splits: ``{"train", "bridge", "dev", "test"}`` -> :class:`Split`.

    Parameters
    ----------
    rng : int | numpy.random.Generator
        Seed: the same seed gives the same splits.
    bridge : int
        Size of the bridge (train-dev) set, cut from the training mixture.
    dev, test : int
        Sizes of the target-only dev and test sets (stratified by class).
    target_in_train : int
        Target images added to the training mixture ("collect a little target data").
        dev + test + target_in_train must be at most 1,797.
    digit_size, blur : see :func:`degrade_digits`.

    Returns
    -------
    dict of Split, each with images (N, 1, 28, 28) float32 in [0, 1], labels (N,) int64,
    domain (N,) int64. No image appears in two splits.
    """
    gen = as_generator(rng)
    source_x, source_y = load_mnist_5k()
    small_x, target_y = load_digits_8x8()
    target_x = degrade_digits(small_x, digit_size=digit_size, blur=blur)

    target_parts = split_indices(len(target_y), {"dev": dev, "test": test, "target_in_train": target_in_train},
                                 gen, stratify=target_y)
    extra = target_parts["target_in_train"]
    images = np.concatenate([source_x, target_x[extra]])
    labels = np.concatenate([source_y, target_y[extra]])
    domain = np.concatenate([np.full(len(source_y), SOURCE), np.full(len(extra), TARGET)])
    # stratify by (class, domain) so that the bridge set is a small copy of the training mixture
    mixture = split_indices(len(labels), {"bridge": bridge, "train": len(labels) - bridge}, gen,
                            stratify=2 * labels + domain)
    # the train set is shuffled once so that a first look at train["images"][:16] shows every class
    train_order = gen.permutation(mixture["train"])
    return {
        "train": _take(images, labels, domain, train_order),
        "bridge": _take(images, labels, domain, mixture["bridge"]),
        "dev": Split(target_x[target_parts["dev"]], target_y[target_parts["dev"]],
                     np.full(len(target_parts["dev"]), TARGET)),
        "test": Split(target_x[target_parts["test"]], target_y[target_parts["test"]],
                      np.full(len(target_parts["test"]), TARGET)),
    }
