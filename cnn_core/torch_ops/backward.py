"""The ``*_backward`` functions of the reference, in torch.

Two ways, both honest about what they are:

- where the gradient is a one-line formula of the forward's *output*
  (sigmoid, tanh, softmax, log-softmax) or of simple inputs (relu, linear,
  flatten, dropout, the losses, the penalties), the formula is written out,
  exactly as in the notes;
- where the derivation is long (convolution, transposed convolution,
  padding, normalization), ``torch.autograd.grad`` runs the forward and
  backpropagates ``grad_output`` (a vector-Jacobian product): the torch path
  lets autograd do what the reference derives by hand. The teaching versions
  of the convolution and pooling backward are in ``im2col.py`` and
  ``pool_backward.py``.

Arguments and return values follow the reference (e.g. ``conv2d_backward``
returns ``(grad_input, grad_weight, grad_bias)``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from . import functional as tf

__all__ = [
    "pad_backward", "conv2d_backward", "conv_transpose2d_backward",
    "relu_backward", "sigmoid_backward", "tanh_backward", "softmax_backward", "log_softmax_backward",
    "linear_backward", "flatten_backward", "batch_norm_backward", "layer_norm_backward",
    "dropout_backward", "cross_entropy_backward", "mse_loss_backward",
    "l1_penalty_backward", "l2_penalty_backward",
]


def vjp(forward, grad_output: torch.Tensor, *inputs: torch.Tensor | None) -> tuple[torch.Tensor | None, ...]:
    """Gradients of ``sum(grad_output * forward(*inputs))`` with respect to every input that is
    not None (None stays None), by autograd. The caller's tensors are not modified."""
    leaves = [None if t is None else t.detach().clone().requires_grad_(True) for t in inputs]
    with torch.enable_grad():
        out = forward(*leaves)
    wanted = [t for t in leaves if t is not None]
    grads = iter(torch.autograd.grad(out, wanted, grad_output, allow_unused=True))
    result = []
    for t in leaves:
        if t is None:
            result.append(None)
        else:
            g = next(grads)
            result.append(torch.zeros_like(t) if g is None else g)
    return tuple(result)


# --- padding and convolution -------------------------------------------------------------
def pad_backward(grad_output: torch.Tensor, input_shape, pad, mode: str = "constant") -> torch.Tensor:
    """Gradient of ``pad``: grad_output (padded shape) -> input_shape. Constant padding crops;
    the other modes add each copied pixel's gradient back onto its source."""
    x = torch.zeros(tuple(input_shape), dtype=grad_output.dtype, device=grad_output.device)
    return vjp(lambda t: tf.pad(t, pad, mode), grad_output, x)[0]


def conv2d_backward(grad_output: torch.Tensor, input: torch.Tensor, weight: torch.Tensor, stride=1,
                    padding=0, dilation=1, groups: int = 1, *, padding_mode: str = "zeros",
                    bias: bool = True, strict: bool = True):
    """-> (grad_input (N, C, H, W), grad_weight (O, C/groups, kH, kW), grad_bias (O,) or None)."""
    b = torch.zeros(weight.shape[0], dtype=weight.dtype, device=weight.device) if bias else None
    return vjp(lambda x, w, b_: tf.conv2d(x, w, b_, stride, padding, dilation, groups,
                                          padding_mode=padding_mode, strict=strict),
               grad_output, input, weight, b)


def conv_transpose2d_backward(grad_output: torch.Tensor, input: torch.Tensor, weight: torch.Tensor, stride=1,
                              padding=0, output_padding=0, groups: int = 1, dilation=1, *, bias: bool = True):
    """-> (grad_input, grad_weight (C_in, O/groups, kH, kW), grad_bias (O,) or None)."""
    b = torch.zeros(weight.shape[1] * groups, dtype=weight.dtype, device=weight.device) if bias else None
    return vjp(lambda x, w, b_: tf.conv_transpose2d(x, w, b_, stride, padding, output_padding, groups, dilation),
               grad_output, input, weight, b)


# --- activations: formulas of the forward's output -------------------------------------------
def relu_backward(grad_output: torch.Tensor, input: torch.Tensor) -> torch.Tensor:
    """grad where input > 0, else 0 (the gradient at exactly 0 is taken as 0, as PyTorch does)."""
    return grad_output * (input > 0)


