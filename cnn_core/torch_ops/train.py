"""The reference's ``fit``, ``evaluate`` and ``History``, for torch models.

Same names and arguments as ``cnn_core.reference.train``; the work is done by
``cnn_core.training`` (device choice, progress, history). Use
``cnn_core.training.fit`` directly for early stopping, checkpoints and the
GPU options.
"""

from __future__ import annotations

import torch
from torch import nn

from ..training import History, device_of
from ..training import fit as _fit
from ..training.meter import Meter

__all__ = ["History", "fit", "evaluate"]


def fit(model: nn.Module, train, val=None, epochs: int = 1, *, optimizer=None, lr: float = 1e-3,
        loss_fn=None, progress: bool = True) -> History:
    """:func:`cnn_core.reference.fit` for a torch model: the same arguments (those of
    :func:`cnn_core.training.fit`), ``loss_fn`` default ``nn.CrossEntropyLoss()``, ``optimizer``
    default Adam; returns a :class:`History`. The model stays on the device of its parameters,
    in train() mode."""
    history = _fit(model, train, val, epochs, optimizer=optimizer, lr=lr, loss_fn=loss_fn,
                   device=device_of(model), progress=progress, amp=False, channels_last=False)
    model.train()
    return history


def evaluate(model: nn.Module, data, loss_fn=None) -> tuple[float, float | None]:
    """Average loss and accuracy over ``(x, y)`` batches in eval mode (mode restored).
    Accuracy is None when the targets are not class indices."""
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    device = device_of(model, torch.device("cpu"))
    was_training = model.training
    model.eval()
    meter = Meter()
    try:
        with torch.no_grad():
            for x, y in (data() if callable(data) else data):
                x, y = x.to(device), y.to(device)
                out = model(x)
                meter.add(loss_fn(out, y), out, y)
    finally:
        model.train(was_training)
    if meter.count == 0:
        raise ValueError("evaluate: the data gave no batches")
    return meter.results()
