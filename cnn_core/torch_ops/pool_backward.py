"""Pooling backward without loops, in torch (runs on a GPU).

- **max**: the forward's ``return_indices`` says where each window's maximum
  was (a flat index h*W + w in its feature map); ``scatter_add`` sends each
  window's gradient there. Windows that share a maximum add up.
- **average**: every pixel of a window receives ``grad / divisor``: write that
  share into every position of the window's column and let ``col2im``
  (``F.fold``) add up the overlapping windows, then crop off the padding.
- **sum**: average with divisor 1. **global**: one window per feature map.

Same arguments as the reference's ``*_backward`` functions; all shapes
(N, C, H, W) for the input, (N, C, Ho, Wo) for the gradient of the output.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..reference._validate import check_divisor_override, grad_output_shape_error
from ._geometry import check_4d, check_pool

__all__ = ["max_pool2d_backward", "avg_pool2d_backward", "sum_pool2d_backward",
           "global_avg_pool2d_backward", "global_max_pool2d_backward"]


def _scatter(grad_output: torch.Tensor, indices: torch.Tensor, input_shape) -> torch.Tensor:
    n, c, h, w = input_shape
    grad = torch.zeros(n, c, h * w, dtype=grad_output.dtype, device=grad_output.device)
    grad.scatter_add_(2, indices.reshape(n, c, -1), grad_output.reshape(n, c, -1))
    return grad.reshape(n, c, h, w)


def _check_grad(fname: str, grad_output: torch.Tensor, expected) -> None:
    if tuple(grad_output.shape) != tuple(expected):
        raise grad_output_shape_error(fname, grad_output.shape, expected)


def max_pool2d_backward(grad_output: torch.Tensor, input: torch.Tensor, kernel_size, stride=None, padding=0,
                        dilation=1, ceil_mode: bool = False, *, strict: bool = True) -> torch.Tensor:
    """Each window's gradient goes to its maximum: (N, C, Ho, Wo) -> (N, C, H, W)."""
    check_pool("max_pool2d_backward", input, kernel_size, stride, padding, dilation, ceil_mode, strict,
               max_pool=True)                                     # every window touches the image
    out, indices = F.max_pool2d(input.detach(), kernel_size, stride, padding, dilation,
                                ceil_mode=ceil_mode, return_indices=True)
    _check_grad("max_pool2d_backward", grad_output, out.shape)
    return _scatter(grad_output, indices, input.shape)


def _window_counts(n: int, k: int, s: int, p: int, out: int, include_pad: bool, device) -> torch.Tensor:
    """Along one axis: how many of each window's k pixels count towards its average."""
    start = torch.arange(out, device=device) * s                 # in padded coordinates
    lo, hi = (0, n + 2 * p) if include_pad else (p, p + n)       # never the ceil_mode overhang
    return ((start + k).clamp(max=hi) - start.clamp(min=lo)).clamp(min=0)


def avg_pool2d_backward(grad_output: torch.Tensor, input: torch.Tensor, kernel_size, stride=None, padding=0,
                        ceil_mode: bool = False, count_include_pad: bool = True,
                        divisor_override: int | None = None, *, strict: bool = True) -> torch.Tensor:
    """Every pixel of a window gets ``grad / divisor``: (N, C, Ho, Wo) -> (N, C, H, W)."""
    geom = check_pool("avg_pool2d_backward", input, kernel_size, stride, padding, 1, ceil_mode, strict)
    check_divisor_override(divisor_override)
    (kh, kw), (sh, sw), (ph, pw), (ho, wo) = geom.kernel_size, geom.stride, geom.padding, geom.out_size
    n, c, h, w = input.shape
    _check_grad("avg_pool2d_backward", grad_output, (n, c, ho, wo))
    if divisor_override is not None:
        divisor = torch.tensor(float(divisor_override), device=input.device)
    else:
        rows = _window_counts(h, kh, sh, ph, ho, count_include_pad, input.device)
        cols = _window_counts(w, kw, sw, pw, wo, count_include_pad, input.device)
        divisor = torch.outer(rows, cols).to(grad_output.dtype)          # (Ho, Wo)
    share = (grad_output / divisor).reshape(n, c, 1, ho * wo)
    columns = share.expand(n, c, kh * kw, ho * wo).reshape(n, c * kh * kw, ho * wo)
    # ceil_mode windows may hang over the padded input: fold onto a canvas big enough
    full = (max(h + 2 * ph, (ho - 1) * sh + kh), max(w + 2 * pw, (wo - 1) * sw + kw))
    canvas = F.fold(columns, full, (kh, kw), stride=(sh, sw))
    return canvas[:, :, ph:ph + h, pw:pw + w].contiguous()


def sum_pool2d_backward(grad_output: torch.Tensor, input: torch.Tensor, kernel_size, stride=None, padding=0,
                        ceil_mode: bool = False, *, strict: bool = True) -> torch.Tensor:
    """Every pixel of a window gets the window's whole gradient."""
    return avg_pool2d_backward(grad_output, input, kernel_size, stride, padding, ceil_mode,
                               divisor_override=1, strict=strict)


def global_avg_pool2d_backward(grad_output: torch.Tensor, input: torch.Tensor) -> torch.Tensor:
    """(N, C, 1, 1) -> (N, C, H, W): each pixel gets grad / (H*W)."""
    check_4d("global_avg_pool2d_backward", input)
    n, c, h, w = input.shape
    _check_grad("global_avg_pool2d_backward", grad_output, (n, c, 1, 1))
    return (grad_output / (h * w)).expand(n, c, h, w).contiguous()


def global_max_pool2d_backward(grad_output: torch.Tensor, input: torch.Tensor) -> torch.Tensor:
    """(N, C, 1, 1) -> (N, C, H, W): all of it to the first maximum of each map."""
    check_4d("global_max_pool2d_backward", input)
    n, c, h, w = input.shape
    _check_grad("global_max_pool2d_backward", grad_output, (n, c, 1, 1))
    first_max = input.detach().reshape(n, c, h * w).argmax(dim=2, keepdim=True)
    return _scatter(grad_output, first_max, input.shape)
