"""The running loss and accuracy of one pass over batches, for ``fit`` and ``torch_ops.evaluate``."""

from __future__ import annotations

import torch

__all__ = ["Meter", "is_classification"]


def is_classification(out: torch.Tensor, y: torch.Tensor) -> bool:
    """Scores (N, classes) and integer targets (N,): the batches have an accuracy."""
    return out.ndim == 2 and y.ndim == 1 and not torch.is_floating_point(y)


class Meter:
    """Running sums of one pass over batches, kept as tensors on the device (no sync per batch):
    the batch-size weighted loss and, when the targets are class indices, the accuracy."""

    def __init__(self) -> None:
        self.loss_sum = 0.0
        self.correct = 0
        self.count = 0
        self.classification = None

    def add(self, loss: torch.Tensor, out: torch.Tensor, y: torch.Tensor) -> None:
        n = y.shape[0]
        loss = loss.detach()
        if loss.dtype in (torch.float16, torch.bfloat16):     # sum in float32 (or the loss's float64)
            loss = loss.float()
        self.loss_sum = self.loss_sum + loss * n
        if self.classification is None:
            self.classification = is_classification(out, y)
        if self.classification:
            self.correct = self.correct + (out.detach().argmax(dim=1) == y).sum()
        self.count += n

    def results(self) -> tuple[float, float | None]:
        if self.count == 0:
            raise ValueError("the data yielded no batches")
        loss = float(self.loss_sum) / self.count
        acc = float(self.correct) / self.count if self.classification else None
        return loss, acc
