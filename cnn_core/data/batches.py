"""Mini-batches for the NumPy side of the course: a loop over (images, labels) pairs.

    for x, y in iterate_minibatches(images, labels, batch_size=64, shuffle=True, rng=epoch):
        ...

It is the NumPy twin of ``torch.utils.data.DataLoader`` (see
:mod:`cnn_core.data.torch_data`): same ``batch_size``, ``shuffle`` and ``drop_last``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ._random import as_generator

__all__ = ["iterate_minibatches", "num_batches"]


def num_batches(n: int, batch_size: int, drop_last: bool = False) -> int:
    """How many batches :func:`iterate_minibatches` yields for ``n`` examples."""
    return n // batch_size if drop_last else -(-n // batch_size)


def iterate_minibatches(images: np.ndarray, labels: np.ndarray, batch_size: int, shuffle: bool = False,
                        rng=None, drop_last: bool = False,
                        transform: Callable | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(x, y)`` mini-batches that together visit every example once.

    Parameters
    ----------
    images : array of shape (N, ...), e.g. (N, C, H, W)
    labels : array of shape (N, ...), e.g. (N,)
    batch_size : int
        Examples per batch; the last batch is smaller unless ``drop_last``.
    shuffle : bool
        Visit the examples in a random order (needs ``rng``: pass a new seed or the
        same Generator every epoch for a new order each time).
    rng : int | numpy.random.Generator
        Needed when ``shuffle`` is True, or when ``transform`` draws random numbers.
    drop_last : bool
        Skip a last, incomplete batch.
    transform : callable(x, rng) -> x, optional
        Applied to each image batch (x of shape (B, C, H, W)), e.g. an augmentation
        from :mod:`cnn_core.data.transforms`.

    Yields
    ------
    x : array of shape (B, ...), y : array of shape (B, ...) -- copies, safe to modify.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length N, got {len(images)} images "
                         f"(shape {images.shape}) and {len(labels)} labels (shape {labels.shape})")
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    gen = None
    if shuffle or transform is not None:
        if rng is None:
            raise ValueError("shuffle=True or a transform needs rng (an int seed or a numpy Generator)")
        gen = as_generator(rng)
    n = len(images)
    order = gen.permutation(n) if shuffle else np.arange(n)
    stop = (n // batch_size) * batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        index = order[start:start + batch_size]
        x, y = images[index], labels[index]
        if transform is not None:
            x = transform(x, gen)
        yield x, y
