"""``Sequential``: layers applied one after another, as ``torch.nn.Sequential``.

The forward pass runs the layers in order; the backward pass runs their
backward methods in reverse order (the chain rule, one link per layer).
Children are named '0', '1', ... so ``state_dict()`` keys ('0.weight',
'2.bias', ...) are the ones PyTorch uses for the same stack of layers, and a
state dict moves between the two in either direction.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .module import Module

__all__ = ["Sequential"]


class Sequential(Module):
    """``Sequential(layer0, layer1, ...)``: the output of each layer is the input of the next.

    Input: whatever the first layer takes; output: whatever the last returns.
    Supports ``len``, iteration, ``model[i]`` (a slice gives a new Sequential
    sharing the same layers) and ``append``.
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        self.layers: list[Module] = []
        for layer in layers:
            self.append(layer)

    def append(self, layer: Module) -> "Sequential":
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential takes layers (cnn_core.reference Modules), got "
                            f"{type(layer).__name__}" +
                            (" — a torch layer cannot be mixed into the NumPy reference"
                             if type(layer).__module__.startswith("torch") else ""))
        self.layers.append(layer)
        return self

    def children(self) -> Iterator[tuple[str, Module]]:
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        try:
            return self.layers[index]
        except IndexError:
            raise IndexError(f"index {index} is out of range for a Sequential of "
                             f"{len(self.layers)} layers") from None
