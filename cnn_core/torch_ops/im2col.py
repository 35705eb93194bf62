"""The im2col convolution of the course, written in torch so it runs on a GPU.

The same algorithm as ``cnn_core.reference.conv``:

1. pad the input;
2. ``im2col`` (``F.unfold``): every patch the filter visits becomes a column,
   (N, C*kH*kW, L) with L = Ho*Wo;
3. one (batched) matrix product with the filters reshaped to (out, C*kH*kW),
   then add the bias.

Backward, for ``out = W @ cols + b``: ``grad_weight = grad_out @ cols^T``,
``grad_cols = W^T @ grad_out``, and ``col2im`` (``F.fold``) adds every patch's
gradient back onto the pixels it came from (overlapping patches add up).
With ``groups`` the channels split into independent groups: one matrix product
per group, done at once with ``einsum``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..reference._validate import grad_output_shape_error, pair
from ._geometry import check_conv

__all__ = ["im2col", "col2im", "conv2d_im2col", "conv2d_im2col_backward"]


def im2col(input: torch.Tensor, kernel_size, stride=1, padding=0, dilation=1) -> torch.Tensor:
    """(N, C, H, W) -> (N, C*kH*kW, Ho*Wo): one column per patch (``F.unfold``)."""
    return F.unfold(input, pair(kernel_size, "kernel_size"), dilation=dilation, padding=padding, stride=stride)


def col2im(cols: torch.Tensor, output_size, kernel_size, stride=1, padding=0, dilation=1) -> torch.Tensor:
    """(N, C*kH*kW, L) -> (N, C, H, W), adding overlapping patches (``F.fold``)."""
    return F.fold(cols, output_size, pair(kernel_size, "kernel_size"), dilation=dilation,
                  padding=padding, stride=stride)


def _padded(input: torch.Tensor, geom) -> torch.Tensor:
    """The input with the convolution's border (``geom.pads``: left, right, top, bottom)."""
    if not any(geom.pads):
        return input
    mode = "constant" if geom.padding_mode == "zeros" else geom.padding_mode
    return F.pad(input, geom.pads, mode=mode)


def _cols(xp: torch.Tensor, geom) -> torch.Tensor:
    """(N, G, Cg*kH*kW, Ho*Wo) patches of the padded input."""
    cols = F.unfold(xp, geom.kernel_size, dilation=geom.dilation, stride=geom.stride)
    return cols.reshape(xp.shape[0], geom.groups, -1, cols.shape[-1])


def conv2d_im2col(input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride=1,
                  padding=0, dilation=1, groups: int = 1, *, padding_mode: str = "zeros",
                  strict: bool = True) -> torch.Tensor:
    """The convolution as im2col + matrix product; same arguments and result as ``conv2d``.

    input (N, C, H, W); weight (O, C/groups, kH, kW); bias (O,) -> (N, O, Ho, Wo).
    """
    geom = check_conv("conv2d_im2col", input, weight, bias, stride, padding, dilation, groups, padding_mode,
                      strict)
    cols = _cols(_padded(input, geom), geom)                              # (N, G, K, L)
    ho, wo = geom.out_size
    w = weight.reshape(groups, weight.shape[0] // groups, -1)             # (G, O/G, K)
    out = torch.einsum("gok,ngkl->ngol", w, cols)                         # (N, G, O/G, L)
    out = out.reshape(input.shape[0], weight.shape[0], ho, wo)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


def conv2d_im2col_backward(grad_output: torch.Tensor, input: torch.Tensor, weight: torch.Tensor, stride=1,
                           padding=0, dilation=1, groups: int = 1, *, padding_mode: str = "zeros",
                           bias: bool = True, strict: bool = True):
    """Gradients of :func:`conv2d_im2col` with the three matrix products of the notes.

    grad_output (N, O, Ho, Wo) -> ``(grad_input (N, C, H, W), grad_weight (O, C/groups, kH, kW),
    grad_bias (O,) or None)``.
    """
    from .backward import pad_backward

    geom = check_conv("conv2d_im2col_backward", input, weight, None, stride, padding, dilation, groups,
                      padding_mode, strict)
    xp = _padded(input, geom)
    cols = _cols(xp, geom)                                                 # (N, G, K, L)
    (ho, wo), pads = geom.out_size, geom.pads
    n, o = input.shape[0], weight.shape[0]
    if tuple(grad_output.shape) != (n, o, ho, wo):
        raise grad_output_shape_error("conv2d_im2col_backward", grad_output.shape, (n, o, ho, wo))
    go = grad_output.reshape(n, groups, o // groups, ho * wo)              # (N, G, O/G, L)
    w = weight.reshape(groups, o // groups, -1)                            # (G, O/G, K)
    grad_weight = torch.einsum("ngol,ngkl->gok", go, cols).reshape(weight.shape)
    grad_cols = torch.einsum("gok,ngol->ngkl", w, go).reshape(n, -1, ho * wo)
    grad_padded = F.fold(grad_cols, tuple(xp.shape[-2:]), geom.kernel_size, dilation=geom.dilation,
                         stride=geom.stride)
    if any(pads):
        mode = "constant" if padding_mode == "zeros" else padding_mode
        grad_input = pad_backward(grad_padded, tuple(input.shape), pads, mode)
    else:
        grad_input = grad_padded
    grad_bias = grad_output.sum(dim=(0, 2, 3)) if bias else None
    return grad_input, grad_weight, grad_bias
