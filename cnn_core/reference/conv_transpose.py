"""Transposed convolution ("deconvolution"): the upsampling layer of the notes.

A convolution maps a big image to a small one; its *transpose* maps small to big
with the same weights. Concretely, ``conv_transpose2d(x, w)`` is exactly the
gradient that :func:`~cnn_core.reference.conv.conv2d_backward` sends back to the
input when ``x`` is the gradient of the output: every input pixel *stamps* a copy
of the kernel, scaled by its value, onto the output, ``stride`` pixels apart, and
overlapping stamps add up. So the machinery is reused, not rewritten:

- forward = conv2d's input gradient (``W^T @ x``, then col2im);
- backward w.r.t. the input = an ordinary conv2d of ``grad_output`` with ``w``;
- backward w.r.t. the weight = conv2d's weight gradient with the roles of input
  and output swapped.

Shapes (as ``torch.nn.functional.conv_transpose2d``): input (N, C_in, H, W);
weight (C_in, C_out/groups, kH, kW); bias (C_out,); output (N, C_out, Ho, Wo) with
Ho = (H - 1)*S - 2P + D(kH - 1) + output_padding + 1.
"""

from __future__ import annotations

import math

import numpy as np

from ..shapes import conv_transpose_output_size
from ._validate import as_float_array, check_grad_output, checked_pair, pair, positive_int
from ._windows import patch_columns
from .conv import ConvGeometry, forward_cols, padded_input_grad, weight_grad
from .module import Module

__all__ = ["conv_transpose2d", "conv_transpose2d_backward", "ConvTranspose2d"]


def _transpose_geometry(fname: str, input_shape, weight_shape, stride, padding, output_padding, groups,
                        dilation) -> ConvGeometry:
    """The geometry of the convolution whose transpose this is.

    That convolution maps the *output* of the transposed conv (N, C_out, Ho, Wo) to its
    input (N, C_in, H, W); its weight is our weight read as (C_in, C_out/groups, kH, kW).
    """
    n, c_in, h, w = input_shape
    c_in_w, c_out_g, kh, kw = weight_shape
    groups = positive_int(fname, "groups", groups)
    if c_in != c_in_w:
        raise ValueError(
            f"{fname}: the weight {tuple(weight_shape)} (in_channels, out_channels/groups, kH, kW) "
            f"expects {c_in_w} input channels, but the input {tuple(input_shape)} has {c_in}"
        )
    if c_in % groups:
        raise ValueError(f"{fname}: groups={groups} must divide the {c_in} input channels of {tuple(input_shape)}")
    stride = checked_pair(stride, "stride")
    dilation = checked_pair(dilation, "dilation")
    if isinstance(padding, str):
        raise ValueError(f"{fname}: padding must be an int or a pair (no 'same'/'valid' for transposed conv), "
                         f"got {padding!r}")
    ph, pw = checked_pair(padding, "padding", minimum=0)
    oph, opw = checked_pair(output_padding, "output_padding", minimum=0)
    try:
        out_h = conv_transpose_output_size(h, kh, stride[0], ph, oph, dilation[0])
        out_w = conv_transpose_output_size(w, kw, stride[1], pw, opw, dilation[1])
    except ValueError as err:
        raise ValueError(f"{fname}: input of shape {tuple(input_shape)}, weight {tuple(weight_shape)}: {err}") from None
    return ConvGeometry(
        kernel_size=(kh, kw), stride=stride, dilation=dilation, pads=(pw, pw, ph, ph),
        out_size=(h, w), padded_size=(out_h + 2 * ph, out_w + 2 * pw), groups=int(groups), padding_mode="zeros",
    )


def _crop(padded: np.ndarray, geom: ConvGeometry) -> np.ndarray:
    left, _, top, _ = geom.pads
    hp, wp = geom.padded_size
    return np.ascontiguousarray(padded[:, :, top : hp - top, left : wp - left])


def _check_arrays(fname, input, weight, bias=None):
    x = as_float_array(input, "input", ndim=4, layout="(N, C_in, H, W)")
    w = as_float_array(weight, "weight", ndim=4, layout="(C_in, C_out/groups, kH, kW)").astype(x.dtype, copy=False)
    b = None
    if bias is not None:
        b = as_float_array(bias, "bias", ndim=1, layout="(C_out,)").astype(x.dtype, copy=False)
    return x, w, b


