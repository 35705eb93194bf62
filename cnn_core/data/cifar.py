"""CIFAR-10 from its official "python version" archive, read without unpacking it to disk.

    images, labels = load_cifar10("train")   # (50000, 3, 32, 32) float32 in [0, 1], (50000,) int64

The archive ``cifar-10-python.tar.gz`` (https://www.cs.toronto.edu/~kriz/cifar.html,
A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009) holds
``cifar-10-batches-py/data_batch_1`` ... ``data_batch_5`` and ``test_batch``, each a
pickled dict of 10,000 images::

    b"data"      uint8 array (10000, 3072): each row is the 1024 red, then 1024 green,
                 then 1024 blue values of a 32x32 image, row by row
    b"labels"    list of 10000 ints in 0..9
    b"filenames", b"batch_label"  bytes

and ``batches.meta`` with ``b"label_names"``. The pickles are read with
:mod:`cnn_core.data.safe_pickle`, which refuses anything but plain data: a tampered
archive cannot run code.
"""

from __future__ import annotations

import pickle
import tarfile
import zlib

import numpy as np

from .downloads import RemoteFile, corrupt_file_error, fetch_file
from .safe_pickle import safe_load

__all__ = ["CIFAR10_FILE", "CIFAR10_CLASSES", "load_cifar10", "read_cifar10_archive"]

CIFAR10_FILE = RemoteFile(
    filename="cifar-10-python.tar.gz",
    md5="c58f30108f718f92721af3b95e74349a",
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
    dataset="cifar-10",
    loader="load_cifar10()",
)
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")
_FOLDER = "cifar-10-batches-py"
_BATCHES = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}


def _batch(archive: tarfile.TarFile, member: str) -> tuple[np.ndarray, np.ndarray]:
    """One batch: images (n, 3, 32, 32) uint8, labels (n,) int64."""
    try:
        handle = archive.extractfile(f"{_FOLDER}/{member}")
    except KeyError:
        raise ValueError(f"the archive has no {_FOLDER}/{member}") from None
    if handle is None:
        raise ValueError(f"{_FOLDER}/{member} in the archive is not a regular file")
    with handle:
        batch = safe_load(handle)
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise ValueError(f"{_FOLDER}/{member} is not a CIFAR-10 batch (no b'data' and b'labels')")
    data = np.asarray(batch[b"data"])
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
        raise ValueError(f"{_FOLDER}/{member}: b'data' has shape {data.shape} and dtype {data.dtype}, "
                         f"expected ({len(labels)}, 3072) uint8")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{_FOLDER}/{member}: labels outside 0..9")
    return data.reshape(-1, 3, 32, 32), labels


def read_cifar10_archive(path, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Read one split of a ``cifar-10-python.tar.gz`` archive (no checksum check, no download).

    Returns
    -------
    images : uint8 array of shape (N, 3, 32, 32) -- channels R, G, B
    labels : int64 array of shape (N,)

    Raises ValueError (or an unpickling error) when the archive is damaged or not CIFAR-10.
    """
    if split not in _BATCHES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    with tarfile.open(path, "r:gz") as archive:
        parts = [_batch(archive, member) for member in _BATCHES[split]]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def load_cifar10(split: str = "train", data_dir=None, download: bool = True, dtype=np.float32
                 ) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10: 50,000 train or 10,000 test colour images of 10 classes (``CIFAR10_CLASSES``).

    Parameters
    ----------
    split : "train" | "test"
    data_dir : str | Path, optional
        Cache root (default ``$CNN_CORE_DATA`` or ``~/.cache/cnn_core``); the
        archive (163 MiB) goes to ``data_dir/cifar-10/cifar-10-python.tar.gz``.
    download : bool
        Download the archive if it is missing (else FileNotFoundError with instructions).
    dtype : float32 (default), float64 or uint8
        float: pixels / 255 in [0, 1] (the train split then takes 600 MiB as float32);
        uint8: raw 0-255.

    Returns
    -------
    images : array of shape (N, 3, 32, 32)
    labels : int64 array of shape (N,)
    """
    if split not in _BATCHES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = fetch_file(CIFAR10_FILE, data_dir=data_dir, download=download)
    try:
        images, labels = read_cifar10_archive(path, split)
    except (tarfile.TarError, EOFError, OSError, zlib.error, pickle.UnpicklingError, ValueError) as error:
        raise corrupt_file_error(path, CIFAR10_FILE, f"{type(error).__name__}: {error}") from error
    if np.dtype(dtype) != np.uint8:
        images = images.astype(dtype) / np.asarray(255, dtype=dtype)
    return images, labels
