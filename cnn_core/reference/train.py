"""A small training loop for the NumPy reference: ``fit`` and ``evaluate``.

One training step is the four lines every framework shares:

    optimizer.zero_grad()                  # gradients accumulate otherwise
    loss = loss_fn(model(x), y)            # forward
    model.backward(loss_fn.backward())     # backward, layer by layer in reverse
    optimizer.step()                       # update the parameters in place

Data is an iterable of ``(x, y)`` NumPy batches that can be iterated again each
epoch (a list, or a loader object), or a callable returning a fresh iterator of
batches each time it is called (e.g. ``lambda: batches(x, y, 64, rng)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .._fit_args import check_fit_args, make_optimizer
from .loss import CrossEntropyLoss
from .module import Module
from .optim import Adam, Optimizer

__all__ = ["History", "fit", "evaluate"]


@dataclass
class History:
    """Per-epoch metrics, lists ready for plotting (one entry per epoch).

    Accuracies are fractions in [0, 1]; they are None when the targets are not
    class indices (e.g. an MSE regression). The val_* lists stay empty without
    validation data.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)

    @property
    def epochs(self) -> list[int]:
        return list(range(1, len(self.train_loss) + 1))

    def plot(self, axes=None):
        """Loss and accuracy against the epoch, train and validation side by side.
        Needs matplotlib; returns the two Axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(9, 3.2))
        ax_loss, ax_acc = axes
        ax_loss.plot(self.epochs, self.train_loss, "o-", label="train")
        if self.val_loss:
            ax_loss.plot(self.epochs, self.val_loss, "s-", label="validation")
        ax_loss.set(xlabel="epoch", ylabel="loss", title="Loss")
        if any(a is not None for a in self.train_acc):
            ax_acc.plot(self.epochs, self.train_acc, "o-", label="train")
            if self.val_acc:
                ax_acc.plot(self.epochs, self.val_acc, "s-", label="validation")
        ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
        for ax in axes:
            ax.legend()
            ax.grid(alpha=0.3)
        return axes


def _batches(data) -> Iterable:
    return data() if callable(data) else data


def _size(data) -> int | None:
    try:
        return len(data)
    except TypeError:
        return None


def _n_correct(output: np.ndarray, y: np.ndarray) -> int | None:
    """Correct predictions if y holds class indices for (N, classes) scores, else None."""
    y = np.asarray(y)
    if output.ndim == 2 and y.ndim == 1 and y.dtype.kind in "iu":
        return int((output.argmax(axis=1) == y).sum())
    return None


class _Meter:
    """Running, batch-size weighted averages of the loss and the accuracy."""

    def __init__(self) -> None:
        self.loss_sum, self.correct, self.n, self.classify = 0.0, 0, 0, True

    def add(self, loss: float, output: np.ndarray, y: np.ndarray) -> None:
        n = len(y)
        self.loss_sum += float(loss) * n
        self.n += n
        correct = _n_correct(output, y)
        if correct is None:
            self.classify = False
        else:
            self.correct += correct

    @property
    def loss(self) -> float:
        return self.loss_sum / self.n if self.n else float("nan")

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if (self.classify and self.n) else None


def evaluate(model: Module, data, loss_fn=None) -> tuple[float, float | None]:
    """Average loss and accuracy of ``model`` over ``data``, in eval mode.

    data: batches (x, y) as for :func:`fit`; loss_fn: a loss object (default
    CrossEntropyLoss). Returns ``(loss, accuracy)``, accuracy None if the targets
    are not class indices. The model's train/eval mode is restored afterwards.
    """
    loss_fn = CrossEntropyLoss() if loss_fn is None else loss_fn
    was_training = model.training
    model.eval()
    meter = _Meter()
    try:
        for x, y in _batches(data):
            out = model(x)
            meter.add(loss_fn(out, y), out, y)
    finally:
        model.train(was_training)
    if meter.n == 0:
        raise ValueError("evaluate: the data gave no batches")
    return meter.loss, meter.accuracy


def fit(model: Module, train, val=None, epochs: int = 1, *, optimizer=None, lr: float = 1e-3,
        loss_fn=None, progress: bool = True) -> History:
    """Train ``model`` for ``epochs`` passes over ``train``; return a :class:`History`.

    The arguments of :func:`cnn_core.training.fit`, for the NumPy layers: model: a reference
    Module (e.g. a Sequential); train, val: batches (x, y) (see the module docstring);
    optimizer: ``None`` (Adam), an optimizer class called as ``optimizer(params, lr=lr)``,
    or a ready SGD or Adam built on ``model.parameters()``; loss_fn: a loss object with
    forward(output, y) -> float and backward() -> grad (default CrossEntropyLoss; MSELoss).
    The model is in train() mode while training and eval() mode while validating.
    ``progress`` shows a tqdm bar with the running loss.
    """
    check_fit_args(train, val, epochs)
    optimizer = make_optimizer(optimizer, model, lr, default=Adam, kind=Optimizer)
    loss_fn = CrossEntropyLoss() if loss_fn is None else loss_fn
    if progress:
        from tqdm.auto import tqdm
    history = History()
    for epoch in range(1, epochs + 1):
        model.train()
        meter = _Meter()
        batches = _batches(train)
        if progress:
            batches = tqdm(batches, total=_size(batches), desc=f"epoch {epoch}/{epochs}",
                           leave=epoch == epochs)
        for x, y in batches:
            optimizer.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            model.backward(loss_fn.backward())
            optimizer.step()
            meter.add(loss, out, y)
            if progress:
                batches.set_postfix(loss=f"{meter.loss:.4f}")
        if meter.n == 0:
            raise ValueError("fit: train gave no batches")
        history.train_loss.append(meter.loss)
        history.train_acc.append(meter.accuracy)
        if val is not None:
            val_loss, val_acc = evaluate(model, val, loss_fn)
            history.val_loss.append(val_loss)
            history.val_acc.append(val_acc)
            if progress:
                batches.set_postfix(loss=f"{meter.loss:.4f}", val_loss=f"{val_loss:.4f}")
        if progress:
            batches.close()
    model.train()
    return history
