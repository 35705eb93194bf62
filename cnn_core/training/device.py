"""Which device to train on: CUDA if there is a GPU, then Apple's MPS, then the CPU.

Override it with an argument (``default_device('cpu')``) or, for a whole
notebook or book build, with the environment variable ``CNN_CORE_DEVICE``
(e.g. ``CNN_CORE_DEVICE=cpu``).
"""

from __future__ import annotations

import os

import torch

__all__ = ["default_device", "device_of", "ENV_VAR"]

ENV_VAR = "CNN_CORE_DEVICE"


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def default_device(device: str | torch.device | None = None) -> torch.device:
    """Return the device to use.

    Args:
        device: ``None`` to choose automatically (``$CNN_CORE_DEVICE`` if set, else
            CUDA > MPS > CPU), or a device to use as is ("cpu", "cuda", "cuda:1", "mps").

    Raises:
        RuntimeError: a device was asked for that this machine does not have.
    """
    if device is None:
        device = os.environ.get(ENV_VAR) or None
    if device is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"device {str(device)!r} was asked for but PyTorch sees no CUDA GPU on this machine; "
                "use device='cpu' (or leave device=None to choose automatically)"
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise RuntimeError(
                f"device {str(device)!r} was asked for but this machine has "
                f"{torch.cuda.device_count()} CUDA GPU(s), numbered from 0"
            )
    if device.type == "mps" and not _mps_available():
        raise RuntimeError("device 'mps' was asked for but Apple's Metal backend is not available here; "
                           "use device='cpu'")
    return device


def device_of(model: torch.nn.Module, default=None):
    """The device of ``model``'s first parameter, or ``default`` for a model without parameters."""
    first = next(model.parameters(), None)
    return first.device if first is not None else default
