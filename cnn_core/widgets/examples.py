"""The images and kernels the explorers offer: the notes' matrices first, then real data.

Matrices are copied from the lecture notes (set number in the name); what the notes
*computed* from them is never copied here as an expected value: the explorers compute it
with ``cnn_core.reference`` and compare with the notes' printed results (``NOTES_POOLING``)
only to point out the notes' slips.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["IMAGES", "KERNELS", "POOLING_INPUTS", "NOTES_POOLING", "image", "kernel"]

#: Kernels by name: 2-d float arrays.
KERNELS = {
    "notes [1 2 1; 0 0 0; 1 2 1]": [[1, 2, 1], [0, 0, 0], [1, 2, 1]],
    "vertical edge": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "horizontal edge": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "blur (box 3x3)": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "outline (8 / -1)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "diagonal stroke (X/O)": [[0, 0, 1], [0, 1, 0], [1, 0, 0]],
    "notes 2x2 [0 1; 2 3]": [[0, 1], [2, 3]],
}

_NOTES_6x6 = [[2, 4, 5, 6, 2, 3], [3, 1, 2, 3, 5, 7], [2, 3, 1, 3, 6, 0],
              [7, 7, 8, 4, 6, 2], [8, 4, 6, 9, 4, 8], [3, 4, 6, 8, 10, 4]]
_NOTES_EDGE = [[4, 9, 2, 5, 8, 3], [5, 6, 2, 4, 0, 3], [2, 4, 5, 4, 5, 2],
               [5, 6, 5, 4, 7, 8], [5, 7, 7, 9, 2, 1], [5, 8, 5, 3, 8, 4]]


def _letter(name):
    from cnn_core.data import letter
    return letter(name)


def _digit():
    from cnn_core.data import load_digits_8x8
    images, _ = load_digits_8x8()
    return images[0, 0] * 16          # the first digit (a 0), in the data's 0..16 units


def _photo():
    from cnn_core.data import load_photo
    return load_photo("camera", gray=True)[0, ::16, ::16]     # 32x32 gray, values in [0, 1]


#: Images by name: a 2-d array, or a function that makes one (data loaded on first use).
IMAGES = {
    "notes 6x6 (set 001)": _NOTES_6x6,
    "notes vertical-edge 6x6 (set 004)": _NOTES_EDGE,
    "notes 3x3 (0..8)": [[0, 1, 2], [3, 4, 5], [6, 7, 8]],
    "letter O (set 000)": lambda: _letter("O"),
    "letter X (set 000)": lambda: _letter("X"),
    "digit 8x8 (scikit-learn)": _digit,
    "photo 32x32 (camera)": _photo,
}

#: The 4x4 matrices of the notes' pooling examples.
POOLING_INPUTS = {
    "notes set 001": [[2, 4, 3, 5], [4, 6, 1, 4], [7, 8, 5, 4], [3, 4, 1, 2]],
    "notes set 004": [[4, 3, 1, 5], [1, 3, 4, 8], [4, 5, 4, 3], [6, 5, 9, 4]],
}

#: What the notes print for 2x2 pooling with stride 2 on those matrices (to point out slips;
#: the notes round averages to one decimal).
NOTES_POOLING = {
    ("notes set 001", "max"): [[6, 5], [8, 5]],
    ("notes set 001", "average"): [[4, 4.2], [5.5, 3]],
    ("notes set 004", "max"): [[4, 8], [6, 9]],
    ("notes set 004", "average"): [[2.8, 4.5], [5.3, 5.0]],
}


@functools.lru_cache(maxsize=None)
def _image(name: str) -> np.ndarray:
    source = IMAGES[name]
    a = np.array(source() if callable(source) else source, dtype=np.float64)
    a.setflags(write=False)
    return a


def image(name: str) -> np.ndarray:
    """A fresh float64 (H, W) copy of the image ``name`` (one of ``IMAGES``)."""
    if name not in IMAGES:
        raise ValueError(f"unknown image {name!r}; the explorers offer: {', '.join(IMAGES)}")
    return _image(name).copy()


def kernel(name: str) -> np.ndarray:
    """A float64 (kH, kW) copy of the kernel ``name`` (one of ``KERNELS``)."""
    if name not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}; the explorers offer: {', '.join(KERNELS)}")
    return np.array(KERNELS[name], dtype=np.float64)
