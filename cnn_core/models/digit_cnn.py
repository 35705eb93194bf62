"""A small CNN for 28x28 digits whose parts have names: the network chapters 12 and 13
pre-train, freeze, fine-tune and compare.

Three conv blocks (the *body*, the features that transfer) and one linear layer (the
*head*, replaced or retrained for a new task)::

    block1  conv 3x3, 1 -> 8,  ReLU, max pool 2    8x14x14      80 parameters
    block2  conv 3x3, 8 -> 16, ReLU, max pool 2   16x7x7     1,168
    block3  conv 3x3, 16 -> 32, ReLU, max pool 2  32x3x3     4,640  (then flatten: 288)
    head    linear 288 -> 10                                  2,890
                                                              8,778 in all
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

__all__ = ["digit_cnn"]


def digit_cnn(num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """The named small CNN: ``model.block1`` ... ``model.block3`` (the body) and
    ``model.head``; takes (N, in_channels, 28, 28), returns (N, num_classes) logits."""
    return nn.Sequential(OrderedDict(
        block1=nn.Sequential(nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),
        block2=nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),
        block3=nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()),
        head=nn.Linear(32 * 3 * 3, num_classes),
    ))
