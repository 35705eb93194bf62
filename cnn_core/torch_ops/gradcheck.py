"""Numerical gradient checks in torch, with the reference's names and arguments.

The reference checks its hand-written backward passes; in the torch path the
analytic gradient is autograd's, so these functions check autograd against
central differences (and let a student check any custom torch backward).
Everything runs in float64; the default ``grad_output`` is the same seeded
standard-normal array the reference draws (NumPy's ``default_rng(seed)``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from ..reference.gradcheck import compare_gradients

__all__ = ["numerical_gradient", "gradcheck", "check_layer_gradients"]


def numerical_gradient(f: Callable[[], torch.Tensor], x: torch.Tensor, grad_output: torch.Tensor,
                       eps: float = 1e-6) -> torch.Tensor:
    """Central-difference estimate of d sum(grad_output * f()) / dx.

    f: no arguments, reads ``x`` (perturbed IN PLACE one entry at a time, then restored);
    x: float64 tensor; grad_output: f's output shape. Returns a tensor of x's shape."""
    grad = torch.zeros_like(x)
    flat, gflat = x.view(-1), grad.view(-1)
    with torch.no_grad():
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + eps
            plus = (grad_output * f()).sum().item()
            flat[i] = old - eps
            minus = (grad_output * f()).sum().item()
            flat[i] = old
            gflat[i] = (plus - minus) / (2 * eps)
    return grad


def _default_grad_output(shape, seed: int, device) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(tuple(shape))).to(device)


def _compare(name: str, analytic, numerical: torch.Tensor, atol: float, rtol: float) -> float:
    """The reference's comparison (the worst mismatch, the same message), on CPU float64 copies."""
    if analytic is not None:
        analytic = torch.as_tensor(analytic, dtype=torch.float64).detach().cpu().numpy()
    return compare_gradients(name, analytic, numerical.detach().cpu().numpy(), atol, rtol)


def gradcheck(fn: Callable[..., torch.Tensor], inputs: dict[str, torch.Tensor], analytic=None,
              grad_output: torch.Tensor | None = None, *, eps: float = 1e-6, atol: float = 1e-6,
              rtol: float = 1e-4, seed: int = 0) -> dict[str, float]:
    """Compare gradients of ``fn(**inputs)`` with central differences.

    analytic: name -> gradient, a function ``analytic(grad_output, **inputs)`` returning that
    dict, or None (the default here): autograd's gradients of every input.
    Returns name -> largest |analytic - numerical|; raises AssertionError naming the
    tensor and the worst index on a mismatch."""
    xs = {k: torch.as_tensor(v).detach().to(torch.float64).clone() for k, v in inputs.items()}
    with torch.no_grad():
        y = torch.as_tensor(fn(**xs), dtype=torch.float64)
    device = y.device
    g = (_default_grad_output(y.shape, seed, device) if grad_output is None
         else torch.as_tensor(grad_output, dtype=torch.float64, device=device))
    if g.shape != y.shape:
        raise ValueError(f"gradcheck: grad_output has shape {tuple(g.shape)} but fn returns {tuple(y.shape)}")
    if analytic is None:
        leaves = {k: v.clone().requires_grad_(True) for k, v in xs.items()}
        out = fn(**leaves)
        grads = torch.autograd.grad(out, list(leaves.values()), g, allow_unused=True)
        analytic = {k: (torch.zeros_like(v) if gr is None else gr) for (k, v), gr in zip(leaves.items(), grads)}
    elif callable(analytic):
        analytic = analytic(g, **{k: v.clone() for k, v in xs.items()})
    unknown = set(analytic) - set(xs)
    if unknown:
        raise ValueError(f"gradcheck: gradients given for {sorted(unknown)}, not among the inputs {sorted(xs)}")
    return {name: _compare(name, analytic[name],
                           numerical_gradient(lambda: torch.as_tensor(fn(**xs), dtype=torch.float64),
                                              xs[name], g, eps), atol, rtol)
            for name in analytic}


def check_layer_gradients(layer: nn.Module, x: torch.Tensor, grad_output: torch.Tensor | None = None, *,
                          eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-4,
                          seed: int = 0) -> dict[str, float]:
    """Check autograd's gradients of a torch layer (input and every parameter) numerically.

    Works on a float64 deep copy (the layer you pass is unchanged); every evaluation
    starts from the same copy, so batch norm's running statistics do not drift.
    Returns name -> largest |analytic - numerical| ('input', 'weight', '0.bias', ...)."""
    base = copy.deepcopy(layer).double()
    x = torch.as_tensor(x).detach().to(torch.float64).clone()

    def run() -> torch.Tensor:
        return copy.deepcopy(base)(x)

    fresh = copy.deepcopy(base)
    xg = x.clone().requires_grad_(True)
    y = fresh(xg)
    g = (_default_grad_output(y.shape, seed, y.device) if grad_output is None
         else torch.as_tensor(grad_output, dtype=torch.float64, device=y.device))
    if g.shape != y.shape:
        raise ValueError(f"check_layer_gradients: grad_output has shape {tuple(g.shape)} but the layer "
                         f"returns {tuple(y.shape)}")
    named = list(fresh.named_parameters())
    grads = torch.autograd.grad(y, [xg] + [p for _, p in named], g, allow_unused=True)
    report = {"input": _compare("input", grads[0], numerical_gradient(run, x, g, eps), atol, rtol)}
    base_params = dict(base.named_parameters())
    for (name, _), analytic in zip(named, grads[1:]):
        param = base_params[name]
        report[name] = _compare(name, analytic, numerical_gradient(run, param.data, g, eps), atol, rtol)
    return report
