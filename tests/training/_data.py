"""Tiny problems the training tests learn in well under a second."""

import torch
from torch.utils.data import DataLoader, TensorDataset


def blobs(n: int = 200, seed: int = 0, flip: bool = False):
    """Two linearly separable Gaussian clouds in 2-D, labels 0/1 (swapped with ``flip``)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    centres = torch.tensor([[-2.0, -2.0], [2.0, 2.0]])
    x = centres[y] + 0.5 * torch.randn(n, 2, generator=g)
    return x, (1 - y) if flip else y


def loader(x, y, batch_size=32, shuffle=False):
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle)


def mlp(dropout: float = 0.0) -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Dropout(dropout),
                               torch.nn.Linear(16, 2))
