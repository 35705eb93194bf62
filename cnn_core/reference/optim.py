"""Optimizers with exactly ``torch.optim``'s update rules, on NumPy arrays.

An optimizer takes ``model.parameters()``, a list of ``(param, grad)`` pairs,
and updates every ``param`` IN PLACE from its ``grad`` on each ``step()``:

    for x, y in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        model.backward(loss_fn.backward())
        optimizer.step()
"""

from __future__ import annotations

import numpy as np

from .module import Module

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """Base class: holds the (param, grad) pairs and the per-parameter state."""

    def __init__(self, params, lr: float) -> None:
        if isinstance(params, Module):
            params = params.parameters()
        self.params: list[tuple[np.ndarray, np.ndarray]] = []
        for i, pair in enumerate(params):
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise TypeError(f"{type(self).__name__} takes model.parameters(), a list of "
                                f"(param, grad) pairs; item {i} is a {type(pair).__name__}")
            p, g = pair
            if not isinstance(p, np.ndarray) or not isinstance(g, np.ndarray) or p.shape != g.shape:
                raise ValueError(f"{type(self).__name__}: parameter {i} and its gradient must be "
                                 f"NumPy arrays of the same shape, got {np.shape(p)} and {np.shape(g)}")
            self.params.append((p, g))
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if lr < 0:
            raise ValueError(f"learning rate must be >= 0, got lr = {lr}")
        self.lr = lr
        self.state: list[dict] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Set every gradient to zero, in place (gradients accumulate otherwise)."""
        for _, g in self.params:
            g[...] = 0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD``.

    For each parameter w with gradient g:

        g = g + weight_decay * w                       (L2 penalty weight_decay/2 * |w|^2)
        b = g                       on the first step,
        b = momentum * b + (1 - dampening) * g        after that
        g = g + momentum * b  if nesterov  else  b     (only when momentum != 0)
        w = w - lr * g
    """

    def __init__(self, params, lr: float, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False) -> None:
        super().__init__(params, lr)
        if momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: momentum and weight_decay must be >= 0, got momentum = "
                             f"{momentum}, weight_decay = {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov

    def step(self) -> None:
        for (w, grad), state in zip(self.params, self.state):
            d = grad
            if self.weight_decay:
                d = d + self.weight_decay * w
            if self.momentum:
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = np.array(d, copy=True)
                else:
                    buf = state["momentum_buffer"]
                    buf *= self.momentum
                    buf += (1 - self.dampening) * d
                buf = state["momentum_buffer"]
                d = d + self.momentum * buf if self.nesterov else buf
            w -= self.lr * d


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (weight_decay is the L2 form, not AdamW's).

    For each parameter w with gradient g, at step t = 1, 2, ...:

        g = g + weight_decay * w
        m = beta1 * m + (1 - beta1) * g                 (running mean of g)
        v = beta2 * v + (1 - beta2) * g**2              (running mean of g**2)
        w = w - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    (the two (1 - beta**t) factors undo the bias of m and v towards their zero start).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0) -> None:
        super().__init__(params, lr)
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"Adam: betas must lie in [0, 1), got {betas}")
        self.betas, self.eps, self.weight_decay = tuple(betas), eps, weight_decay

    def step(self) -> None:
        beta1, beta2 = self.betas
        for (w, grad), state in zip(self.params, self.state):
            if not state:
                state["step"] = 0
                state["exp_avg"] = np.zeros_like(w)
                state["exp_avg_sq"] = np.zeros_like(w)
            state["step"] += 1
            t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
            g = grad + self.weight_decay * w if self.weight_decay else grad
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            bias_correction1 = 1 - beta1 ** t
            bias_correction2 = 1 - beta2 ** t
            denom = np.sqrt(v) / np.sqrt(bias_correction2) + self.eps
            w -= (self.lr / bias_correction1) * m / denom
