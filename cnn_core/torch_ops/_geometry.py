"""Shared by the torch counterparts: the reference's checks on tensors, dtypes and generators.

Every convolution and pooling call of the torch path is checked by the reference's own
geometry (``conv_geometry``, ``pool_geometry``) on the tensors' shapes, so both paths refuse
the same mistakes in the same words: a stride that does not land on the last pixel under
``strict=True`` (the reference's default), a filter larger than the input, groups that do not
divide the channels, a bad padding. The messages live in ``cnn_core.reference._validate``.
"""

from __future__ import annotations

import torch

from ..reference._validate import CONV_WEIGHT, check_conv_bias, rank_error
from ..reference.conv import conv_geometry
from ..reference.pooling import check_max_windows, pool_geometry


def check_4d(fname: str, x: torch.Tensor, name: str = "input", layout: str = "(N, C, H, W)") -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{fname}: {name} must be a torch tensor (the torch path); "
                        f"convert a NumPy array with torch.from_numpy(x)")
    if x.ndim != 4:
        raise rank_error(name, x.shape, (4,), layout, kind="tensor")


def check_conv(fname: str, input: torch.Tensor, weight: torch.Tensor, bias, stride, padding, dilation, groups,
               padding_mode: str = "zeros", strict: bool = True):
    """The reference's checks of a convolution, on the tensors' shapes (``conv_geometry``): the same
    mistakes refused in the same words; returns the geometry (output size, pads)."""
    check_4d(fname, input)
    check_4d(fname, weight, "weight", CONV_WEIGHT)
    if bias is not None:
        check_conv_bias(fname, bias.shape, weight.shape)
    return conv_geometry(fname, tuple(input.shape), tuple(weight.shape), stride, padding, dilation, groups,
                         padding_mode, strict)


def check_pool(fname: str, input: torch.Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool,
               strict: bool = True, *, max_pool: bool = False):
    """The reference's checks of a pooling window (``pool_geometry``; for ``max_pool`` also
    ``check_max_windows``: no window covers only padding), on the input's shape."""
    check_4d(fname, input)
    stride = None if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else stride
    geom = pool_geometry(fname, tuple(input.shape), kernel_size, stride, padding, dilation, ceil_mode, strict)
    if max_pool:
        check_max_windows(fname, geom, tuple(input.shape))
    return geom


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
