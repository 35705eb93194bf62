"""cnn_core: the shared library of the course. Every page of the book and every graded
notebook calls it; a student can read any file top to bottom.

- ``cnn_core.shapes``: the arithmetic of output sizes, parameters, receptive fields and
  the layer-by-layer summary table (pure Python).
- ``cnn_core.reference``: a NumPy implementation of every operation, forward and
  backward, named like ``torch.nn.functional`` / ``torch.nn``; ``reference.loops`` holds
  the plain-loop teaching versions.
- ``cnn_core.torch_ops``: the same names in PyTorch, running on a GPU when there is one.
- ``cnn_core.models``: LeNet-5 to MobileNetV2, full size and small; ``models.summary``.
- ``cnn_core.training``: ``fit``, devices, checkpoints, evaluation helpers.
- ``cnn_core.data``: bundled and generated data sets, offline-safe real loaders.
- ``cnn_core.widgets``: the interactive explorers of the book.
- ``cnn_core.grading``: the checks the graded notebooks use.
- ``cnn_core.worked`` and ``cnn_core.paths``: helpers for the book's worked examples and
  its cached checkpoints.

Sub-packages are imported on demand, so ``import cnn_core`` stays fast and does not pull
in PyTorch.
"""

__version__ = "0.1.0"
