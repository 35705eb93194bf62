"""Shared by the torch counterparts: pairs, explicit padding, and the course's ``strict`` check.

``strict=True`` (the reference's default) refuses a stride that does not land
exactly on the last pixel, with the arithmetic in the message; the numbers come
from ``cnn_core.shapes``, so the torch path and the NumPy path explain the same
mistake in the same words (the messages and ``pair`` come from
``cnn_core.reference._validate``, the one home of these checks).
"""

from __future__ import annotations

import torch

from ..reference._validate import fit_error, pair
from ..shapes import conv_output_size, pool_output_size


def check_4d(fname: str, x: torch.Tensor, name: str = "input") -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{fname}: {name} must be a torch tensor (the torch path); "
                        f"convert a NumPy array with torch.from_numpy(x)")
    if x.ndim != 4:
        raise ValueError(f"{fname}: {name} must be (N, C, H, W), got shape {tuple(x.shape)}"
                         + (" — add a batch axis with x[None]" if x.ndim == 3 else ""))


def same_pads(kernel_size: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) for padding='same'; an odd pixel goes right/bottom (PyTorch)."""
    th, tw = dilation[0] * (kernel_size[0] - 1), dilation[1] * (kernel_size[1] - 1)
    return tw // 2, tw - tw // 2, th // 2, th - th // 2


def conv_pads(padding, kernel_size, dilation) -> tuple[int, int, int, int]:
    """Any conv ``padding`` (int, pair, 'same', 'valid') as (left, right, top, bottom)."""
    if padding == "same":
        return same_pads(kernel_size, dilation)
    if padding == "valid":
        return 0, 0, 0, 0
    ph, pw = pair(padding, "padding")
    return pw, pw, ph, ph


def check_conv_fits(fname: str, shape, kernel_size, stride, padding, dilation) -> None:
    """Raise the course's ValueError if the filter does not fit (height, then width)."""
    kernel_size, stride, dilation = (pair(kernel_size, "kernel_size"), pair(stride, "stride"),
                                     pair(dilation, "dilation"))
    pads = (padding, padding) if isinstance(padding, str) else pair(padding, "padding")
    for axis, side in ((0, "height"), (1, "width")):
        try:
            conv_output_size(int(shape[2 + axis]), kernel_size[axis], stride[axis], pads[axis],
                             dilation[axis], strict=True)
        except ValueError as err:
            raise fit_error(fname, shape, side, err) from None


def check_pool_fits(fname: str, shape, kernel_size, stride, padding, dilation, ceil_mode: bool) -> None:
    kernel_size = pair(kernel_size, "kernel_size")
    stride = kernel_size if stride is None or stride == [] else pair(stride, "stride")
    padding, dilation = pair(padding, "padding"), pair(dilation, "dilation")
    for axis, side in ((0, "height"), (1, "width")):
        try:
            pool_output_size(int(shape[2 + axis]), kernel_size[axis], stride[axis], padding[axis],
                             dilation[axis], ceil_mode=ceil_mode, strict=True)
        except ValueError as err:
            raise fit_error(fname, shape, side, err) from None


def torch_dtype(dtype) -> torch.dtype:
    """Accept torch dtypes and NumPy ones (the reference's ``dtype=np.float32``)."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype if dtype is not None else torch.get_default_dtype()
    import numpy as np
    return torch.from_numpy(np.empty(0, dtype=dtype)).dtype


def generator(rng, device=None) -> torch.Generator | None:
    """The reference's ``rng`` (None, an int seed, or a generator) as a torch.Generator."""
    if rng is None or isinstance(rng, torch.Generator):
        return rng
    if isinstance(rng, int) and not isinstance(rng, bool):
        return torch.Generator(device=device or "cpu").manual_seed(rng)
    raise TypeError(f"rng must be None, an int seed or a torch.Generator in the torch path, got "
                    f"{type(rng).__name__} (a NumPy Generator belongs to the NumPy reference)")
