"""Deterministic, disjoint random splits of a data set (train / validation / test ...).

    >>> parts = split_indices(10, {"train": 6, "dev": 2, "test": 2}, rng=0)
    >>> sorted(np.concatenate(list(parts.values())).tolist()) == list(range(10))
    True

The same ``n``, sizes and seed always give the same indices, and no index lands in
two parts: a test image that also sits in the training set would make the test
error meaningless.
"""

from __future__ import annotations

import numpy as np

from ._random import as_generator


def _counts(n: int, sizes: dict) -> dict[str, int]:
    """Turn sizes given as counts (ints) or fractions (floats in (0, 1]) into counts."""
    if not isinstance(sizes, dict):
        raise TypeError(
            f"sizes must be a dict of split name -> size, e.g. {{'train': 4000, 'test': 1000}}, got {sizes!r}"
        )
    counts = {}
    for name, size in sizes.items():
        if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
            count = int(size)
        elif isinstance(size, float) and 0.0 < size <= 1.0:
            count = int(round(size * n))
        else:
            raise ValueError(
                f"size of split {name!r} must be a count (int >= 0) or a fraction in (0, 1], got {size!r}"
            )
        if count < 0:
            raise ValueError(f"size of split {name!r} must be >= 0, got {count}")
        counts[name] = count
    total = sum(counts.values())
    if total > n:
        detail = " + ".join(f"{k}={v}" for k, v in counts.items())
        raise ValueError(f"the splits ask for {detail} = {total} examples, but only {n} are available")
    return counts


def split_indices(n: int, sizes: dict, rng, stratify=None) -> dict[str, np.ndarray]:
    """Shuffle ``range(n)`` and cut it into disjoint parts.

    Parameters
    ----------
    n : int
        Number of examples.
    sizes : dict[str, int | float]
        Name -> count, or name -> fraction of ``n`` (rounded). Counts may sum to
        less than ``n``: the remaining examples are left out.
    rng : int | numpy.random.Generator
        Seed or generator.
    stratify : array of shape (n,), optional
        Class labels. When given, each part gets (as nearly as possible) the same
        class proportions as the whole: each class is shuffled and dealt out on its own.

    Returns
    -------
    dict[str, ndarray of int64]
        Name -> sorted indices into the data set, pairwise disjoint.
    """
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    counts = _counts(int(n), sizes)
    gen = as_generator(rng)
    if stratify is None:
        order = gen.permutation(n)
    else:
        labels = np.asarray(stratify)
        if labels.shape != (n,):
            raise ValueError(f"stratify must have shape ({n},) like the data, got {labels.shape}")
        # interleave the classes: shuffle within each class, then deal them out in turn,
        # so every prefix of `order` has about the class proportions of the whole
        keys = np.empty(n)
        for c in np.unique(labels):
            members = np.flatnonzero(labels == c)
            ranks = gen.permutation(len(members))
            keys[members] = (ranks + gen.random(len(members))) / len(members)
        order = np.argsort(keys, kind="stable")
    parts, start = {}, 0
    for name, count in counts.items():
        parts[name] = np.sort(order[start:start + count]).astype(np.int64)
        start += count
    return parts
