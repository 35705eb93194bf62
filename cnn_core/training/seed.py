"""``seed_everything``: the same seed, the same run (bitwise, on a CPU)."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["seed_everything"]


def seed_everything(seed: int, *, deterministic: bool = True) -> None:
    """Seed Python's, NumPy's and PyTorch's random generators (every device).

    Call it before building the model (its initial weights are random) and
    before creating a shuffling DataLoader. On a CPU, two runs of the same code
    after the same seed give bitwise-identical weights. With ``deterministic``,
    cuDNN is also told to pick deterministic algorithms (slower; on a GPU a few
    operations stay non-deterministic: see PyTorch's "Reproducibility" notes).
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)          # also seeds every CUDA device
    os.environ["PYTHONHASHSEED"] = str(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
