"""Saving and loading trained models safely.

- **Atomic save**: the checkpoint is written to a temporary file in the same
  folder and moved into place with ``os.replace``; a run killed half-way leaves
  either the old checkpoint or none, never a truncated file that would be
  "loaded" next time.
- **It knows what it holds**: the model's class, its printed architecture and
  the name and shape of every tensor are recorded; loading into a different
  model raises ``CheckpointMismatchError`` saying what differs, instead of
  PyTorch's long list of missing keys (or, worse, silently loading a model
  whose shapes happen to match).

A checkpoint is a plain dict saved with ``torch.save`` and read with
``torch.load(weights_only=True)``: no pickled code is executed on loading.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .._files import atomic_file

__all__ = ["CheckpointMismatchError", "save_checkpoint", "load_checkpoint", "model_signature"]

FORMAT = 1


class CheckpointMismatchError(ValueError):
    """The checkpoint was saved from a different model than the one it is loaded into."""


def _unwrap(model: nn.Module) -> nn.Module:
    """The model behind ``torch.compile`` (whose state_dict names get a prefix)."""
    return getattr(model, "_orig_mod", model)


def model_signature(model: nn.Module) -> dict[str, Any]:
    """What identifies an architecture: class, printed structure, tensor names and shapes."""
    model = _unwrap(model)
    cls = type(model)
    return {
        "model_class": f"{cls.__module__}.{cls.__qualname__}",
        "model_repr": repr(model),
        "shapes": {k: list(v.shape) for k, v in model.state_dict().items()},
    }


def save_checkpoint(path: str | os.PathLike, model: nn.Module, **extra: Any) -> Path:
    """Save ``model``'s weights and signature, plus any ``extra`` plain data
    (e.g. ``history=history.to_dict()``), atomically. Returns the path."""
    path = Path(path)
    model = _unwrap(model)
    payload = {"format": FORMAT, **model_signature(model),
               "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
               "extra": extra}
    with atomic_file(path) as f:
        torch.save(payload, f)
    return path


def load_checkpoint(path: str | os.PathLike, model: nn.Module) -> dict[str, Any]:
    """Load the weights saved at ``path`` into ``model`` (in place) and return the
    ``extra`` data saved with them.

    Raises:
        FileNotFoundError: no checkpoint at ``path``.
        CheckpointMismatchError: it was saved from another architecture.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointMismatchError(f"{path} is not a cnn_core checkpoint (format {FORMAT})")
    model = _unwrap(model)
    mine = model_signature(model)
    problems = []
    if payload["model_class"] != mine["model_class"]:
        problems.append(f"it holds a {payload['model_class']}, this model is a {mine['model_class']}")
    saved, wanted = payload["shapes"], mine["shapes"]
    for key in sorted(set(saved) | set(wanted)):
        if key not in wanted:
            problems.append(f"'{key}' is in the checkpoint but not in this model")
        elif key not in saved:
            problems.append(f"'{key}' is in this model but not in the checkpoint")
        elif saved[key] != wanted[key]:
            problems.append(f"'{key}' has shape {tuple(saved[key])} in the checkpoint "
                            f"but {tuple(wanted[key])} in this model")
    if problems:
        shown = problems[:5] + ([f"... and {len(problems) - 5} more"] if len(problems) > 5 else [])
        raise CheckpointMismatchError(
            f"the checkpoint {path} was saved from a different model:\n  - " + "\n  - ".join(shown)
            + "\nBuild the same architecture (same constructor arguments), or delete the file to retrain."
        )
    model.load_state_dict(payload["state_dict"])
    return payload["extra"]
