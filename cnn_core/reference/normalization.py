"""Batch normalization and layer normalization, forward and backward side by side.

Both normalise x to x_hat = (x - mean) / sqrt(var + eps) with the *biased*
variance (divide by n), then scale and shift: y = weight * x_hat + bias.
They differ in which numbers share a mean:

- batch norm: per channel, over the batch and the spatial axes
  (N, H, W for an (N, C, H, W) input; N for an (N, C) input);
- layer norm: per example, over the last axes given by ``normalized_shape``.

Batch norm keeps running averages for inference. In training mode, as in
PyTorch, the running mean and variance are updated IN PLACE with
``running = (1 - momentum) * running + momentum * batch_statistic``, where the
variance fed into the running average is the *unbiased* one (divide by n - 1),
although the normalisation itself used the biased one.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_channels, positive_int
from .module import Module

__all__ = [
    "batch_norm", "batch_norm_backward", "layer_norm", "layer_norm_backward",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm",
]


# --- batch norm -------------------------------------------------------------------
def _bn_axes(x: np.ndarray) -> tuple[int, ...]:
    """The axes batch norm averages over: all but the channel axis 1."""
    return (0,) + tuple(range(2, x.ndim))


def _bn_shape(x: np.ndarray) -> tuple[int, ...]:
    """Shape that broadcasts a per-channel (C,) vector against x: (1, C, 1, 1) for 4-d."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _check_channel_vector(v, name: str, channels: int, x_shape) -> np.ndarray:
    v = as_float_array(v, name, ndim=1, layout="(C,)")
    if v.shape[0] != channels:
        raise ValueError(f"batch_norm: {name} has {v.shape[0]} entries but the input {x_shape} "
                         f"has C = {channels} channels (axis 1)")
    return v


def batch_norm(input: np.ndarray, running_mean: np.ndarray | None,
               running_var: np.ndarray | None, weight: np.ndarray | None = None,
               bias: np.ndarray | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> np.ndarray:
    """Batch normalization, exactly as ``torch.nn.functional.batch_norm``.

    input: (N, C), (N, C, L) or (N, C, H, W). running_mean, running_var, weight,
    bias: (C,) or None. Returns an array of the input's shape.

    - ``training=True``: normalise with this batch's mean and biased variance
      per channel, and (if the running arrays are given) update them in place
      with ``momentum``, using the unbiased variance for ``running_var``;
    - ``training=False``: normalise with ``running_mean`` and ``running_var``.
    """
    x = as_float_array(input, "input", ndim=(2, 3, 4))
    C = x.shape[1]
    if running_mean is not None:
        _check_channel_vector(running_mean, "running_mean", C, x.shape)
    if running_var is not None:
        _check_channel_vector(running_var, "running_var", C, x.shape)
    w = None if weight is None else _check_channel_vector(weight, "weight", C, x.shape)
    b = None if bias is None else _check_channel_vector(bias, "bias", C, x.shape)
    axes, shape = _bn_axes(x), _bn_shape(x)

    if training:
        n = x.size // C
        if n <= 1:
            raise ValueError(f"batch_norm in training mode needs more than 1 value per channel "
                             f"to compute a variance; input has shape {x.shape}")
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)  # biased: divides by n
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += momentum * var * n / (n - 1)  # unbiased
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm with training=False needs running_mean and running_var")
        mean = np.asarray(running_mean)
        var = np.asarray(running_var)

    out = (x - mean.reshape(shape).astype(x.dtype)) / np.sqrt(var.reshape(shape) + eps).astype(x.dtype)
    if w is not None:
        out = out * w.reshape(shape)
    if b is not None:
        out = out + b.reshape(shape)
    return out.astype(x.dtype, copy=False)


