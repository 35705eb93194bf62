"""``summary(model, input_size)``: every layer's output shape and parameter count.

It runs one forward pass on zeros with a forward hook on every leaf layer
(a layer with no sub-layers), so the shapes are the ones PyTorch actually
produced, in the order they were produced. The arithmetic behind them is
``cnn_core.shapes`` (the tests check that the two agree).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import torch
from torch import nn

from ..training.device import device_of

__all__ = ["LayerInfo", "ModelSummary", "summary"]


@dataclass
class LayerInfo:
    """One call of one leaf layer. Shapes include the batch axis."""

    name: str                       # dotted name, as in model.named_modules()
    type: str                       # class name, e.g. 'Conv2d'
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int                     # parameters owned by this layer (not counting children)
    module: nn.Module = field(repr=False, compare=False)


@dataclass
class ModelSummary:
    """The rows of the table plus totals; ``str()`` gives the table."""

    model_name: str
    input_shape: tuple[int, ...]
    layers: list[LayerInfo]
    total_params: int
    trainable_params: int

    def __str__(self) -> str:
        rows = [(info.name, info.type, str(tuple(info.output_shape[1:])), f"{info.params:,}")
                for info in self.layers]
        head = ("Layer", "Type", "Output shape", "Parameters")
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
                  for i, h in enumerate(head)]
        line = "  ".join("{:<%d}" % w for w in widths[:-1]) + "  {:>%d}" % widths[-1]
        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        out = [f"{self.model_name} on input {tuple(self.input_shape[1:])} (shapes per example)", rule,
               line.format(*head), rule]
        out += [line.format(*r) for r in rows]
        out += [rule, f"Total parameters:     {self.total_params:,}",
                f"Trainable parameters: {self.trainable_params:,}"]
        return "\n".join(out)


def summary(model: nn.Module, input_size: tuple[int, ...], *, batch_size: int = 2,
            device: str | torch.device | None = None, dtype: torch.dtype = torch.float32,
            file=sys.stdout, verbose: bool = True) -> ModelSummary:
    """Run ``model`` once on zeros of shape ``(batch_size, *input_size)`` and tabulate it.

    Args:
        model: any ``nn.Module`` taking one tensor.
        input_size: the shape of ONE example, e.g. ``(3, 224, 224)`` (no batch axis).
        batch_size: examples in the dummy batch (2, so batch norm in train mode works;
            the model is run in eval mode anyway and its mode restored afterwards).
        device: where to run; default: where the model's parameters are. A model built under
            ``with torch.device("meta"):`` is summarised without memory or arithmetic (shapes
            only): the cheap way to look at VGG-16 at 224x224.
        verbose: print the table to ``file``.

    Returns:
        a ``ModelSummary``: ``.layers`` (``LayerInfo`` rows), ``.total_params``,
        ``.trainable_params``.
    """
    input_size = tuple(int(s) for s in input_size)
    if not input_size or any(s <= 0 for s in input_size):
        raise ValueError(f"input_size must be the shape of one example, e.g. (3, 32, 32); got {input_size}")
    if device is None:
        device = device_of(model, torch.device("cpu"))
    rows: list[LayerInfo] = []
    handles = []

    def hook_for(name: str):
        def hook(module, inputs, output):
            inp = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
            own = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(LayerInfo(name, type(module).__name__,
                                  tuple(inp.shape) if inp is not None else (),
                                  tuple(output.shape) if isinstance(output, torch.Tensor) else (),
                                  own, module))
        return hook

    for name, module in model.named_modules():
        if name and not any(True for _ in module.children()):
            handles.append(module.register_forward_hook(hook_for(name)))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros((batch_size, *input_size), device=device, dtype=dtype))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    result = ModelSummary(
        type(model).__name__, (batch_size, *input_size), rows,
        total_params=sum(p.numel() for p in model.parameters()),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
    )
    if verbose:
        print(result, file=file)
    return result