def conv_transpose2d(input: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> np.ndarray:
    """Transposed 2-D convolution, like ``torch.nn.functional.conv_transpose2d``.

    Args:
        input: (N, C_in, H, W).
        weight: (C_in, C_out/groups, kH, kW).
        bias: (C_out,) or None.
        stride, padding, output_padding, dilation: int or pair. ``padding`` *removes*
            border pixels of the output; ``output_padding`` adds rows/columns on the
            bottom/right to pick among output sizes that a strided conv maps to the same size.
        groups: independent channel groups.

    Returns:
        (N, C_out, Ho, Wo) with Ho = (H - 1)*S - 2P + D(kH - 1) + output_padding + 1.
    """
    x, w, b = _check_arrays("conv_transpose2d", input, weight, bias)
    geom = _transpose_geometry("conv_transpose2d", x.shape, w.shape, stride, padding, output_padding, groups,
                               dilation)
    c_out = w.shape[1] * geom.groups
    if b is not None and b.shape[0] != c_out:
        raise ValueError(f"conv_transpose2d: bias has {b.shape[0]} entries but the output has {c_out} channels")
    out = _crop(padded_input_grad(x, w, geom), geom)        # x plays the role of a conv's grad_output
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def _grad_cols(grad_output: np.ndarray, geom: ConvGeometry) -> np.ndarray:
    """Patches of the zero-padded ``grad_output`` under the conv that this transposes."""
    left, right, top, bottom = geom.pads
    gp = np.pad(grad_output, ((0, 0), (0, 0), (top, bottom), (left, right)))
    return patch_columns(gp, geom.kernel_size, geom.stride, geom.dilation, geom.out_size, geom.groups)


def conv_transpose2d_backward(grad_output: np.ndarray, input: np.ndarray, weight: np.ndarray, stride=1,
                              padding=0, output_padding=0, groups: int = 1, dilation=1, *, bias: bool = True):
    """Gradients of :func:`conv_transpose2d` (same arguments; ``grad_output`` is (N, C_out, Ho, Wo)).

    Returns:
        ``(grad_input, grad_weight, grad_bias)`` shaped like input (N, C_in, H, W), weight
        (C_in, C_out/groups, kH, kW) and bias (C_out,) (None when ``bias=False``).
    """
    x, w, _ = _check_arrays("conv_transpose2d_backward", input, weight)
    geom = _transpose_geometry("conv_transpose2d_backward", x.shape, w.shape, stride, padding, output_padding,
                               groups, dilation)
    hp, wp = geom.padded_size
    left, _, top, _ = geom.pads
    c_out = w.shape[1] * geom.groups
    go = check_grad_output("conv_transpose2d_backward", grad_output, (x.shape[0], c_out, hp - 2 * top,
                                                                      wp - 2 * left), x.dtype)
    cols = _grad_cols(go, geom)
    grad_input = forward_cols(cols, w, x.shape[0], geom.out_size)    # an ordinary conv of grad_output
    grad_weight = weight_grad(cols, x, w.shape)                       # conv's weight grad, roles swapped
    grad_bias = go.sum(axis=(0, 2, 3)) if bias else None
    return grad_input, grad_weight, grad_bias


class ConvTranspose2d(Module):
    """A transposed convolution layer, constructed like ``torch.nn.ConvTranspose2d``.

    Parameters (PyTorch's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    PyTorch's fan_in = weight.shape[1] * kH * kW = out_channels/groups * kH * kW):
        ``weight`` (in_channels, out_channels/groups, kH, kW), ``bias`` (out_channels,).

    ``forward(x)``: (N, in_channels, H, W) -> (N, out_channels, Ho, Wo).
    ``backward(grad_output)``: accumulates the parameter gradients, returns grad_input.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", *, rng=None,
                 dtype=np.float32) -> None:
        super().__init__()
        if padding_mode != "zeros":
            raise ValueError(f"ConvTranspose2d only supports padding_mode='zeros' (as PyTorch), got {padding_mode!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"ConvTranspose2d: groups={groups} must divide in_channels ({in_channels}) "
                             f"and out_channels ({out_channels})")
        kh, kw = pair(kernel_size, "kernel_size")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (kh, kw)
        self.stride, self.padding, self.output_padding = stride, padding, output_padding
        self.groups, self.dilation = groups, dilation
        gen = np.random.default_rng(rng)
        bound = 1.0 / math.sqrt(out_channels // groups * kh * kw)
        self.params["weight"] = gen.uniform(-bound, bound, (in_channels, out_channels // groups, kh, kw)).astype(dtype)
        if bias:
            self.params["bias"] = gen.uniform(-bound, bound, (out_channels,)).astype(dtype)
        self._init_grads()
        self._cache = None

    def _args(self):
        return self.stride, self.padding, self.output_padding, self.groups, self.dilation

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "input", ndim=4, layout="(N, C_in, H, W)")
        self._cache = x
        return conv_transpose2d(x, self.params["weight"], self.params.get("bias"), *self._args())

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        gi, gw, gb = conv_transpose2d_backward(grad_output, self._cache, self.params["weight"], *self._args(),
                                               bias="bias" in self.params)
        self.grads["weight"] += gw.astype(self.grads["weight"].dtype, copy=False)
        if gb is not None:
            self.grads["bias"] += gb.astype(self.grads["bias"].dtype, copy=False)
        return gi

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, output_padding={self.output_padding}")
