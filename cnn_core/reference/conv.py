"""2-D convolution, forward and backward, vectorised (im2col + one matrix product).

What the notes do by hand -- slide the filter, take the dot product with the patch
under it, add the bias -- done for every position at once:

1. pad the input (zeros, or 'reflect' / 'replicate' / 'circular');
2. im2col (``_windows.patch_columns``): unroll every patch the filter visits into one
   column of a matrix ``cols`` (C*kH*kW rows, N*Ho*Wo columns);
3. one matrix product ``W @ cols`` with ``W = weight.reshape(out_channels, -1)``
   computes every dot product of every filter (BLAS uses all the cores); add the bias.

Backward, for ``out = W @ cols + b``:

- ``grad_bias = grad_output`` summed over the batch and the pixels;
- ``grad_weight = grad_output @ cols.T`` (each weight saw every patch);
- ``grad_cols = W.T @ grad_output``, then ``col2im`` adds each patch's gradient back
  onto the pixels it came from (overlapping patches add up), and the padding's
  gradient folds back onto the image.

With ``groups`` the channels are split into independent groups (``groups =
in_channels`` is a depthwise convolution): one matrix product per group.
The loop version that reads like the notes is ``cnn_core.reference.loops.conv2d``.

Shapes: input (N, C, H, W); weight (out_channels, C/groups, kH, kW); bias
(out_channels,); output (N, out_channels, Ho, Wo) with
Ho = (H + 2P - D(kH - 1) - 1)/S + 1 (see :func:`cnn_core.shapes.conv_output_size`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..shapes import conv_output_size
from ._validate import (CONV_WEIGHT, as_float_array, check_conv_bias, check_conv_layer, check_grad_output,
                        check_padding_mode, check_padding_word, checked_pair, fit_error, positive_int)
from ._windows import fold_windows, patch_columns
from .module import Module
from .padding import pad, pad_backward

__all__ = ["conv2d", "conv2d_backward", "Conv2d"]

# --------------------------------------------------------------------------------------
# checking the arguments and working out the geometry
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConvGeometry:
    """Everything about a convolution except the numbers in the arrays."""
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[int, int, int, int]      # (left, right, top, bottom), PyTorch's pad order
    out_size: tuple[int, int]            # (Ho, Wo)
    padded_size: tuple[int, int]         # (H + top + bottom, W + left + right)
    groups: int
    padding_mode: str

    def pad_input(self, x: np.ndarray) -> np.ndarray:
        """(N, C, H, W) -> (N, C, Hp, Wp) with this convolution's border."""
        if not any(self.pads):
            return x
        mode = "constant" if self.padding_mode == "zeros" else self.padding_mode
        return pad(x, self.pads, mode=mode)

    def unpad_grad(self, grad_padded: np.ndarray, input_shape: tuple[int, ...]) -> np.ndarray:
        """Gradient w.r.t. the padded input -> gradient w.r.t. the input."""
        if not any(self.pads):
            return grad_padded
        mode = "constant" if self.padding_mode == "zeros" else self.padding_mode
        return pad_backward(grad_padded, input_shape, self.pads, mode=mode)


def _out_size_1d(fname: str, side: str, n: int, k: int, s: int, p, d: int, strict: bool, shape) -> int:
    """``conv_output_size`` for one dimension, with the error naming the input and the fix."""
    try:
        return conv_output_size(n, k, s, p, d, strict=strict)
    except ValueError as err:
        raise fit_error(fname, shape, side, err) from None


