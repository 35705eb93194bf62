"""ResNet (He et al., 2015): residual blocks, ``out = relu(F(x) + shortcut(x))``.

Two kinds of block:

- ``BasicBlock`` (ResNet-18/34): two 3x3 convolutions;
- ``Bottleneck`` (ResNet-50): 1x1 (reduce) -> 3x3 -> 1x1 (expand by 4).

When a block changes the width or the resolution, the shortcut is a 1x1
convolution with the same stride plus batch norm ("option B" of the paper).
The bottleneck puts its stride on the 3x3 convolution (the "v1.5" that
torchvision ships; the parameter count is the same either way).
At 3x224x224 and 1000 classes: resnet18 11,689,512, resnet34 21,797,672,
resnet50 25,557,032 parameters.

``small=True`` is the CIFAR-style stem (one 3x3 convolution with stride 1, no
max pool, so a 32x32 image is not shrunk to 8x8 before the first block) and
a quarter of the width (16-32-64-128 channels): it trains on 1x28x28 or
3x32x32 on a CPU.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "resnet18", "resnet34", "resnet50"]


def conv_bn(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1) -> list[nn.Module]:
    """A bias-free convolution (batch norm supplies the shift) and its batch norm."""
    return [nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                      padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(out_channels)]


class BasicBlock(nn.Module):
    """Two 3x3 convolutions. (N, in_channels, H, W) -> (N, channels, H/stride, W/stride)."""

    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1, self.bn1 = conv_bn(in_channels, channels, 3, stride)
        self.conv2, self.bn2 = conv_bn(channels, channels, 3)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = shortcut(in_channels, channels * self.expansion, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 -> 3x3 -> 1x1. (N, in_channels, H, W) -> (N, 4*channels, H/stride, W/stride)."""

    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1, self.bn1 = conv_bn(in_channels, channels, 1)
        self.conv2, self.bn2 = conv_bn(channels, channels, 3, stride)
        self.conv3, self.bn3 = conv_bn(channels, channels * self.expansion, 1)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = shortcut(in_channels, channels * self.expansion, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


def shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Module | None:
    """Identity (``None``) when shapes match, else a strided 1x1 convolution + batch norm."""
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.Sequential(*conv_bn(in_channels, out_channels, 1, stride))


class ResNet(nn.Module):
    """A stem, four stages of residual blocks, global average pooling, one linear layer.

    Input (N, in_channels, H, W) -> logits (N, num_classes).
    ``layers``: blocks per stage, e.g. (2, 2, 2, 2) for ResNet-18.
    """

    def __init__(self, block: type[BasicBlock] | type[Bottleneck], layers: tuple[int, int, int, int],
                 num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> None:
        super().__init__()
        width = 16 if small else 64
        if small:   # CIFAR-style stem: keep the resolution of a 32x32 image
            self.conv1 = nn.Conv2d(in_channels, width, 3, stride=1, padding=1, bias=False)
            self.maxpool = nn.Identity()
        else:       # ImageNet stem: 224 -> 112 (conv) -> 56 (pool)
            self.conv1 = nn.Conv2d(in_channels, width, 7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.in_channels = width
        self.layer1 = self._stage(block, width, layers[0], stride=1)
        self.layer2 = self._stage(block, width * 2, layers[1], stride=2)
        self.layer3 = self._stage(block, width * 4, layers[2], stride=2)
        self.layer4 = self._stage(block, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def _stage(self, block, channels: int, blocks: int, stride: int) -> nn.Sequential:
        stage = [block(self.in_channels, channels, stride)]
        self.in_channels = channels * block.expansion
        stage += [block(self.in_channels, channels) for _ in range(blocks - 1)]
        return nn.Sequential(*stage)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> ResNet:
    """ResNet-18: BasicBlock x (2, 2, 2, 2)."""
    return ResNet(BasicBlock, (2, 2, 2, 2), num_classes, in_channels, small=small)


def resnet34(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> ResNet:
    """ResNet-34: BasicBlock x (3, 4, 6, 3)."""
    return ResNet(BasicBlock, (3, 4, 6, 3), num_classes, in_channels, small=small)


def resnet50(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> ResNet:
    """ResNet-50: Bottleneck x (3, 4, 6, 3)."""
    return ResNet(Bottleneck, (3, 4, 6, 3), num_classes, in_channels, small=small)
