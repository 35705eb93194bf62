"""Images the course draws itself: the X and O letters of the notes, simple shapes, bars.

All generators are seeded (``rng``: an int or a ``numpy.random.Generator``) and
return ``(images, labels)`` with images float32 of shape (N, 1, H, W) in [0, 1]
and labels int64 of shape (N,). Classes are balanced (N // K or N // K + 1 of
each) and come in a shuffled order.

The letters
-----------
The notes (set 000, "Tic-Tac-Toe") draw an "O" and an "X" as 6x6 grids of 0/1
pixels and convolve the O with the 3x3 anti-diagonal filter [[0, 0, 1], [0, 1, 0],
[1, 0, 0]], bias -2, to get the feature map

     1 -1 -2 -1
    -1 -2 -1 -2
    -2 -1 -2 -1
    -1 -2 -1  1

The OCR of the notes lost the drawings themselves; :data:`LETTERS` holds the grids
reconstructed from the worked example (the O below gives exactly that feature map,
which the tests check) and the X drawn the same way, as the two diagonals of the
6x6 square.
"""

from __future__ import annotations

import math

import numpy as np

from ..shapes import article
from ._random import as_generator

__all__ = [
    "LETTERS",
    "XO_CLASSES",
    "SHAPE_CLASSES",
    "letter",
    "make_xo_letters",
    "make_shapes",
    "make_bars",
]

_O = [
    [0, 0, 1, 1, 0, 0],
    [0, 1, 0, 0, 1, 0],
    [1, 0, 0, 0, 0, 1],
    [1, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 1, 0, 0],
]
_X = [
    [1, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 1, 0, 0],
    [0, 0, 1, 1, 0, 0],
    [0, 1, 0, 0, 1, 0],
    [1, 0, 0, 0, 0, 1],
]

#: The base patterns, 6x6 grids of 0/1 pixels (read-only; use :func:`letter` for a copy).
LETTERS = {"X": np.array(_X, dtype=np.float32), "O": np.array(_O, dtype=np.float32)}
for _grid in LETTERS.values():
    _grid.setflags(write=False)

#: Label i of :func:`make_xo_letters` is the letter ``XO_CLASSES[i]``.
XO_CLASSES = ("X", "O")
#: Label i of :func:`make_shapes` is the shape ``SHAPE_CLASSES[i]``.
SHAPE_CLASSES = ("square", "circle", "triangle")


def letter(name: str, signed: bool = False) -> np.ndarray:
    """A fresh float32 (6, 6) copy of the letter "X" or "O" of the notes.

    Pixels are 0/1 as in the notes, or -1/+1 with ``signed=True`` (the convention of
    other tutorials, where a background pixel also "votes").
    """
    key = str(name).upper()
    if key not in LETTERS:
        raise ValueError(f"the notes draw the letters 'X' and 'O', got {name!r}")
    grid = LETTERS[key].copy()
    return 2 * grid - 1 if signed else grid


def _balanced_labels(n: int, k: int, gen: np.random.Generator) -> np.ndarray:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n (the number of images) must be a non-negative int, got {n!r}")
    return gen.permutation(np.arange(n, dtype=np.int64) % k)


def _add_noise(images: np.ndarray, noise: float, gen: np.random.Generator) -> np.ndarray:
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise}")
    if noise > 0:
        images = images + gen.normal(0.0, noise, size=images.shape).astype(np.float32)
    return np.clip(images, 0.0, 1.0).astype(np.float32)