def conv_geometry(fname: str, input_shape, weight_shape, stride, padding, dilation, groups,
                  padding_mode: str = "zeros", strict: bool = True) -> ConvGeometry:
    """Check a convolution's hyper-parameters against the shapes; return its geometry.

    ``weight_shape`` is (out_channels, in_channels/groups, kH, kW).
    """
    n, c, h, w = input_shape
    o, cg, kh, kw = weight_shape
    groups = positive_int(fname, "groups", groups)
    if c % groups:
        raise ValueError(
            f"{fname}: groups={groups} must divide the {c} input channels of the input {tuple(input_shape)}"
        )
    if o % groups:
        raise ValueError(
            f"{fname}: groups={groups} must divide the {o} output channels (filters) of the weight "
            f"{tuple(weight_shape)}"
        )
    if cg * groups != c:
        raise ValueError(
            f"{fname}: the weight {tuple(weight_shape)} with groups={groups} expects an input with "
            f"{cg}*{groups} = {cg * groups} channels, but the input {tuple(input_shape)} has {c} channels"
        )
    if kh < 1 or kw < 1:
        raise ValueError(f"{fname}: the weight {tuple(weight_shape)} has an empty kernel")
    check_padding_mode(fname, padding_mode)
    stride = checked_pair(stride, "stride")
    dilation = checked_pair(dilation, "dilation")
    if isinstance(padding, str):
        check_padding_word(fname, padding, stride)
        if padding == "valid":
            ph = pw = (0, 0)
        else:  # PyTorch puts the odd pixel of an even filter span on the right/bottom
            th, tw = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
            ph, pw = (th // 2, th - th // 2), (tw // 2, tw - tw // 2)
        pad_h = pad_w = padding
    else:
        p = checked_pair(padding, "padding", minimum=0)
        ph, pw = (p[0], p[0]), (p[1], p[1])
        pad_h, pad_w = p
    out_h = _out_size_1d(fname, "height", h, kh, stride[0], pad_h, dilation[0], strict, input_shape)
    out_w = _out_size_1d(fname, "width", w, kw, stride[1], pad_w, dilation[1], strict, input_shape)
    return ConvGeometry(
        kernel_size=(kh, kw), stride=stride, dilation=dilation,
        pads=(pw[0], pw[1], ph[0], ph[1]), out_size=(out_h, out_w),
        padded_size=(h + ph[0] + ph[1], w + pw[0] + pw[1]), groups=groups, padding_mode=padding_mode,
    )


def check_conv_arrays(fname: str, input, weight, bias=None):
    """Validate the arrays of a convolution; the weight and bias take the input's dtype."""
    x = as_float_array(input, "input", ndim=4, layout="(N, C, H, W)")
    w = as_float_array(weight, "weight", ndim=4, layout=CONV_WEIGHT)
    w = w.astype(x.dtype, copy=False)
    b = None
    if bias is not None:
        b = as_float_array(bias, "bias", ndim=1, layout="(out_channels,)").astype(x.dtype, copy=False)
        check_conv_bias(fname, b.shape, w.shape)
    return x, w, b


# --------------------------------------------------------------------------------------
# the three matrix products (shared with the transposed convolution)
# --------------------------------------------------------------------------------------
def forward_cols(cols: np.ndarray, weight: np.ndarray, n: int, out_size: tuple[int, int]) -> np.ndarray:
    """cols (G, K, N*Ho*Wo) and weight (O, C/G, kH, kW) -> output (N, O, Ho, Wo)."""
    g = cols.shape[0]
    o = weight.shape[0]
    out = np.matmul(weight.reshape(g, o // g, -1), cols)    # (G, O/G, N*Ho*Wo): every dot product
    out = out.reshape(o, n, *out_size).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(out)


def _grad_output_by_group(grad_output: np.ndarray, groups: int) -> np.ndarray:
    """(N, O, Ho, Wo) -> (G, O/G, N*Ho*Wo), laid out like the output of the matrix product."""
    n, o, ho, wo = grad_output.shape
    go = np.ascontiguousarray(grad_output.transpose(1, 0, 2, 3))
    return go.reshape(groups, o // groups, n * ho * wo)


def weight_grad(cols: np.ndarray, grad_output: np.ndarray, weight_shape, grouped=None) -> np.ndarray:
    """grad_weight (O, C/G, kH, kW) = grad_output @ cols^T, per group: each weight saw every patch.

    ``grouped``: ``_grad_output_by_group(grad_output, G)`` if the caller already has it.
    """
    go = _grad_output_by_group(grad_output, cols.shape[0]) if grouped is None else grouped   # (G, O/G, M)
    gw = np.matmul(go, cols.transpose(0, 2, 1))               # (G, O/G, K)
    return gw.reshape(weight_shape)


def padded_input_grad(grad_output: np.ndarray, weight: np.ndarray, geom: ConvGeometry,
                      grouped=None) -> np.ndarray:
    """Gradient w.r.t. the *padded* input (N, C, Hp, Wp): grad_cols = W^T @ grad_output, then col2im."""
    n, o, ho, wo = grad_output.shape
    g = geom.groups
    _, cg, kh, kw = weight.shape
    go = _grad_output_by_group(grad_output, g) if grouped is None else grouped  # (G, O/G, M)
    gcols = np.matmul(weight.reshape(g, o // g, -1).transpose(0, 2, 1), go)     # (G, Cg*kH*kW, M)
    gcols = gcols.reshape(g * cg, kh, kw, n, ho, wo).transpose(1, 2, 3, 0, 4, 5)  # (kH, kW, N, C, Ho, Wo)
    return fold_windows(gcols, geom.padded_size, geom.stride, geom.dilation)


# --------------------------------------------------------------------------------------
# the functions
# --------------------------------------------------------------------------------------
def conv2d(input: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1, *, padding_mode: str = "zeros", strict: bool = True) -> np.ndarray:
    """2-D convolution (cross-correlation, as in PyTorch and the notes).

    Args:
        input: (N, C, H, W), float32 or float64.
        weight: (out_channels, C/groups, kH, kW).
        bias: (out_channels,) or None.
        stride, dilation: int or (sH, sW) / (dH, dW).
        padding: int, (pH, pW), 'valid' (no padding) or 'same' (output size = input size, stride 1).
        groups: split the channels into this many independent groups (C: depthwise).
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.
        strict: if True, a stride that does not land exactly on the last pixel raises
            ValueError; if False the leftover rows/columns are dropped (PyTorch).

    Returns:
        (N, out_channels, Ho, Wo), in the input's dtype.
    """
    return _conv2d("conv2d", input, weight, bias, stride, padding, dilation, groups, padding_mode, strict)[0]


def _conv2d(fname, input, weight, bias, stride, padding, dilation, groups, padding_mode, strict):
    """The forward pass of :func:`conv2d` and :class:`Conv2d`: ``(output, input, patches, geometry)``,
    the last three what the layer keeps for its backward pass. ``fname`` names the caller in errors."""
    x, w, b = check_conv_arrays(fname, input, weight, bias)
    geom = conv_geometry(fname, x.shape, w.shape, stride, padding, dilation, groups, padding_mode, strict)
    cols = patch_columns(geom.pad_input(x), geom.kernel_size, geom.stride, geom.dilation, geom.out_size, geom.groups)
    out = forward_cols(cols, w, x.shape[0], geom.out_size)
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out, x, cols, geom


def conv2d_backward(grad_output: np.ndarray, input: np.ndarray, weight: np.ndarray, stride=1, padding=0,
                    dilation=1, groups: int = 1, *, padding_mode: str = "zeros", bias: bool = True,
                    strict: bool = True):
    """Gradients of :func:`conv2d` (same arguments; ``grad_output`` is (N, out_channels, Ho, Wo)).

    Returns:
        ``(grad_input, grad_weight, grad_bias)`` with the shapes of input (N, C, H, W),
        weight (out_channels, C/groups, kH, kW) and bias (out_channels,); ``grad_bias``
        is None when ``bias=False``.
    """
    x, w, _ = check_conv_arrays("conv2d_backward", input, weight)
    geom = conv_geometry("conv2d_backward", x.shape, w.shape, stride, padding, dilation, groups,
                         padding_mode, strict)
    go = check_grad_output("conv2d_backward", grad_output, (x.shape[0], w.shape[0], *geom.out_size), x.dtype)
    cols = patch_columns(geom.pad_input(x), geom.kernel_size, geom.stride, geom.dilation, geom.out_size, geom.groups)
    grouped = _grad_output_by_group(go, geom.groups)
    grad_weight = weight_grad(cols, go, w.shape, grouped)
    grad_input = geom.unpad_grad(padded_input_grad(go, w, geom, grouped), x.shape)
    grad_bias = go.sum(axis=(0, 2, 3)) if bias else None
    return grad_input, grad_weight, grad_bias


# --------------------------------------------------------------------------------------
# the layer
# --------------------------------------------------------------------------------------
class Conv2d(Module):
    """A convolutional layer, constructed like ``torch.nn.Conv2d``.

    Parameters (PyTorch's names and default initialisation, kaiming_uniform(a=sqrt(5))):
        ``weight`` (out_channels, in_channels/groups, kH, kW) ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        ``bias`` (out_channels,) ~ the same, with fan_in = in_channels/groups * kH * kW.

    ``forward(x)``: x (N, in_channels, H, W) -> (N, out_channels, Ho, Wo).
    ``backward(grad_output)``: accumulates ``grads['weight']``, ``grads['bias']`` and
    returns the gradient w.r.t. x. ``rng`` is a NumPy Generator or a seed.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", *, rng=None,
                 dtype=np.float32, strict: bool = True) -> None:
        super().__init__()
        kh, kw = check_conv_layer("Conv2d", in_channels, out_channels, kernel_size, stride, padding, groups,
                                  padding_mode)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = (kh, kw), stride, padding
        self.dilation, self.groups, self.padding_mode, self.strict = dilation, groups, padding_mode, strict
        gen = np.random.default_rng(rng)
        fan_in = in_channels // groups * kh * kw
        bound = 1.0 / math.sqrt(fan_in)
        self.params["weight"] = gen.uniform(-bound, bound, (out_channels, in_channels // groups, kh, kw)).astype(dtype)
        if bias:
            self.params["bias"] = gen.uniform(-bound, bound, (out_channels,)).astype(dtype)
        self._init_grads()
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, x, cols, geom = _conv2d("Conv2d", x, self.params["weight"], self.params.get("bias"), self.stride,
                                     self.padding, self.dilation, self.groups, self.padding_mode, self.strict)
        self._cache = (x.shape, x.dtype, cols, geom)   # backward needs the patches, not x itself
        return out

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x_shape, dtype, cols, geom = self._cache
        w = self.params["weight"]
        go = check_grad_output("Conv2d.backward", grad_output, (x_shape[0], self.out_channels, *geom.out_size), dtype)
        grouped = _grad_output_by_group(go, geom.groups)
        self.grads["weight"] += weight_grad(cols, go, w.shape, grouped).astype(w.dtype, copy=False)
        if "bias" in self.params:
            self.grads["bias"] += go.sum(axis=(0, 2, 3)).astype(w.dtype, copy=False)
        return geom.unpad_grad(padded_input_grad(go, w.astype(dtype, copy=False), geom, grouped), x_shape)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in (0, (0, 0), "valid"):
            s += f", padding={self.padding!r}"
        if self.dilation not in (1, (1, 1)):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if "bias" not in self.params:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        return s
