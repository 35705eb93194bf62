"""The reference's layers in torch: ``torch.nn`` layers with the reference's arguments.

Each class *is* the ``torch.nn`` layer (a subclass, so it works everywhere a
torch layer does: ``.to('cuda')``, ``state_dict``, autograd) and accepts the
reference's extra keywords:

- ``strict=True`` on convolutions and pooling: refuse a stride that does not
  fit, with the course's explanation (``strict=False``: PyTorch's flooring);
- ``rng``: an int seed or a ``torch.Generator`` to draw the initial weights
  from (PyTorch's default distribution), for repeatable demonstrations;
- ``dtype``: a torch or NumPy dtype.

There is no ``backward`` method: autograd computes it. The layer parity test
copies a reference layer's ``state_dict`` into these and compares outputs and
gradients.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..reference._validate import (check_channels, check_conv_layer, check_divisor_override, check_dropout_p,
                                   positive_int)
from . import functional as tf
from ._geometry import check_conv, check_pool, generator, torch_dtype

__all__ = [
    "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "SumPool2d", "GlobalAvgPool2d",
    "GlobalMaxPool2d", "ReLU", "Sigmoid", "Tanh", "Softmax", "Linear", "Flatten",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Dropout", "CrossEntropyLoss", "MSELoss", "Sequential",
]

# --- exactly torch.nn: same names, same arguments -----------------------------------------
ReLU, Sigmoid, Tanh, Softmax, Flatten, Sequential = nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Softmax, nn.Flatten, nn.Sequential


def _reinit(layer: nn.Module, rng) -> None:
    """PyTorch's default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from ``rng``."""
    gen = generator(rng)
    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(layer.weight)
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=gen)
        if layer.bias is not None:
            layer.bias.uniform_(-bound, bound, generator=gen)


class Conv2d(nn.Conv2d):
    """``nn.Conv2d`` + ``rng``, ``dtype``, ``strict``. x (N, in, H, W) -> (N, out, Ho, Wo)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", *, rng=None,
                 dtype=torch.float32, strict: bool = True) -> None:
        check_conv_layer("Conv2d", in_channels, out_channels, kernel_size, stride, padding, groups, padding_mode)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype=torch_dtype(dtype))
        self.strict = strict
        if rng is not None:
            _reinit(self, rng)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_conv("Conv2d", x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                   self.padding_mode, self.strict)
        return super().forward(x)


class ConvTranspose2d(nn.ConvTranspose2d):
    """``nn.ConvTranspose2d`` + ``rng``, ``dtype``. weight (in, out/groups, kH, kW)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", *, rng=None,
                 dtype=torch.float32) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, dtype=torch_dtype(dtype))
        if rng is not None:
            _reinit(self, rng)


class Linear(nn.Linear):
    """``nn.Linear`` + ``rng``, ``dtype``. x (N, in) -> (N, out)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, rng=None,
                 dtype=torch.float32) -> None:
        positive_int("Linear", "in_features", in_features)
        positive_int("Linear", "out_features", out_features)
        super().__init__(in_features, out_features, bias, dtype=torch_dtype(dtype))
        if rng is not None:
            _reinit(self, rng)


class MaxPool2d(nn.MaxPool2d):
    """``nn.MaxPool2d`` + ``strict``."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False, *, strict: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, dilation, return_indices, ceil_mode)
        self.strict = strict

    def forward(self, x: torch.Tensor):
        check_pool("MaxPool2d", x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                   self.strict, max_pool=True)
        return super().forward(x)


class AvgPool2d(nn.AvgPool2d):
    """``nn.AvgPool2d`` + ``strict``."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None, *, strict: bool = True) -> None:
        check_divisor_override(divisor_override)
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
        self.strict = strict

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_pool(type(self).__name__, x, self.kernel_size, self.stride, self.padding, 1, self.ceil_mode,
                   self.strict)
        return super().forward(x)


class SumPool2d(AvgPool2d):
    """Sum pooling: an ``AvgPool2d`` with ``divisor_override=1``."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, *, strict: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, divisor_override=1, strict=strict)


class GlobalAvgPool2d(nn.Module):
    """(N, C, H, W) -> (N, C, 1, 1), like ``nn.AdaptiveAvgPool2d(1)``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return tf.global_avg_pool2d(x)


class GlobalMaxPool2d(nn.Module):
    """(N, C, H, W) -> (N, C, 1, 1), like ``nn.AdaptiveMaxPool2d(1)``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return tf.global_max_pool2d(x)


class _CheckedBatchNorm:
    """The reference's checks: a positive number of features, seen on axis 1."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, *, dtype=torch.float32) -> None:
        positive_int(type(self).__name__, "num_features", num_features)
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype=torch_dtype(dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim >= 2:
            check_channels(type(self).__name__, self.num_features, x.shape)
        return super().forward(x)


class BatchNorm1d(_CheckedBatchNorm, nn.BatchNorm1d):
    """``nn.BatchNorm1d`` + ``dtype``. x (N, features) -> (N, features)."""


class BatchNorm2d(_CheckedBatchNorm, nn.BatchNorm2d):
    """``nn.BatchNorm2d`` + ``dtype``. x (N, C, H, W) -> (N, C, H, W)."""


class LayerNorm(nn.LayerNorm):
    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, *,
                 dtype=torch.float32) -> None:
        super().__init__(normalized_shape, eps, elementwise_affine, dtype=torch_dtype(dtype))


class Dropout(nn.Dropout):
    """``nn.Dropout`` + ``rng`` (an int seed or a torch.Generator for repeatable masks).
    The last mask is kept in ``self.mask`` when ``rng`` is given."""

    def __init__(self, p: float = 0.5, *, rng=None) -> None:
        super().__init__(check_dropout_p(p))
        self.generator = generator(rng)
        self.mask: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.generator is None:
            return super().forward(x)
        out, self.mask = tf.dropout(x, self.p, self.training, self.generator, return_mask=True)
        return out


class CrossEntropyLoss(nn.CrossEntropyLoss):
    """``nn.CrossEntropyLoss`` with the reference's argument order (reduction, label_smoothing)."""

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(reduction=reduction, label_smoothing=label_smoothing)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        tf.check_targets(input, target)
        return super().forward(input, target)


class MSELoss(nn.MSELoss):
    """``nn.MSELoss`` with the reference's argument order (reduction)."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