def batch_norm_backward(grad_output: np.ndarray, input: np.ndarray,
                        weight: np.ndarray | None = None,
                        running_mean: np.ndarray | None = None,
                        running_var: np.ndarray | None = None,
                        training: bool = False, eps: float = 1e-5):
    """Gradients of :func:`batch_norm`. Returns ``(grad_input, grad_weight, grad_bias)``.

    grad_output, input: the shape of the forward's input; weight: (C,) or None
    (None means a scale of 1). ``running_mean``/``running_var`` (C,) are needed only
    in eval mode and must hold the values the forward used. grad_weight and
    grad_bias, both (C,), are the gradients the scale and shift get (ignore them
    if the forward had none).

    With x_hat the normalised input, g = grad_output, and sums over the n values
    of one channel (the CS231n "staged" derivation, collapsed):

    - grad_bias   = sum g
    - grad_weight = sum g * x_hat
    - training:  grad_input = weight / sqrt(var + eps) / n * (n g - sum g - x_hat sum g x_hat)
      (the batch mean and variance depend on every input, hence the two sums);
    - eval:      grad_input = weight / sqrt(running_var + eps) * g (the statistics are constants).
    """
    x = as_float_array(input, "input", ndim=(2, 3, 4))
    g = as_float_array(grad_output, "grad_output")
    if g.shape != x.shape:
        raise ValueError(f"batch_norm_backward: grad_output has shape {g.shape} but input has "
                         f"shape {x.shape}; they must match")
    C = x.shape[1]
    axes, shape = _bn_axes(x), _bn_shape(x)
    w = np.ones(C, x.dtype) if weight is None else _check_channel_vector(weight, "weight", C, x.shape)
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm_backward with training=False needs running_mean and "
                             "running_var (the values the forward used)")
        mean, var = np.asarray(running_mean), np.asarray(running_var)
    invstd = (1 / np.sqrt(var + eps)).reshape(shape)
    x_hat = (x - mean.reshape(shape)) * invstd

    grad_bias = g.sum(axis=axes)
    grad_weight = (g * x_hat).sum(axis=axes)
    if training:
        n = x.size // C
        grad_input = (w.reshape(shape) * invstd / n) * (
            n * g - grad_bias.reshape(shape) - x_hat * grad_weight.reshape(shape))
    else:
        grad_input = g * w.reshape(shape) * invstd
    dt = g.dtype
    return grad_input.astype(dt, copy=False), grad_weight.astype(dt), grad_bias.astype(dt)


# --- layer norm -------------------------------------------------------------------
def _ln_axes(x: np.ndarray, normalized_shape) -> tuple[tuple[int, ...], tuple[int, ...]]:
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ValueError(f"layer_norm: normalized_shape {shape} must equal the last axes of the "
                         f"input, whose shape is {x.shape}")
    return tuple(range(x.ndim - k, x.ndim)), shape


def _check_affine(v, name: str, shape) -> np.ndarray:
    v = as_float_array(v, name)
    if v.shape != tuple(shape):
        raise ValueError(f"layer_norm: {name} has shape {v.shape} but normalized_shape is "
                         f"{tuple(shape)}")
    return v


def layer_norm(input: np.ndarray, normalized_shape, weight: np.ndarray | None = None,
               bias: np.ndarray | None = None, eps: float = 1e-5) -> np.ndarray:
    """Layer normalization, as ``torch.nn.functional.layer_norm``.

    input: (*, *normalized_shape), e.g. (N, C, H, W) with normalized_shape (C, H, W);
    weight, bias: normalized_shape or None. Each example is normalised with its
    own mean and biased variance over the last ``len(normalized_shape)`` axes;
    the same in training and in eval. Returns an array of the input's shape.
    """
    x = as_float_array(input, "input")
    axes, shape = _ln_axes(x, normalized_shape)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    out = (x - mean) / np.sqrt(var + eps)
    if weight is not None:
        out = out * _check_affine(weight, "weight", shape)
    if bias is not None:
        out = out + _check_affine(bias, "bias", shape)
    return out.astype(x.dtype, copy=False)


