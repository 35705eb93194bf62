"""The arithmetic of convolutional layers: output sizes, padding, parameters, receptive fields.

Pure Python (no NumPy), so every chapter can use it and every number it gives can be
checked by hand. The formulas are the ones of the lecture notes:

    output = (N + 2P - F) / S + 1            (N input, F filter, P padding, S stride)
    same padding: P = (F - 1) / 2
    parameters of a conv layer = F * F * C * K + K

generalised the way PyTorch does it (dilation D makes the filter span D(F - 1) + 1 pixels,
groups split the channels). Sizes are per spatial dimension: call once for the height and
once for the width when they differ.

Two modules: :mod:`.sizes`, the arithmetic of one layer (output sizes, padding, parameters,
multiply-adds, :class:`DoesNotFit`), and :mod:`.specs`, stacks of layers (the specs, the
receptive field and the table of a stack, :func:`layer_table`). Import from ``cnn_core.shapes``.
"""

from .sizes import (DoesNotFit, article, conv_macs, conv_output_size, conv_params, conv_transpose_output_size,
                    keras_same_padding, linear_params, pool_output_size, same_padding)
from .specs import ConvSpec, DenseSpec, FlattenSpec, LayerTable, PoolSpec, layer_table, receptive_field

__all__ = [
    "DoesNotFit",
    "conv_output_size",
    "pool_output_size",
    "conv_transpose_output_size",
    "same_padding",
    "keras_same_padding",
    "conv_params",
    "linear_params",
    "conv_macs",
    "receptive_field",
    "ConvSpec",
    "PoolSpec",
    "FlattenSpec",
    "DenseSpec",
    "layer_table",
    "LayerTable",
]
