"""PyTorch ``Dataset`` / ``DataLoader`` wrappers over the same NumPy arrays.

    loader = make_loader(images, labels, batch_size=64, shuffle=True, seed=0)
    for x, y in loader:            # x: float32 tensor (B, C, H, W), y: int64 tensor (B,)
        ...

This is the only module of ``cnn_core.data`` that imports torch; everything else
works without it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from ._random import as_generator

__all__ = ["ArrayDataset", "BatchTransform", "make_loader"]


class ArrayDataset(Dataset):
    """A map-style dataset over NumPy arrays; item i is ``(tensor of images[i], labels[i])``.

    Parameters
    ----------
    images : array of shape (N, C, H, W)
    labels : array of shape (N,)

    The arrays are shared, not copied: ``torch.from_numpy`` views them.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        images, labels = np.asarray(images), np.asarray(labels)
        if len(images) != len(labels):
            raise ValueError(f"images and labels must have the same length N, got {len(images)} "
                             f"images (shape {images.shape}) and {len(labels)} labels (shape {labels.shape})")
        self.images = np.ascontiguousarray(images)
        self.labels = np.ascontiguousarray(labels, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index):
        return torch.from_numpy(self.images[index]), torch.as_tensor(self.labels[index])


class BatchTransform:
    """A ``collate_fn`` that stacks a batch and applies a NumPy transform ``f(x, rng)`` to it.

    The same augmentations (:mod:`cnn_core.data.transforms`) then serve both sides of
    the course. Use it with ``num_workers=0`` (the default of :func:`make_loader`)
    so that the random stream is reproducible.
    """

    def __init__(self, transform: Callable, rng):
        self.transform = transform
        self.rng = as_generator(rng)

    def __call__(self, samples):
        x = np.stack([s[0].numpy() for s in samples])
        y = torch.stack([s[1] for s in samples])
        return torch.from_numpy(np.ascontiguousarray(self.transform(x, self.rng))), y


def make_loader(images: np.ndarray, labels: np.ndarray, batch_size: int, shuffle: bool = False,
                seed: int = 0, drop_last: bool = False, transform: Callable | None = None,
                num_workers: int = 0) -> DataLoader:
    """A ``DataLoader`` over NumPy arrays, reproducible from ``seed``.

    Parameters
    ----------
    images : array of shape (N, C, H, W); labels : array of shape (N,)
    batch_size, shuffle, drop_last, num_workers : as in ``torch.utils.data.DataLoader``
    seed : int
        Seeds the shuffling (a ``torch.Generator``) and the transform's NumPy generator.
    transform : callable(x, rng) -> x, optional
        A batch-wise NumPy transform, e.g. ``transforms.Compose([...])``.

    Yields (x, y): x a tensor of shape (B, C, H, W) with the dtype of ``images``, y int64 (B,).
    """
    generator = torch.Generator().manual_seed(int(seed))
    collate = BatchTransform(transform, seed) if transform is not None else None
    return DataLoader(ArrayDataset(images, labels), batch_size=batch_size, shuffle=shuffle,
                      drop_last=drop_last, generator=generator, collate_fn=collate, num_workers=num_workers)
