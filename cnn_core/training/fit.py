"""``fit``: the training loop of the course.

One epoch is the loop every PyTorch tutorial writes by hand::

    for x, y in train:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

``fit`` adds what a student would otherwise copy from notebook to notebook:
moving data to the device, a progress bar, a validation pass, a ``History``
to plot, early stopping, "load the checkpoint if present, otherwise train and
save it", a seed, and on a GPU bf16 mixed precision, channels_last and
optionally ``torch.compile``. It adds no measurable time per batch (see
``benchmarks/bench_fit_overhead.py``).
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from torch import nn

from .._fit_args import check_fit_args, make_optimizer
from .checkpoint import CheckpointMismatchError, load_checkpoint, save_checkpoint
from .device import default_device
from .history import History
from .meter import Meter
from .seed import seed_everything

__all__ = ["fit"]


def _data_settings(train) -> dict:
    """What identifies the training data without reading it: examples and batches per epoch."""
    found = {}
    dataset = getattr(train, "dataset", None)
    if dataset is not None and hasattr(dataset, "__len__"):
        found["train_examples"] = len(dataset)
    if hasattr(train, "__len__"):
        found["train_batches"] = len(train)
    return found


def _same_settings(saved: dict | None, asked: dict) -> bool:
    """The checkpoint's ``fit`` settings are this call's (the data's size only when both know it)."""
    if saved is None:
        return True
    data = {"train_examples", "train_batches"}
    core = {k: v for k, v in saved.items() if k not in data} == {k: v for k, v in asked.items() if k not in data}
    return core and all(saved[k] == asked[k] for k in data & saved.keys() & asked.keys())


def fit(model: nn.Module, train: Iterable, val: Iterable | None = None, epochs: int = 10, *,
        optimizer=None, lr: float = 1e-3, loss_fn: Callable | None = None,
        scheduler=None, device: str | torch.device | None = None,
        early_stopping: int | None = None, checkpoint: str | Path | None = None,
        seed: int | None = None, progress: bool = True, amp: bool | str = "auto",
        channels_last: bool | str = "auto", compile: bool = False) -> History:
    """Train ``model`` on ``train`` for ``epochs`` epochs and return its ``History``.

    Args:
        model: an ``nn.Module`` mapping a batch x to outputs (logits (N, classes) for
            classification).
        train, val: DataLoaders, anything re-iterable yielding ``(x, y)`` tensor batches,
            or a function returning a fresh iterable of them each epoch. Batches:
            x (N, C, H, W) (or any shape the model takes), y (N,) class indices for
            classification (or any target ``loss_fn`` takes).
        epochs: passes over ``train``.
        optimizer: ``None`` (Adam), an optimizer class called as ``optimizer(params, lr=lr)``,
            or a ready ``torch.optim.Optimizer``.
        lr: learning rate, when ``fit`` builds the optimizer.
        loss_fn: default ``nn.CrossEntropyLoss()``.
        scheduler: ``None``, a learning-rate scheduler, or a callable ``optimizer -> scheduler``;
            stepped once per epoch.
        device: ``None`` for ``default_device()`` (CUDA > MPS > CPU), or e.g. ``"cpu"``.
        early_stopping: patience in epochs: stop when the validation loss (the training
            loss without ``val``) has not improved for that many epochs, and then restore
            the weights of the best epoch (``History.best_epoch``).
        checkpoint: a file path: if it exists, load the model from it and return the saved
            history *without training*; otherwise train, then save model and history there.
        seed: seed everything at the start (shuffling, dropout). Seed the *initial weights*
            by calling ``seed_everything`` before building the model.
        progress: show tqdm progress bars.
        amp: ``"auto"`` = bf16 autocast on CUDA only; ``True`` = bf16 autocast on any
            device; ``False`` = full float32.
        channels_last: ``"auto"`` = on CUDA only: model and 4-d inputs in NHWC memory layout
            (faster convolutions on tensor cores).
        compile: run the model through ``torch.compile`` (slow first epoch, faster after).

    Returns:
        a ``History`` (per-epoch ``train_loss``, ``train_acc``, ``val_loss``,
        ``val_acc``, ``lr``, ``seconds``; ``.plot()``). The model is left on ``device``
        in eval mode.
    """
    check_fit_args(train, val, epochs)
    if early_stopping is not None and (not isinstance(early_stopping, int) or early_stopping < 1):
        raise ValueError(f"early_stopping is a patience in epochs (an int >= 1), got {early_stopping!r}")
    device = default_device(device)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    settings = {"epochs": epochs, "lr": lr, "early_stopping": early_stopping, "seed": seed,
                "optimizer": type(optimizer).__name__ if isinstance(optimizer, torch.optim.Optimizer)
                else getattr(optimizer, "__name__", "Adam" if optimizer is None else type(optimizer).__name__),
                "loss_fn": type(loss_fn).__name__, **_data_settings(train)}

    if checkpoint is not None and Path(checkpoint).exists():
        extra = load_checkpoint(checkpoint, model)
        if not _same_settings(extra.get("fit_settings"), settings):
            raise CheckpointMismatchError(
                f"{checkpoint} was trained with {extra['fit_settings']}, but this call asks for {settings}. "
                f"Delete the file to retrain (for the book's shipped models, run `make weights`)")
        model.to(device).eval()
        return History.from_dict(extra.get("history", {}), loaded_from_checkpoint=True)

    if seed is not None:
        seed_everything(seed)
    use_amp = device.type == "cuda" if amp == "auto" else bool(amp)
    use_cl = device.type == "cuda" if channels_last == "auto" else bool(channels_last)
    model.to(device)
    if use_cl:
        model.to(memory_format=torch.channels_last)
    optimizer = make_optimizer(optimizer, model, lr, default=torch.optim.Adam, kind=torch.optim.Optimizer)
    if scheduler is not None and not hasattr(scheduler, "step"):
        scheduler = scheduler(optimizer)
    run_model = torch.compile(model) if compile else model
    autocast = (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if use_amp \
        else contextlib.nullcontext
    non_blocking = device.type == "cuda"

    def to_device(x: torch.Tensor, y: torch.Tensor):
        x = x.to(device, non_blocking=non_blocking)
        if use_cl and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x, y.to(device, non_blocking=non_blocking)

    bar_factory = None
    if progress:
        from tqdm.auto import tqdm
        bar_factory = tqdm

    history = History()
    best_loss, best_state, waited = math.inf, None, 0
    for epoch in range(epochs):
        start = time.perf_counter()
        model.train()
        stats = Meter()
        batches = train() if callable(train) else train
        batches = batches if bar_factory is None else bar_factory(
            batches, desc=f"epoch {epoch + 1}/{epochs}", leave=False)
        for x, y in batches:
            x, y = to_device(x, y)
            optimizer.zero_grad(set_to_none=True)
            with autocast():
                out = run_model(x)
                loss = loss_fn(out, y)
            loss.backward()
            optimizer.step()
            stats.add(loss, out, y)
        train_loss, train_acc = stats.results()
        history.train_loss.append(train_loss)
        if train_acc is not None:
            history.train_acc.append(train_acc)
        history.lr.append(float(optimizer.param_groups[0]["lr"]))
        if scheduler is not None:
            scheduler.step()

        monitored = train_loss
        if val is not None:
            model.eval()
            stats = Meter()
            with torch.inference_mode(), autocast():
                for x, y in (val() if callable(val) else val):
                    x, y = to_device(x, y)
                    out = run_model(x)
                    stats.add(loss_fn(out, y), out, y)
            val_loss, val_acc = stats.results()
            history.val_loss.append(val_loss)
            if val_acc is not None:
                history.val_acc.append(val_acc)
            monitored = val_loss
        history.seconds.append(time.perf_counter() - start)

        if monitored < best_loss:
            best_loss, waited, history.best_epoch = monitored, 0, epoch
            if early_stopping is not None:
                best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
        if progress:
            shown = {"loss": train_loss, **({"val_loss": history.val_loss[-1]} if val is not None else {}),
                     **({"val_acc": history.val_acc[-1]} if history.val_acc else {})}
            print(f"epoch {epoch + 1}/{epochs}: " + ", ".join(f"{k} {v:.4f}" for k, v in shown.items()))
        if early_stopping is not None and waited >= early_stopping:
            history.stopped_early = True
            break

    if best_state is not None and history.stopped_early:
        model.load_state_dict(best_state)
    model.eval()
    if checkpoint is not None:
        save_checkpoint(checkpoint, model, history=history.to_dict(), fit_settings=settings)
    return history
