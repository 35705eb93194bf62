"""DenseNet (Huang et al., 2016): every layer sees the maps of all layers before it.

Inside a dense block, layer i receives ``in + i * growth_rate`` channels (the
concatenation of everything so far) and adds ``growth_rate`` new ones through
BN-ReLU-1x1 conv (to ``bn_size * growth_rate``) -> BN-ReLU-3x3 conv.
Between blocks a transition halves the channels (1x1 conv) and the
resolution (2x2 average pool).
DenseNet-121 (growth 32, blocks of 6, 12, 24, 16 layers) has 7,978,856
parameters at 1000 classes.

``small=True`` keeps the 121-layer structure but uses growth rate 12, a
24-channel 3x3 stem with stride 1 and no max pool: it takes 1x28x28 or 3x32x32
inputs (about 1.0M parameters; the slowest of the small models on a CPU).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["DenseLayer", "DenseBlock", "Transition", "DenseNet", "densenet121"]


class DenseLayer(nn.Module):
    """(N, in_channels, H, W) -> (N, growth_rate, H, W): the new maps only."""

    def __init__(self, in_channels: int, growth_rate: int, bn_size: int) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_channels, bn_size * growth_rate, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(self.relu1(self.norm1(x)))
        return self.conv2(self.relu2(self.norm2(x)))


class DenseBlock(nn.Module):
    """(N, C, H, W) -> (N, C + num_layers * growth_rate, H, W)."""

    def __init__(self, num_layers: int, in_channels: int, growth_rate: int, bn_size: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            DenseLayer(in_channels + i * growth_rate, growth_rate, bn_size) for i in range(num_layers)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = [x]
        for layer in self.layers:
            features.append(layer(torch.cat(features, dim=1)))
        return torch.cat(features, dim=1)


class Transition(nn.Sequential):
    """(N, in_channels, H, W) -> (N, out_channels, H/2, W/2)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(
            nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
            nn.Conv2d(in_channels, out_channels, 1, bias=False),
            nn.AvgPool2d(kernel_size=2, stride=2),
        )


class DenseNet(nn.Module):
    """Input (N, in_channels, H, W) -> logits (N, num_classes)."""

    def __init__(self, growth_rate: int = 32, block_config: tuple[int, ...] = (6, 12, 24, 16),
                 num_init_features: int = 64, bn_size: int = 4, num_classes: int = 1000,
                 in_channels: int = 3, *, small: bool = False) -> None:
        super().__init__()
        if small:
            stem: list[nn.Module] = [
                nn.Conv2d(in_channels, num_init_features, 3, padding=1, bias=False),
                nn.BatchNorm2d(num_init_features), nn.ReLU(inplace=True)]
        else:
            stem = [nn.Conv2d(in_channels, num_init_features, 7, stride=2, padding=3, bias=False),
                    nn.BatchNorm2d(num_init_features), nn.ReLU(inplace=True),
                    nn.MaxPool2d(kernel_size=3, stride=2, padding=1)]
        layers = stem
        channels = num_init_features
        for i, num_layers in enumerate(block_config):
            layers.append(DenseBlock(num_layers, channels, growth_rate, bn_size))
            channels += num_layers * growth_rate
            if i != len(block_config) - 1:
                layers.append(Transition(channels, channels // 2))
                channels //= 2
        layers += [nn.BatchNorm2d(channels), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def densenet121(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> DenseNet:
    """DenseNet-121; ``small=True`` (growth 12, 3x3 stem) for 28x28 / 32x32 on a CPU."""
    if small:
        return DenseNet(12, (6, 12, 24, 16), 24, 4, num_classes, in_channels, small=True)
    return DenseNet(32, (6, 12, 24, 16), 64, 4, num_classes, in_channels)
