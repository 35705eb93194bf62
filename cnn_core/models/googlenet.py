"""GoogLeNet / Inception v1 (Szegedy et al., 2014), without the auxiliary heads.

An Inception module runs four branches side by side on the same input and
concatenates their outputs along the channels:

1. a 1x1 convolution;
2. a 1x1 "reduce" convolution, then a 3x3 one;
3. a 1x1 "reduce" convolution, then a wider-field one;
4. a 3x3 max pool (stride 1), then a 1x1 "projection".

The 1x1 reductions are what keep it cheap: 6,624,904 parameters at 1000
classes, against 61M for AlexNet. By default every convolution is conv (no bias) ->
batch norm -> ReLU, as in torchvision's GoogLeNet.

The 2014 paper's network differs from that default in two ways, and both are arguments:

- ``batch_norm=False``: the paper had no batch normalization (it was published in 2015,
  by Ioffe and Szegedy, and first used in Inception-v2). Every convolution is then
  conv (with bias) -> ReLU, and the stem has the paper's two local response
  normalizations (after the first max pool and after the 3x3 convolution; size 5,
  alpha 1e-4, beta 0.75, the values of the BVLC Caffe model, since the paper gives none).
  LRN has no parameters.
- ``branch3_kernel=5``: the paper uses a 5x5 convolution in branch 3. torchvision's
  implementation (whose 6,624,904 parameters are the count this course matches) uses
  3x3, a known quirk kept for compatibility with its trained weights (pytorch/vision
  issue #906).

``GoogLeNet(batch_norm=False, branch3_kernel=5, dropout=0.4)`` is the paper's network
without its two auxiliary classifiers. The paper gives no total parameter count; the
tests derive it from the paper's Table 1 with ``cnn_core.shapes``.

``small=True``: one 3x3 convolution and one max pool as the stem (32x32 ->
16x16), a quarter of every width; it takes 1x28x28 or 3x32x32 inputs on a CPU.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BasicConv2d", "Inception", "GoogLeNet", "googlenet"]

# (in, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj) for 3a ... 5b, from the paper's Table 1
INCEPTION_CONFIG = {
    "3a": (192, 64, 96, 128, 16, 32, 32),
    "3b": (256, 128, 128, 192, 32, 96, 64),
    "4a": (480, 192, 96, 208, 16, 48, 64),
    "4b": (512, 160, 112, 224, 24, 64, 64),
    "4c": (512, 128, 128, 256, 24, 64, 64),
    "4d": (512, 112, 144, 288, 32, 64, 64),
    "4e": (528, 256, 160, 320, 32, 128, 128),
    "5a": (832, 256, 160, 320, 32, 128, 128),
    "5b": (832, 384, 192, 384, 48, 128, 128),
}


class BasicConv2d(nn.Sequential):
    """conv (no bias) -> batch norm -> ReLU, or with ``batch_norm=False`` conv (with bias) ->
    ReLU as in the 2014 paper; keeps H, W when ``padding = kernel_size // 2``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int = 1, padding: int = 0, batch_norm: bool = True) -> None:
        conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                         bias=not batch_norm)
        norm = [nn.BatchNorm2d(out_channels, eps=0.001)] if batch_norm else []
        super().__init__(conv, *norm, nn.ReLU(inplace=True))


class Inception(nn.Module):
    """(N, in_channels, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W)."""

    def __init__(self, in_channels: int, ch1x1: int, ch3x3red: int, ch3x3: int,
                 ch5x5red: int, ch5x5: int, pool_proj: int, branch3_kernel: int = 3,
                 batch_norm: bool = True) -> None:
        super().__init__()
        bn = batch_norm
        self.branch1 = BasicConv2d(in_channels, ch1x1, 1, batch_norm=bn)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, ch3x3red, 1, batch_norm=bn),
                                     BasicConv2d(ch3x3red, ch3x3, 3, padding=1, batch_norm=bn))
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, ch5x5red, 1, batch_norm=bn),
                                     BasicConv2d(ch5x5red, ch5x5, branch3_kernel,
                                                 padding=branch3_kernel // 2, batch_norm=bn))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv2d(in_channels, pool_proj, 1, batch_norm=bn))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)


class GoogLeNet(nn.Module):
    """Input (N, in_channels, H, W) -> logits (N, num_classes)."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, *, small: bool = False,
                 branch3_kernel: int = 3, batch_norm: bool = True, dropout: float = 0.2) -> None:
        super().__init__()
        scale = 4 if small else 1
        cfg = {name: tuple(c // scale for c in row) for name, row in INCEPTION_CONFIG.items()}
        bn = batch_norm
        # the paper's local response normalizations (no parameters), only without batch norm
        lrn = (lambda: []) if bn else (lambda: [nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75)])  # noqa: E731
        if small:   # 32 -> 16 (28 -> 14) before inception 3
            self.stem = nn.Sequential(BasicConv2d(in_channels, 192 // scale, 3, padding=1, batch_norm=bn),
                                      nn.MaxPool2d(3, stride=2, ceil_mode=True))
        else:       # 224 -> 112 -> 56 -> 56 -> 28
            self.stem = nn.Sequential(
                BasicConv2d(in_channels, 64, 7, stride=2, padding=3, batch_norm=bn),
                nn.MaxPool2d(3, stride=2, ceil_mode=True),
                *lrn(),
                BasicConv2d(64, 64, 1, batch_norm=bn),
                BasicConv2d(64, 192, 3, padding=1, batch_norm=bn),
                *lrn(),
                nn.MaxPool2d(3, stride=2, ceil_mode=True),
            )
        k = branch3_kernel
        self.inception3a = Inception(*cfg["3a"], branch3_kernel=k, batch_norm=bn)
        self.inception3b = Inception(*cfg["3b"], branch3_kernel=k, batch_norm=bn)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = Inception(*cfg["4a"], branch3_kernel=k, batch_norm=bn)
        self.inception4b = Inception(*cfg["4b"], branch3_kernel=k, batch_norm=bn)
        self.inception4c = Inception(*cfg["4c"], branch3_kernel=k, batch_norm=bn)
        self.inception4d = Inception(*cfg["4d"], branch3_kernel=k, batch_norm=bn)
        self.inception4e = Inception(*cfg["4e"], branch3_kernel=k, batch_norm=bn)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = Inception(*cfg["5a"], branch3_kernel=k, batch_norm=bn)
        self.inception5b = Inception(*cfg["5b"], branch3_kernel=k, batch_norm=bn)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        out = sum(cfg["5b"][i] for i in (1, 3, 5, 6))
        self.fc = nn.Linear(out, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        for name in ("4a", "4b", "4c", "4d", "4e"):
            x = getattr(self, "inception" + name)(x)
        x = self.inception5b(self.inception5a(self.maxpool4(x)))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(self.dropout(x))


def googlenet(num_classes: int = 1000, in_channels: int = 3, *, small: bool = False) -> GoogLeNet:
    """GoogLeNet without auxiliary classifiers; ``small=True`` for 28x28 / 32x32 on a CPU."""
    return GoogLeNet(num_classes=num_classes, in_channels=in_channels, small=small)
