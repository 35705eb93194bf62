"""Interactive explorers: what happens when you turn a knob.

Each explorer is a small model (knobs -> what is shown) with three views: an ipywidgets 8
widget in a live kernel (JupyterLab 4, Notebook 7, VS Code), pre-computed HTML states on
the static site, and the default state as plain HTML anywhere else (see ``_base.py``). In
a notebook or a book page, one line shows one::

    from cnn_core.widgets import conv_explorer
    conv_explorer()                          # or conv_explorer(image="letter O (set 000)")

Turn knobs from code with ``update`` (``conv_explorer().update(stride=2)``) and read what
is shown from the model's attributes (``.output``, ``.arithmetic``, ``.render()``). On a
static page each explorer offers its ``static_controls``; ``.with_static_knobs(...)`` picks
others (chapter 4's ``conv_explorer(padding=1).with_static_knobs("image", "kernel",
"padding", "padding_mode")``).

- ``conv_explorer``: image, kernel, stride, padding (and mode), dilation, the arithmetic
- ``output_size_calculator``: N, F, S, P, D -> output size, or why it does not fit
- ``pooling_explorer``: max / average / sum, window and stride
- ``activation_explorer``: ReLU, sigmoid, tanh and their gradients; softmax temperature
- ``normalization_explorer``: batch size, batch norm vs layer norm, train vs eval
- ``dropout_explorer``: rate, other forward passes, the expected value kept
- ``receptive_field_explorer``: a stack of layers, the region one output unit sees
- ``feature_map_explorer``: a trained network's feature maps, layer by layer, and its class
  scores (PyTorch)
- ``transfer_explorer``: freeze blocks, count trainable parameters (PyTorch)
- ``shift_explorer``: shift a digit, compare the predictions of several models (PyTorch)
- ``error_analysis_explorer``: train, bridge, dev and test errors -> which gap to work on
- ``gpu_work_explorer``: one conv layer's multiply-adds, im2col matrices, parallel work and
  arithmetic intensity (why GPUs)
"""

from ._base import Control, Explorer
from .activations import ActivationExplorer, activation_explorer
from .convolution import ConvolutionExplorer, conv_explorer
from .dropout import DropoutExplorer, dropout_explorer
from .error_analysis import ErrorAnalysisExplorer, error_analysis_explorer
from .gpu_work import GPUWorkExplorer, gpu_work_explorer
from .normalization import NormalizationExplorer, normalization_explorer
from .output_size import OutputSizeCalculator, output_size_calculator
from .pooling import PoolingExplorer, pooling_explorer
from .receptive_field import ReceptiveFieldExplorer, receptive_field_explorer
from .shift import ShiftExplorer, shift_explorer


def __getattr__(name):
    # the two PyTorch explorers are imported on first use, so the others do not load torch
    if name in ("FeatureMapExplorer", "feature_map_explorer", "trained_small_cnn"):
        from . import feature_maps
        return getattr(feature_maps, name)
    if name in ("TransferExplorer", "transfer_explorer"):
        from . import transfer
        return getattr(transfer, name)
    raise AttributeError(f"module 'cnn_core.widgets' has no attribute {name!r}")


__all__ = [
    "Explorer", "Control", "shift_explorer", "ShiftExplorer", "error_analysis_explorer", "ErrorAnalysisExplorer",
    "conv_explorer", "ConvolutionExplorer", "output_size_calculator", "OutputSizeCalculator",
    "pooling_explorer", "PoolingExplorer", "activation_explorer", "ActivationExplorer",
    "normalization_explorer", "NormalizationExplorer", "dropout_explorer", "DropoutExplorer",
    "receptive_field_explorer", "ReceptiveFieldExplorer", "gpu_work_explorer", "GPUWorkExplorer",
    "feature_map_explorer", "FeatureMapExplorer", "trained_small_cnn",
    "transfer_explorer", "TransferExplorer",
]
