"""VGG (Simonyan and Zisserman, 2014): only 3x3 convolutions and 2x2 max pools.

A configuration is a list: a number is a 3x3 convolution (padding 1) with that
many filters followed by ReLU, ``'M'`` is a 2x2 max pool with stride 2.
VGG-11 is configuration "A" of the paper, VGG-16 is "D". At 3x224x224 and 1000
classes: vgg11 132,863,336 parameters, vgg16 138,357,544 — about 89% of them in
the three fully connected layers, 74% in the first one alone (512*7*7 -> 4096).

``small=True`` divides every filter count by 8, drops the last pool (so 28x28
inputs still have a 1x1 map after four halvings), averages the map to 1x1 and
uses 256-unit hidden layers: it trains on 1x28x28 or 3x32x32 on a CPU.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["VGG", "vgg11", "vgg16", "CONFIGS"]

CONFIGS: dict[str, list[int | str]] = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
              512, 512, 512, "M", 512, 512, 512, "M"],
}


def make_features(config: list[int | str], in_channels: int) -> nn.Sequential:
    """Turn a configuration list into the convolutional part of a VGG."""
    layers: list[nn.Module] = []
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(in_channels, int(item), kernel_size=3, padding=1),
                       nn.ReLU(inplace=True)]
            in_channels = int(item)
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """Input (N, in_channels, H, W) -> logits (N, num_classes).

    Full: H, W >= 32 (224 canonical). Small: H, W >= 16 (28 or 32 intended).
    """

    def __init__(self, config: list[int | str], num_classes: int = 1000, in_channels: int = 3,
                 *, small: bool = False, dropout: float = 0.5) -> None:
        super().__init__()
        if small:
            config = [c if c == "M" else max(int(c) // 8, 8) for c in config]
            config = config[:-1] if config[-1] == "M" else config
            pooled, hidden = 1, 256
        else:
            pooled, hidden = 7, 4096
        last = [c for c in config if c != "M"][-1]
        self.features = make_features(config, in_channels)
        self.avgpool = nn.AdaptiveAvgPool2d((pooled, pooled))
        self.classifier = nn.Sequential(
            nn.Linear(int(last) * pooled * pooled, hidden), nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def vgg11(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> VGG:
    """VGG-11 (configuration A); ``small=True`` for 28x28 / 32x32 on a CPU."""
    return VGG(CONFIGS["vgg11"], num_classes, in_channels, small=small)


def vgg16(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> VGG:
    """VGG-16 (configuration D); ``small=True`` for 28x28 / 32x32 on a CPU."""
    return VGG(CONFIGS["vgg16"], num_classes, in_channels, small=small)
