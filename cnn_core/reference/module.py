"""The base class of every layer in the NumPy reference.

A layer is an object with a ``forward`` and a ``backward``, as in CS231n, named
and organised like ``torch.nn.Module``:

- ``forward(x)`` computes the output and remembers what ``backward`` needs;
- ``backward(grad_output)`` returns the gradient with respect to the input and
  *accumulates* the gradients of the parameters into ``grads`` (as PyTorch
  accumulates into ``.grad``; call ``zero_grad()`` between steps);
- ``params`` and ``grads`` are dicts keyed by PyTorch's ``state_dict`` names
  (``'weight'``, ``'bias'``, ...). ``grads[name]`` always has the shape of
  ``params[name]``. Both hold NumPy arrays that optimizers update in place;
- ``buffers`` holds state that is saved but not trained (batch norm's running
  statistics);
- ``training`` switches behaviour (dropout, batch norm) with ``train()`` and
  ``eval()``.

Calling ``backward`` before any ``forward`` raises the same RuntimeError for every
layer: the check lives here, wrapped around each subclass's methods, not in each layer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np


def remembers_forward(forward):
    """Wrap a ``forward`` so the layer knows it has run (for :func:`needs_forward`)."""
    @functools.wraps(forward)
    def wrapper(self, *args, **kwargs):
        out = forward(self, *args, **kwargs)
        self._forward_done = True
        return out
    return wrapper


def needs_forward(backward):
    """Wrap a ``backward`` so calling it before any ``forward`` raises a clear RuntimeError."""
    @functools.wraps(backward)
    def wrapper(self, *args, **kwargs):
        if not getattr(self, "_forward_done", False):
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return backward(self, *args, **kwargs)
    return wrapper


class Module:
    """Base class: subclasses set ``self.params`` / ``self.buffers`` in ``__init__``
    and implement ``forward`` and ``backward``."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:
            cls.forward = remembers_forward(cls.__dict__["forward"])
        if "backward" in cls.__dict__:
            cls.backward = needs_forward(cls.__dict__["backward"])

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.training: bool = True
        self._forward_done: bool = False

    # --- the two methods every layer implements --------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement backward")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    # --- parameters ----------------------------------------------------------
    def children(self) -> Iterator[tuple[str, "Module"]]:
        """Direct sub-layers as (name, layer). Containers override this."""
        return iter(())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Yield ``(state_dict_name, param, grad)`` for this layer and its children."""
        for name, p in self.params.items():
            yield prefix + name, p, self.grads[name]
        for child_name, child in self.children():
            yield from child.named_parameters(prefix + child_name + ".")

    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(param, grad)`` pairs, the form the optimizers take."""
        return [(p, g) for _, p, g in self.named_parameters()]

    def zero_grad(self) -> None:
        for _, _, g in self.named_parameters():
            g[...] = 0

    def _init_grads(self) -> None:
        """Create a zero gradient for every parameter (call at the end of ``__init__``)."""
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def state_dict(self, prefix: str = "") -> dict[str, np.ndarray]:
        """Parameters and buffers under PyTorch's names, as copies."""
        out = {prefix + k: v.copy() for k, v in self.params.items()}
        out.update({prefix + k: np.array(v, copy=True) for k, v in self.buffers.items()})
        for child_name, child in self.children():
            out.update(child.state_dict(prefix + child_name + "."))
        return out

    def load_state_dict(self, state: dict, prefix: str = "") -> None:
        """Copy arrays (NumPy, or anything ``np.asarray`` takes, e.g. CPU torch tensors)
        into this layer in place, checking every shape."""
        for store in (self.params, self.buffers):
            for k, v in store.items():
                key = prefix + k
                if key not in state:
                    raise KeyError(f"load_state_dict: '{key}' is missing from the state dict")
                value = np.asarray(state[key])
                if value.shape != np.shape(v):
                    raise ValueError(
                        f"load_state_dict: '{key}' has shape {tuple(value.shape)} "
                        f"but this layer expects {tuple(np.shape(v))}"
                    )
                v[...] = value
        for child_name, child in self.children():
            child.load_state_dict(state, prefix + child_name + ".")

    # --- modes ---------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        self.training = mode
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        kids = list(self.children())
        if not kids:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in kids:
            lines.append("  (" + name + "): " + repr(child).replace("\n", "\n  "))
        lines.append(")")
        return "\n".join(lines)
