"""The PyTorch side of the tests that check a reference layer against ``torch.nn``."""

from __future__ import annotations

import numpy as np
import torch


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
