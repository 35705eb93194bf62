"""Training with PyTorch: ``fit``, the device, checkpoints, evaluation.

- ``fit(model, train, val, epochs, ...)`` -> ``History`` (``.plot()``)
- ``default_device()``: CUDA > MPS > CPU, overridable; ``device_of(model)``: where a model lives
- ``seed_everything(seed)``: bitwise-repeatable runs on a CPU
- ``save_checkpoint`` / ``load_checkpoint``: atomic, and refusing a mismatched model
- ``accuracy``, ``confusion_matrix``, ``misclassified``, ``predict``: what the chapters plot
"""

from .checkpoint import CheckpointMismatchError, load_checkpoint, save_checkpoint
from .device import default_device, device_of
from .evaluate import Misclassified, accuracy, confusion_matrix, misclassified, predict
from .fit import fit
from .history import History
from .seed import seed_everything

__all__ = [
    "fit", "History", "default_device", "device_of", "seed_everything",
    "save_checkpoint", "load_checkpoint", "CheckpointMismatchError",
    "accuracy", "confusion_matrix", "misclassified", "predict", "Misclassified",
]