def layer_norm_backward(grad_output: np.ndarray, input: np.ndarray, normalized_shape,
                        weight: np.ndarray | None = None, eps: float = 1e-5):
    """Gradients of :func:`layer_norm`. Returns ``(grad_input, grad_weight, grad_bias)``.

    grad_output, input: (*, *normalized_shape); weight: normalized_shape or None.
    grad_weight, grad_bias have shape normalized_shape (sums over the leading axes).
    The input gradient is batch norm's training formula, with the sums taken
    over the normalised axes of each example instead of over the batch.
    """
    x = as_float_array(input, "input")
    g = as_float_array(grad_output, "grad_output")
    if g.shape != x.shape:
        raise ValueError(f"layer_norm_backward: grad_output has shape {g.shape} but input has "
                         f"shape {x.shape}; they must match")
    axes, shape = _ln_axes(x, normalized_shape)
    lead = tuple(range(x.ndim - len(shape)))
    n = int(np.prod(shape))
    mean = x.mean(axis=axes, keepdims=True)
    invstd = 1 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    x_hat = (x - mean) * invstd
    grad_weight = (g * x_hat).sum(axis=lead)
    grad_bias = g.sum(axis=lead)
    dx_hat = g if weight is None else g * _check_affine(weight, "weight", shape)
    grad_input = (invstd / n) * (n * dx_hat - dx_hat.sum(axis=axes, keepdims=True)
                                 - x_hat * (dx_hat * x_hat).sum(axis=axes, keepdims=True))
    dt = g.dtype
    return grad_input.astype(dt, copy=False), grad_weight.astype(dt), grad_bias.astype(dt)


# --- layers -----------------------------------------------------------------------
class _BatchNorm(Module):
    _ndims: tuple[int, ...] = ()
    _layout = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 dtype=np.float32) -> None:
        super().__init__()
        self.num_features = positive_int(type(self).__name__, "num_features", num_features)
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.params["weight"] = np.ones(num_features, dtype)
            self.params["bias"] = np.zeros(num_features, dtype)
        if track_running_stats:
            self.buffers["running_mean"] = np.zeros(num_features, dtype)
            self.buffers["running_var"] = np.ones(num_features, dtype)
            self.buffers["num_batches_tracked"] = np.array(0, np.int64)
        self._init_grads()

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "input", ndim=self._ndims, layout=self._layout)
        check_channels(type(self).__name__, self.num_features, x.shape)
        # Batch statistics in training, and always when no running statistics are kept.
        use_batch = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.buffers["num_batches_tracked"] += 1
            if self.momentum is None:  # cumulative moving average, as PyTorch
                momentum = 1.0 / float(self.buffers["num_batches_tracked"])
        rm, rv = self.buffers.get("running_mean"), self.buffers.get("running_var")  # None if untracked
        self._input, self._use_batch = x, use_batch
        self._stats = None if use_batch else (rm.copy(), rv.copy())
        return batch_norm(x, rm, rv, self.params.get("weight"), self.params.get("bias"),
                          training=use_batch, momentum=momentum, eps=self.eps)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        rm, rv = self._stats if self._stats is not None else (None, None)
        gx, gw, gb = batch_norm_backward(grad_output, self._input, self.params.get("weight"),
                                         rm, rv, training=self._use_batch, eps=self.eps)
        if self.affine:
            self.grads["weight"] += gw
            self.grads["bias"] += gb
        return gx

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs, as ``torch.nn.BatchNorm1d``.

    Parameters ``weight``, ``bias`` (C,); buffers ``running_mean``, ``running_var`` (C,)
    and ``num_batches_tracked`` (a 0-d int64), the names of PyTorch's state_dict.
    """
    _ndims = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs, one mean and variance per channel,
    as ``torch.nn.BatchNorm2d``. Same parameters and buffers as :class:`BatchNorm1d`."""
    _ndims = (4,)
    _layout = "(N, C, H, W)"


class LayerNorm(Module):
    """Layer norm over the last axes, as ``torch.nn.LayerNorm``.

    normalized_shape: an int or a tuple, e.g. (C, H, W). Parameters ``weight``
    (ones) and ``bias`` (zeros) of that shape when ``elementwise_affine``.
    Input (*, *normalized_shape) -> output of the same shape.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, *,
                 dtype=np.float32) -> None:
        super().__init__()
        self.normalized_shape = ((int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer))
                                 else tuple(int(s) for s in normalized_shape))
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.params["weight"] = np.ones(self.normalized_shape, dtype)
            self.params["bias"] = np.zeros(self.normalized_shape, dtype)
        self._init_grads()

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._input = as_float_array(x, "input")
        return layer_norm(self._input, self.normalized_shape, self.params.get("weight"),
                          self.params.get("bias"), self.eps)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        gx, gw, gb = layer_norm_backward(grad_output, self._input, self.normalized_shape,
                                         self.params.get("weight"), self.eps)
        if self.elementwise_affine:
            self.grads["weight"] += gw
            self.grads["bias"] += gb
        return gx

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
