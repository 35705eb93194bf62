"""The PyTorch side of the tests that check a reference layer against ``torch.nn``."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def copy_into_torch(theirs: torch.nn.Module, ours) -> None:
    """Give the torch module our parameters and buffers (the state_dict names are the same)."""
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})


def torch_forward_backward(theirs: torch.nn.Module, x: np.ndarray,
                           grad_output: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``theirs(x)`` and, by autograd, the gradient with respect to ``x`` of the output
    weighted by ``grad_output``; the parameters' ``.grad`` are filled in as well."""
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    yt.backward(torch.tensor(grad_output))
    return yt.detach().numpy(), xt.grad.numpy()


def torch_conv(x, w, b, stride, padding, dilation, groups, mode, grad_output=None):
    """Forward with torch (float64) and, if ``grad_output`` is given, the three gradients."""
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    tb = None if b is None else torch.tensor(b, requires_grad=True)
    if mode == "zeros":
        out = F.conv2d(tx, tw, tb, stride, padding, dilation, groups)
    else:
        layer = torch.nn.Conv2d(x.shape[1], w.shape[0], w.shape[2:], stride, padding, dilation, groups,
                                bias=b is not None, padding_mode=mode, dtype=tx.dtype)
        with torch.no_grad():
            layer.weight.copy_(tw)
            if b is not None:
                layer.bias.copy_(tb)
        out = layer(tx)
        tw, tb = layer.weight, layer.bias
    if grad_output is None:
        return out.detach().numpy()
    out.backward(torch.tensor(grad_output))
    return (out.detach().numpy(), tx.grad.numpy(), tw.grad.numpy(), None if tb is None else tb.grad.numpy())
