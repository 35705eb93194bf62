"""The forward operations of the torch path, named and called like the NumPy reference.

Most are ``torch.nn.functional`` itself, called with the reference's argument
order and its extra keyword ``strict`` (refuse a stride that does not fit,
with the course's explanation). Inputs are torch tensors, on any device.
Shapes are the reference's: images (N, C, H, W), conv weights
(out_channels, C/groups, kH, kW), logits (N, classes).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..reference._validate import (LOGITS, check_class_targets, check_divisor_override, check_dropout_p, flatten_dims,
                                   rank_error)
from ._geometry import check_4d, check_conv, check_pool, generator, torch_dtype

__all__ = [
    "pad", "conv2d", "conv_transpose2d",
    "max_pool2d", "avg_pool2d", "sum_pool2d", "global_avg_pool2d", "global_max_pool2d",
    "relu", "sigmoid", "tanh", "softmax", "log_softmax",
    "linear", "flatten", "batch_norm", "layer_norm",
    "dropout", "dropout_mask",
    "cross_entropy", "mse_loss", "l1_penalty", "l2_penalty",
]

# --- used as they are: same names, same arguments --------------------------------------
relu = F.relu                        # relu(input)
sigmoid = torch.sigmoid              # sigmoid(input)
tanh = torch.tanh                    # tanh(input)
linear = F.linear                    # linear(input (N, in), weight (out, in), bias (out,) | None)
layer_norm = F.layer_norm            # layer_norm(input, normalized_shape, weight, bias, eps)
batch_norm = F.batch_norm            # batch_norm(input, running_mean, running_var, weight, bias,
                                     #            training, momentum, eps)


def flatten(input: torch.Tensor, start_dim: int = 1, end_dim: int = -1) -> torch.Tensor:
    """``torch.flatten`` with the reference's default ``start_dim=1`` (keep the batch axis)."""
    if input.ndim:
        flatten_dims(input.ndim, start_dim, end_dim)
    return torch.flatten(input, start_dim, end_dim) if input.ndim else input.reshape(1)


def softmax(input: torch.Tensor, dim: int) -> torch.Tensor:
    """``torch.softmax`` along ``dim`` (required, as in the reference)."""
    return torch.softmax(input, dim)


def log_softmax(input: torch.Tensor, dim: int) -> torch.Tensor:
    return torch.log_softmax(input, dim)


def pad(input: torch.Tensor, pad, mode: str = "constant", value: float = 0.0) -> torch.Tensor:
    """``F.pad``: ``pad`` = (left, right) or (left, right, top, bottom), last dimension first."""
    return F.pad(input, tuple(pad), mode=mode, value=value) if mode == "constant" \
        else F.pad(input, tuple(pad), mode=mode)


# --- convolution -------------------------------------------------------------------------
def conv2d(input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride=1,
           padding=0, dilation=1, groups: int = 1, *, padding_mode: str = "zeros",
           strict: bool = True) -> torch.Tensor:
    """``F.conv2d`` plus the reference's ``padding_mode`` and ``strict``.

    input (N, C, H, W); weight (out_channels, C/groups, kH, kW); bias (out_channels,).
    Returns (N, out_channels, Ho, Wo).
    """
    geom = check_conv("conv2d", input, weight, bias, stride, padding, dilation, groups, padding_mode, strict)
    if padding_mode != "zeros":                     # F.conv2d pads with zeros only: pad first
        if any(geom.pads):
            input = F.pad(input, geom.pads, mode=padding_mode)
        padding = 0
    return F.conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose2d(input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                     stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1) -> torch.Tensor:
    """``F.conv_transpose2d`` (same argument order). weight (C_in, out_channels/groups, kH, kW)."""
    return F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


# --- pooling -----------------------------------------------------------------------------
def max_pool2d(input: torch.Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False, *, strict: bool = True):
    """``F.max_pool2d`` plus ``strict``. (N, C, H, W) -> (N, C, Ho, Wo) [, indices]."""
    check_pool("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, strict, max_pool=True)
    return F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode,
                        return_indices=return_indices)


