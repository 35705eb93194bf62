"""The arguments of the course's two training loops, checked in one place.

``cnn_core.training.fit`` (PyTorch) and ``cnn_core.reference.fit`` (NumPy, mirrored for
torch models by ``cnn_core.torch_ops.fit``) take the same arguments in the same order,
``fit(model, train, val, epochs, *, optimizer, lr, loss_fn, ...)``, and refuse the same
mistakes with the same words.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["ORDER", "check_fit_args", "make_optimizer"]

ORDER = "fit(model, train, val, epochs, optimizer=..., loss_fn=...)"


def check_fit_args(train, val, epochs) -> None:
    """Batches that can be read once per epoch, and a positive number of epochs. A loss or an
    optimizer where the batches go (the argument order of an older ``fit``) is named first."""
    for name, data in (("train", train), ("val", val)):
        if hasattr(data, "zero_grad") or hasattr(data, "backward") or hasattr(data, "param_groups"):
            raise TypeError(f"fit: {name} is a {type(data).__name__}, not batches of (x, y); the order is "
                            f"{ORDER}")
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    for name, data in (("train", train), ("val", val)):
        if epochs > 1 and isinstance(data, Iterator):
            raise TypeError(f"{name} is a one-shot iterator (e.g. a generator) and would be empty after "
                            f"the first epoch; pass a DataLoader, a list of (x, y) batches, or a function "
                            f"returning a fresh iterator, e.g. lambda: make_batches(...)")


def make_optimizer(optimizer, model, lr: float, *, default: type, kind: type):
    """``None`` -> ``default(params, lr=lr)``; a ready ``kind`` as it is; a class or partial called
    as ``optimizer(params, lr=lr)``."""
    if optimizer is None:
        return default(model.parameters(), lr=lr)
    if isinstance(optimizer, kind):
        return optimizer
    if callable(optimizer):
        return optimizer(model.parameters(), lr=lr)
    raise TypeError(f"optimizer must be None, an optimizer, or an optimizer class; got {optimizer!r}")