def sigmoid_backward(grad_output: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """grad * s (1 - s), with s = sigmoid(x) the forward's output."""
    return grad_output * output * (1 - output)


def tanh_backward(grad_output: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """grad * (1 - t**2), with t = tanh(x) the forward's output."""
    return grad_output * (1 - output * output)


def softmax_backward(grad_output: torch.Tensor, output: torch.Tensor, dim: int) -> torch.Tensor:
    """s * (g - sum(g * s)) along ``dim``, with s the softmax output."""
    return output * (grad_output - (grad_output * output).sum(dim=dim, keepdim=True))


def log_softmax_backward(grad_output: torch.Tensor, output: torch.Tensor, dim: int) -> torch.Tensor:
    """g - softmax * sum(g) along ``dim``, with ``output`` the log-softmax."""
    return grad_output - output.exp() * grad_output.sum(dim=dim, keepdim=True)


# --- linear, flatten, normalization, dropout ------------------------------------------------
def linear_backward(grad_output: torch.Tensor, input: torch.Tensor, weight: torch.Tensor, bias: bool = True):
    """-> (grad_output @ W, grad_output^T @ x, grad_output summed over N or None)."""
    g2 = grad_output.reshape(-1, weight.shape[0])
    x2 = input.reshape(-1, weight.shape[1])
    return grad_output @ weight, g2.T @ x2, (g2.sum(dim=0) if bias else None)


def flatten_backward(grad_output: torch.Tensor, input_shape) -> torch.Tensor:
    """Flattening only moves numbers: reshape the gradient back to ``input_shape``."""
    return grad_output.reshape(tuple(input_shape))


def batch_norm_backward(grad_output: torch.Tensor, input: torch.Tensor, weight: torch.Tensor | None = None,
                        running_mean: torch.Tensor | None = None, running_var: torch.Tensor | None = None,
                        training: bool = False, eps: float = 1e-5):
    """-> (grad_input, grad_weight (C,), grad_bias (C,)); the running statistics are not changed."""
    c = input.shape[1]
    w = torch.ones(c, dtype=input.dtype, device=input.device) if weight is None else weight
    b = torch.zeros(c, dtype=input.dtype, device=input.device)
    rm = None if training or running_mean is None else running_mean.detach().clone()
    rv = None if training or running_var is None else running_var.detach().clone()
    if not training and (rm is None or rv is None):
        raise ValueError("batch_norm_backward with training=False needs running_mean and running_var "
                         "(the values the forward used)")
    return vjp(lambda x, w_, b_: F.batch_norm(x, rm, rv, w_, b_, training, 0.0, eps), grad_output, input, w, b)


def layer_norm_backward(grad_output: torch.Tensor, input: torch.Tensor, normalized_shape,
                        weight: torch.Tensor | None = None, eps: float = 1e-5):
    """-> (grad_input, grad_weight, grad_bias), the last two of shape ``normalized_shape``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    w = torch.ones(shape, dtype=input.dtype, device=input.device) if weight is None else weight
    b = torch.zeros(shape, dtype=input.dtype, device=input.device)
    return vjp(lambda x, w_, b_: F.layer_norm(x, shape, w_, b_, eps), grad_output, input, w, b)


def dropout_backward(grad_output: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """grad * mask: dropped units get nothing, kept ones are scaled by 1/(1-p)."""
    if grad_output.shape != mask.shape:
        raise ValueError(f"dropout_backward: grad_output has shape {tuple(grad_output.shape)} but the "
                         f"mask has shape {tuple(mask.shape)}")
    return grad_output * mask


# --- losses and penalties -----------------------------------------------------------------
def cross_entropy_backward(grad_output, input: torch.Tensor, target: torch.Tensor, reduction: str = "mean",
                           label_smoothing: float = 0.0) -> torch.Tensor:
    """(softmax(input) - q) * grad_output (/ N for 'mean'), q the (smoothed) one-hot target."""
    n, k = input.shape
    q = torch.full_like(input, label_smoothing / k)
    q[torch.arange(n, device=input.device), target] += 1 - label_smoothing
    grad = torch.softmax(input, dim=1) - q
    g = torch.as_tensor(grad_output, dtype=input.dtype, device=input.device)
    if reduction == "none":
        return grad * g.reshape(n, 1)
    return grad * (g.reshape(()) / n if reduction == "mean" else g.reshape(()))


def mse_loss_backward(grad_output, input: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """2 (input - target) * grad_output (/ number of elements for 'mean')."""
    g = torch.as_tensor(grad_output, dtype=input.dtype, device=input.device)
    grad = 2 * (input - target) * (g if reduction == "none" else g.reshape(()))
    return grad / input.numel() if reduction == "mean" else grad


def l1_penalty_backward(weights, grad_output: float = 1.0) -> list[torch.Tensor]:
    """grad_output * sign(w) for each tensor (0 where w == 0)."""
    return [grad_output * torch.sign(w) for w in tf._weights(weights)]


def l2_penalty_backward(weights, grad_output: float = 1.0) -> list[torch.Tensor]:
    """grad_output * 2 w for each tensor."""
    return [grad_output * 2 * w for w in tf._weights(weights)]