def avg_pool2d(input: torch.Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None, *,
               strict: bool = True) -> torch.Tensor:
    """``F.avg_pool2d`` plus ``strict``. (N, C, H, W) -> (N, C, Ho, Wo)."""
    check_pool("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode, strict)
    check_divisor_override(divisor_override)
    return F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def sum_pool2d(input: torch.Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False, *,
               strict: bool = True) -> torch.Tensor:
    """Sum pooling = average pooling with divisor 1. (N, C, H, W) -> (N, C, Ho, Wo)."""
    return avg_pool2d(input, kernel_size, stride, padding, ceil_mode, divisor_override=1, strict=strict)


def global_avg_pool2d(input: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, 1, 1): the mean of each feature map."""
    check_4d("global_avg_pool2d", input)
    return input.mean(dim=(2, 3), keepdim=True)


def global_max_pool2d(input: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, 1, 1): the largest value of each feature map."""
    check_4d("global_max_pool2d", input)
    return input.amax(dim=(2, 3), keepdim=True)


# --- dropout -----------------------------------------------------------------------------
def dropout_mask(shape, p: float = 0.5, rng=None, dtype=torch.float32, *, device=None) -> torch.Tensor:
    """The scaled mask of inverted dropout: 1/(1-p) for a kept unit, 0 for a dropped one.

    rng: None, an int seed or a torch.Generator (on ``device``)."""
    p = check_dropout_p(p)
    dtype = torch_dtype(dtype)
    if p == 1:
        return torch.zeros(shape, dtype=dtype, device=device)
    gen = generator(rng, device)
    # a generator draws on its own device (a layer's CPU generator may serve a CUDA input)
    keep = torch.rand(shape, generator=gen, device=gen.device if gen is not None else device) >= p
    return keep.to(device=device, dtype=dtype) / (1 - p)


def dropout(input: torch.Tensor, p: float = 0.5, training: bool = True, rng=None, *,
            return_mask: bool = False):
    """Inverted dropout; with ``return_mask`` also the mask for ``dropout_backward``.

    Without ``rng`` and ``return_mask`` this is ``F.dropout`` itself (fastest)."""
    p = check_dropout_p(p)
    if not training or p == 0:
        return (input, torch.ones_like(input)) if return_mask else input
    if rng is None and not return_mask:
        return F.dropout(input, p, training=True)
    mask = dropout_mask(input.shape, p, rng, input.dtype, device=input.device)
    out = input * mask
    return (out, mask) if return_mask else out


# --- losses and penalties ----------------------------------------------------------------
def cross_entropy(input: torch.Tensor, target: torch.Tensor, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> torch.Tensor:
    """``F.cross_entropy`` of logits (N, classes) against class indices (N,) (or class
    probabilities (N, classes), as PyTorch)."""
    check_targets(input, target)
    return F.cross_entropy(input, target, reduction=reduction, label_smoothing=label_smoothing)


def check_targets(input: torch.Tensor, target: torch.Tensor) -> None:
    """The reference's checks of logits and class indices; one sync with the device, for the range."""
    if input.ndim != 2:
        raise rank_error("input", input.shape, (2,), LOGITS, kind="tensor")
    if target.is_floating_point() or target.is_complex():
        return                                               # class probabilities, as PyTorch allows
    lowest, highest = torch.stack(torch.aminmax(target)).tolist() if target.numel() else (0, 0)
    check_class_targets(tuple(input.shape), tuple(target.shape), lowest, highest,
                        lambda: target[(target < 0) | (target >= input.shape[1])][0])


def mse_loss(input: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    return F.mse_loss(input, target, reduction=reduction)


def _weights(weights) -> list[torch.Tensor]:
    return [weights] if isinstance(weights, torch.Tensor) else list(weights)


def l1_penalty(weights) -> torch.Tensor:
    """sum of |w| over a tensor or a list of tensors (no factor in front)."""
    return sum(w.abs().sum() for w in _weights(weights))


def l2_penalty(weights) -> torch.Tensor:
    """sum of w**2 over a tensor or a list of tensors (no 1/2 in front: the gradient is 2w)."""
    return sum((w * w).sum() for w in _weights(weights))
