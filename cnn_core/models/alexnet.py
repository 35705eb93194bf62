"""AlexNet (Krizhevsky, Sutskever and Hinton, 2012): ReLU, dropout, big strides.

The full model follows the single-GPU variant that torchvision popularised
(64-192-384-256-256 filters, an adaptive 6x6 average pool so any input of at
least 63x63 works): 61,100,840 parameters for 1000 classes on 3x224x224.

``alexnet(small=True)`` keeps the shape of the idea (five convolutions, three
max pools, a three-layer classifier with dropout) at a size that trains on
1x28x28 or 3x32x32 images on a CPU: 3x3 filters with stride 1, a quarter of
the filters, and 256-unit hidden layers.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["AlexNet", "alexnet"]


class AlexNet(nn.Module):
    """Input (N, in_channels, H, W) -> logits (N, num_classes).

    Full: H, W >= 63 (224 is canonical). Small: H, W >= 8 (28 or 32 intended).
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, *,
                 small: bool = False, dropout: float = 0.5) -> None:
        super().__init__()
        if small:
            c1, c2, c3, c4, c5, hidden, pooled = 16, 48, 96, 64, 64, 256, 2
            first = nn.Conv2d(in_channels, c1, kernel_size=3, padding=1)
            second_kernel, pool = 3, dict(kernel_size=2, stride=2)
        else:
            c1, c2, c3, c4, c5, hidden, pooled = 64, 192, 384, 256, 256, 4096, 6
            first = nn.Conv2d(in_channels, c1, kernel_size=11, stride=4, padding=2)
            second_kernel, pool = 5, dict(kernel_size=3, stride=2)
        self.features = nn.Sequential(
            first, nn.ReLU(inplace=True),
            nn.MaxPool2d(**pool),
            nn.Conv2d(c1, c2, kernel_size=second_kernel, padding=second_kernel // 2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(**pool),
            nn.Conv2d(c2, c3, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c4, c5, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(**pool),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((pooled, pooled))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(c5 * pooled * pooled, hidden), nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def alexnet(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> AlexNet:
    """AlexNet; ``small=True`` for 28x28 / 32x32 inputs on a CPU."""
    return AlexNet(num_classes=num_classes, in_channels=in_channels, small=small)
