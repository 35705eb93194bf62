"""LeNet-5 (LeCun et al., 1998): the classic, with tanh and average pooling.

Layer by layer on a 1x32x32 input (the shapes ``cnn_core.shapes`` computes)::

    conv1  5x5,  1 -> 6     6x28x28      156 parameters
    pool1  avg 2x2          6x14x14
    conv2  5x5,  6 -> 16   16x10x10    2,416
    pool2  avg 2x2         16x5x5
    fc1    400 -> 120                 48,120
    fc2    120 -> 84                  10,164
    fc3    84 -> 10                      850
                                      61,706 in all

The original connected conv2 to only some of conv1's maps and ended with
Gaussian (RBF) units; like every modern re-implementation, this one uses full
connections and a linear output layer (train it with cross-entropy).
LeNet-5 is small already: it trains on MNIST on a CPU in a minute. MNIST digits
are 28x28; LeCun padded them to 32x32, so do the same:
``torch.nn.functional.pad(x, (2, 2, 2, 2))``.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["LeNet5", "lenet5"]


class LeNet5(nn.Module):
    """LeNet-5. Input (N, in_channels, 32, 32) -> logits (N, num_classes)."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5), nn.Tanh(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Tanh(),
            nn.AvgPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
            nn.Linear(120, 84), nn.Tanh(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[-2:] != (32, 32):
            raise ValueError(
                f"LeNet-5 expects (N, C, 32, 32) images, got shape {tuple(x.shape)}; "
                "pad 28x28 MNIST digits to 32x32 with F.pad(x, (2, 2, 2, 2)), as LeCun did"
            )
        return self.classifier(self.features(x))


def lenet5(num_classes: int = 10, in_channels: int = 1) -> LeNet5:
    """LeNet-5: 61,706 parameters for 10 classes on 1x32x32 inputs."""
    return LeNet5(num_classes=num_classes, in_channels=in_channels)