def _rotate(pattern: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate a small pattern about its centre (bilinear, same frame, corners may clip)."""
    from scipy.ndimage import rotate

    return np.clip(rotate(pattern, degrees, reshape=False, order=1, mode="constant"), 0.0, 1.0)


def make_xo_letters(n: int, rng, size: int = 10, max_shift: int = 2, noise: float = 0.0,
                    max_rotation: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Shifted, optionally rotated, noisy copies of the X and O of the notes.

    Each letter (6x6) is placed in a ``size`` x ``size`` canvas at the centre plus a
    shift drawn uniformly from ``-max_shift .. max_shift`` pixels along each axis, so
    it always stays inside the canvas. A dense layer sees a shifted letter as new
    pixels; a convolution's feature map just shifts with it (chapter 1).

    Parameters
    ----------
    n : int
        Number of images.
    rng : int | numpy.random.Generator
        Seed or generator.
    size : int
        Height and width of the canvas, at least 6.
    max_shift : int
        Largest shift in pixels, at most (size - 6) // 2.
    noise : float
        Standard deviation of Gaussian pixel noise (the result is clipped to [0, 1]).
    max_rotation : float
        Largest rotation in degrees (uniform in [-max_rotation, max_rotation]);
        0 keeps the pixels of the notes exactly.

    Returns
    -------
    images : float32 array of shape (n, 1, size, size)
    labels : int64 array of shape (n,) -- 0 for "X", 1 for "O" (see ``XO_CLASSES``)
    """
    if not isinstance(size, (int, np.integer)) or size < 6:
        raise ValueError(f"the letters are 6x6, so the canvas size must be an int >= 6, got {size!r}")
    room = (size - 6) // 2
    if not isinstance(max_shift, (int, np.integer)) or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative int, got {max_shift!r}")
    if max_shift > room:
        raise ValueError(
            f"a 6x6 letter shifted by up to {max_shift} pixels does not fit {article(size)} {size}x{size} canvas: "
            f"the room on each side is ({size} - 6) // 2 = {room}; use size >= {6 + 2 * max_shift} "
            f"or max_shift <= {room}"
        )
    gen = as_generator(rng)
    labels = _balanced_labels(n, 2, gen)
    images = np.zeros((n, 1, size, size), dtype=np.float32)
    start = (size - 6) // 2
    for i, label in enumerate(labels):
        pattern = LETTERS[XO_CLASSES[label]]
        if max_rotation:
            pattern = _rotate(pattern, gen.uniform(-max_rotation, max_rotation))
        dy, dx = gen.integers(-max_shift, max_shift + 1, size=2)
        top, left = start + dy, start + dx
        images[i, 0, top:top + 6, left:left + 6] = pattern
    return _add_noise(images, noise, gen), labels


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (row, col) of a size x size image."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    return rows + 0.5, cols + 0.5


def make_shapes(n: int, rng, size: int = 16, min_extent: int = 6, noise: float = 0.0
                ) -> tuple[np.ndarray, np.ndarray]:
    """Filled squares, circles and triangles of random size and position.

    Each shape fits in a box of side ``e`` (uniform in ``min_extent .. size - 2``)
    placed anywhere inside the canvas with a margin of one pixel.

    Returns
    -------
    images : float32 array of shape (n, 1, size, size), shapes at 1 on a 0 background
    labels : int64 array of shape (n,) -- index into ``SHAPE_CLASSES``
    """
    if not isinstance(size, (int, np.integer)) or size < min_extent + 2 or min_extent < 3:
        raise ValueError(
            f"need min_extent >= 3 and size >= min_extent + 2, got size={size!r}, min_extent={min_extent!r}"
        )
    gen = as_generator(rng)
    labels = _balanced_labels(n, len(SHAPE_CLASSES), gen)
    rows, cols = _grid(size)
    images = np.zeros((n, 1, size, size), dtype=np.float32)
    for i, label in enumerate(labels):
        extent = int(gen.integers(min_extent, size - 1))
        top, left = gen.integers(1, size - extent, size=2)
        y, x = rows - top, cols - left  # coordinates inside the shape's box [0, extent)
        inside_box = (y >= 0) & (y < extent) & (x >= 0) & (x < extent)
        name = SHAPE_CLASSES[label]
        if name == "square":
            mask = inside_box
        elif name == "circle":
            r = extent / 2
            mask = (y - r) ** 2 + (x - r) ** 2 <= r * r
        else:  # triangle: apex at the top centre, base along the bottom of the box
            mask = inside_box & (np.abs(x - extent / 2) <= y / 2)
        images[i, 0] = mask
    return _add_noise(images, noise, gen), labels


def make_bars(n: int, rng, size: int = 16, angles=(0.0, 45.0, 90.0, 135.0), width: float = 2.0,
              length: float | None = None, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Straight bars at a few orientations, for edge and orientation detectors.

    Angles are in degrees, counter-clockwise from horizontal as seen on screen:
    0 is a horizontal bar, 90 a vertical one, 45 rises to the right. The bar's
    centre is drawn uniformly within a quarter of the canvas of the centre.

    Parameters
    ----------
    angles : sequence of float
        The orientations; the label is the index into this sequence.
    width : float
        Thickness in pixels.
    length : float, optional
        Length in pixels (default: 0.7 * size).

    Returns
    -------
    images : float32 array of shape (n, 1, size, size), bar pixels at 1
    labels : int64 array of shape (n,) -- index into ``angles``
    """
    if not isinstance(size, (int, np.integer)) or size < 5:
        raise ValueError(f"size must be an int >= 5, got {size!r}")
    angles = tuple(float(a) for a in angles)
    if not angles:
        raise ValueError("angles must name at least one orientation")
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    length = 0.7 * size if length is None else float(length)
    gen = as_generator(rng)
    labels = _balanced_labels(n, len(angles), gen)
    rows, cols = _grid(size)
    images = np.zeros((n, 1, size, size), dtype=np.float32)
    for i, label in enumerate(labels):
        theta = math.radians(angles[label])
        cy, cx = size / 2 + gen.uniform(-size / 8, size / 8, size=2)
        up, right = -(rows - cy), cols - cx  # screen coordinates: y grows upwards
        along = right * math.cos(theta) + up * math.sin(theta)
        across = -right * math.sin(theta) + up * math.cos(theta)
        images[i, 0] = (np.abs(across) <= width / 2) & (np.abs(along) <= length / 2)
    return _add_noise(images, noise, gen), labels
