"""One way to say "where the randomness comes from": an int seed or a NumPy Generator.

Every function of ``cnn_core.data`` that draws random numbers takes an ``rng``
argument and passes it through :func:`as_generator`, so the same seed always
gives the same images, shifts, noise and splits.
"""

from __future__ import annotations

import numpy as np


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``rng``.

    - an ``int`` (or NumPy integer) seeds a fresh ``np.random.default_rng(rng)``;
    - a ``Generator`` is used as it is (its state advances as numbers are drawn).

    ``None`` is refused on purpose: a course notebook must give the same figures
    every time it runs, so the seed is always written down.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a non-negative seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be an int seed or a numpy.random.Generator "
        f"(e.g. rng=0 or rng=np.random.default_rng(0)), got {rng!r}"
    )
