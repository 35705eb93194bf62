"""cnn_core: the shared library of the course.

- ``cnn_core.shapes``: the arithmetic of output sizes, parameters and receptive fields.
- ``cnn_core.reference``: a NumPy implementation of every operation, forward and backward.

Sub-packages are imported on demand so that ``import cnn_core`` stays fast and
does not pull in PyTorch.
"""

__version__ = "0.1.0"
