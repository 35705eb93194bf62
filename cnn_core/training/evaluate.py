"""What the chapters plot after training: accuracy, confusion matrix, the mistakes.

``data`` is anything ``fit`` takes: a DataLoader, a re-iterable of ``(x, y)``
batches or a function returning one, x (N, C, H, W) and y (N,) class indices. The model runs in eval mode
without gradients; its mode is restored afterwards. Results come back on the CPU.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import torch
from torch import nn

from .device import default_device, device_of

__all__ = ["predict", "accuracy", "confusion_matrix", "misclassified", "Misclassified"]


def _batches(model: nn.Module, data: Iterable, device) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Yield (x, y, logits) per batch, all on the CPU."""
    if device is None:
        device = device_of(model) or default_device()
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for batch in (data() if callable(data) else data):
                if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
                    raise TypeError("data must yield (x, y) batches; for inputs alone use predict()")
                x, y = batch
                yield x, y.cpu(), model(x.to(device)).float().cpu()
    finally:
        model.train(was_training)


def predict(model: nn.Module, data, *, device=None, batch_size: int = 256) -> torch.Tensor:
    """Predicted class indices (N,) for ``data``: a tensor x (N, C, H, W), or an iterable
    of x batches or of (x, y) batches."""
    if isinstance(data, torch.Tensor):
        data = data.split(batch_size)
    if device is None:
        device = device_of(model) or default_device()
    was_training = model.training
    model.eval()
    out = []
    try:
        with torch.inference_mode():
            for batch in data:
                x = batch[0] if isinstance(batch, (tuple, list)) else batch
                out.append(model(x.to(device)).argmax(dim=1).cpu())
    finally:
        model.train(was_training)
    if not out:
        raise ValueError("predict: the data yielded no batches")
    return torch.cat(out)


def accuracy(model: nn.Module, data: Iterable, *, device=None) -> float:
    """Fraction of examples whose highest logit is the true class."""
    correct = total = 0
    for _, y, logits in _batches(model, data, device):
        correct += int((logits.argmax(dim=1) == y).sum())
        total += y.numel()
    if total == 0:
        raise ValueError("accuracy: the data yielded no batches")
    return correct / total


def confusion_matrix(model: nn.Module, data: Iterable, num_classes: int | None = None, *,
                     device=None) -> torch.Tensor:
    """(num_classes, num_classes) int64 counts: row = true class, column = predicted class
    (scikit-learn's convention). ``num_classes`` defaults to the model's output width."""
    matrix = None
    for _, y, logits in _batches(model, data, device):
        k = num_classes or logits.shape[1]
        if matrix is None:
            matrix = torch.zeros(k, k, dtype=torch.int64)
        if y.numel() and int(y.max()) >= k:
            raise ValueError(f"a label {int(y.max())} does not fit num_classes={k}")
        index = y.long() * k + logits.argmax(dim=1)
        matrix += torch.bincount(index, minlength=k * k).reshape(k, k)
    if matrix is None:
        raise ValueError("confusion_matrix: the data yielded no batches")
    return matrix


@dataclass
class Misclassified:
    """The ``k`` most confident mistakes, most confident first."""

    images: torch.Tensor        # (k, C, H, W)
    targets: torch.Tensor       # (k,) true classes
    predictions: torch.Tensor   # (k,) predicted classes
    confidence: torch.Tensor    # (k,) softmax probability of the predicted class
    indices: torch.Tensor       # (k,) positions in ``data`` (in iteration order)

    def __len__(self) -> int:
        return len(self.targets)


def misclassified(model: nn.Module, data: Iterable, k: int = 16, *, device=None) -> Misclassified:
    """The ``k`` wrongly classified examples the model was surest about (fewer if
    it made fewer mistakes)."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    keep: list[tuple] = []
    seen = 0
    for x, y, logits in _batches(model, data, device):
        probs = logits.softmax(dim=1)
        conf, pred = probs.max(dim=1)
        wrong = (pred != y).nonzero().flatten()
        keep += [(float(conf[i]), seen + int(i), x[i].cpu(), int(y[i]), int(pred[i])) for i in wrong]
        keep = sorted(keep, key=lambda t: (-t[0], t[1]))[:k]
        seen += y.numel()
    if not keep:
        return Misclassified(torch.empty(0), torch.empty(0, dtype=torch.int64),
                             torch.empty(0, dtype=torch.int64), torch.empty(0), torch.empty(0, dtype=torch.int64))
    return Misclassified(
        images=torch.stack([t[2] for t in keep]),
        targets=torch.tensor([t[3] for t in keep]),
        predictions=torch.tensor([t[4] for t in keep]),
        confidence=torch.tensor([t[0] for t in keep]),
        indices=torch.tensor([t[1] for t in keep]),
    )
