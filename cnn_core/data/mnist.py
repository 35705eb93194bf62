"""MNIST and Fashion-MNIST in their official idx format, downloaded once into the cache.

    images, labels = load_mnist("train")            # (60000, 1, 28, 28) float32, (60000,) int64
    images, labels = load_fashion_mnist("test")     # (10000, 1, 28, 28), (10000,)

Needs the network the first time (or the files put in the cache by hand: the
error message says where). The book and the exercises use the bundled
:func:`cnn_core.data.load_mnist_5k` instead, which never needs the network.

- MNIST: Y. LeCun, C. Cortes, C. J. C. Burges, CC BY-SA 3.0. Official site
  http://yann.lecun.com/exdb/mnist/ (often unreachable: the mirror PyTorch uses is
  tried first). MD5 checksums as published with torchvision.
- Fashion-MNIST: H. Xiao, K. Rasul, R. Vollgraf (Zalando Research), MIT licence.
"""

from __future__ import annotations

import numpy as np

from .downloads import CorruptFileError, RemoteFile, corrupt_file_error, fetch_file
from .idx import IdxFormatError, read_idx

__all__ = ["MNIST_FILES", "FASHION_MNIST_FILES", "FASHION_MNIST_CLASSES", "load_mnist", "load_fashion_mnist"]

_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
_FASHION_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)

_NAMES = {
    ("train", "images"): "train-images-idx3-ubyte.gz",
    ("train", "labels"): "train-labels-idx1-ubyte.gz",
    ("test", "images"): "t10k-images-idx3-ubyte.gz",
    ("test", "labels"): "t10k-labels-idx1-ubyte.gz",
}
_MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
_FASHION_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}


def _files(md5s: dict, mirrors: tuple, dataset: str, loader: str) -> dict:
    return {key: RemoteFile(name, md5s[name], mirrors, dataset, loader) for key, name in _NAMES.items()}


#: (split, "images" | "labels") -> RemoteFile
MNIST_FILES = _files(_MNIST_MD5, _MNIST_MIRRORS, "mnist", "load_mnist()")
FASHION_MNIST_FILES = _files(_FASHION_MD5, _FASHION_MIRRORS, "fashion-mnist", "load_fashion_mnist()")

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def _read(remote: RemoteFile, data_dir, download: bool, ndim: int):
    path = fetch_file(remote, data_dir=data_dir, download=download)
    try:
        return path, read_idx(path, expect_ndim=ndim)
    except IdxFormatError as error:
        raise corrupt_file_error(path, remote, str(error)) from error


def _load(files: dict, split: str, data_dir, download: bool, dtype) -> tuple[np.ndarray, np.ndarray]:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    image_path, images = _read(files[split, "images"], data_dir, download, ndim=3)
    label_path, labels = _read(files[split, "labels"], data_dir, download, ndim=1)
    if len(images) != len(labels):
        raise CorruptFileError(
            f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels: "
            f"the two files do not belong together. Delete both and run {files[split, 'labels'].loader} again."
        )
    images = images[:, None, :, :]
    if np.dtype(dtype) != np.uint8:
        images = images.astype(dtype) / np.asarray(255, dtype=dtype)
    return images, labels.astype(np.int64)


def load_mnist(split: str = "train", data_dir=None, download: bool = True, dtype=np.float32
               ) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST handwritten digits, 60,000 train or 10,000 test.

    Parameters
    ----------
    split : "train" | "test"
    data_dir : str | Path, optional
        Cache root (default ``$CNN_CORE_DATA`` or ``~/.cache/cnn_core``); files go to ``data_dir/mnist/``.
    download : bool
        Download missing files (else FileNotFoundError with instructions).
    dtype : float32 (default), float64 or uint8
        float: pixels / 255 in [0, 1]; uint8: raw pixels 0-255 (4x less memory).

    Returns
    -------
    images : array of shape (N, 1, 28, 28)
    labels : int64 array of shape (N,)
    """
    return _load(MNIST_FILES, split, data_dir, download, dtype)


def load_fashion_mnist(split: str = "train", data_dir=None, download: bool = True, dtype=np.float32
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Zalando), 60,000 train or 10,000 test; same layout as :func:`load_mnist`.

    Labels index ``FASHION_MNIST_CLASSES``. Files go to ``data_dir/fashion-mnist/``.
    """
    return _load(FASHION_MNIST_FILES, split, data_dir, download, dtype)
