"""The NumPy reference: every operation of the course, forward and backward.

Functions are named and parameterised like ``torch.nn.functional`` and work on
NumPy arrays in N, C, H, W layout; layers are named and constructed like
``torch.nn``. PyTorch is the test oracle for all of it.
"""

from .module import Module

# --- convolution, padding and pooling -------------------------------------------------
# (filled by the conv/pool work)

# --- activations, linear, normalization, dropout, losses, containers ------------------
# (filled by the layers work)

# --- optimizers, training loop, gradient checking -------------------------------------
# (filled by the layers work)
