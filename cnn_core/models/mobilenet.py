"""MobileNetV2 (Sandler et al., 2018): inverted residuals and depthwise convolutions.

An inverted residual block expands the channels by ``t`` with a 1x1
convolution, filters each channel on its own with a 3x3 *depthwise*
convolution (``groups = channels``: 9 weights per channel instead of
9 * channels), then projects back down with a linear 1x1 convolution (no
ReLU: the "linear bottleneck"). A shortcut adds the input when the shapes
match. Activations are ReLU6. 3,504,872 parameters at 1000 classes.

``small=True`` (the usual CIFAR adaptation): the stem and the second stage
use stride 1 instead of 2 and every width is halved (``width_mult=0.5``),
so 1x28x28 and 3x32x32 inputs keep a 4x4 map at the end.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["ConvBNReLU6", "InvertedResidual", "MobileNetV2", "mobilenet_v2"]

# t (expansion), c (output channels), n (repeats), s (stride of the first), from Table 2
SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
            (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round a channel count to a multiple of ``divisor`` without losing more than 10%."""
    new = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * value else new


class ConvBNReLU6(nn.Sequential):
    """conv (no bias, padding k//2) -> batch norm -> ReLU6."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, groups: int = 1) -> None:
        super().__init__(
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2,
                      groups=groups, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU6(inplace=True),
        )


class InvertedResidual(nn.Module):
    """(N, in_channels, H, W) -> (N, out_channels, H/stride, W/stride)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, expand_ratio: int) -> None:
        super().__init__()
        hidden = in_channels * expand_ratio
        self.use_residual = stride == 1 and in_channels == out_channels
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(ConvBNReLU6(in_channels, hidden, kernel_size=1))
        layers += [
            ConvBNReLU6(hidden, hidden, stride=stride, groups=hidden),       # depthwise
            nn.Conv2d(hidden, out_channels, 1, bias=False),                   # linear projection
            nn.BatchNorm2d(out_channels),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_residual else self.conv(x)


class MobileNetV2(nn.Module):
    """Input (N, in_channels, H, W) -> logits (N, num_classes)."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, *, width_mult: float = 1.0,
                 small: bool = False, dropout: float = 0.2) -> None:
        super().__init__()
        if small:
            width_mult = 0.5
        channels = make_divisible(32 * width_mult)
        last = make_divisible(1280 * max(1.0, width_mult))
        layers: list[nn.Module] = [ConvBNReLU6(in_channels, channels, stride=1 if small else 2)]
        for stage, (t, c, n, s) in enumerate(SETTINGS):
            out = make_divisible(c * width_mult)
            if small and stage == 1:
                s = 1
            for i in range(n):
                layers.append(InvertedResidual(channels, out, s if i == 0 else 1, t))
                channels = out
        layers.append(ConvBNReLU6(channels, last, kernel_size=1))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(last, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def mobilenet_v2(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> MobileNetV2:
    """MobileNetV2 (width 1.0); ``small=True`` for 28x28 / 32x32 on a CPU."""
    return MobileNetV2(num_classes=num_classes, in_channels=in_channels, small=small)
