"""The torch path: every public name of ``cnn_core.reference``, in PyTorch.

Same names, same arguments, torch tensors instead of NumPy arrays, any device:

- forward functions (``functional.py``): mostly ``torch.nn.functional`` itself,
  with the reference's extra ``strict`` keyword on convolution and pooling;
- ``*_backward`` functions (``backward.py``, ``pool_backward.py``): the same
  gradients, as formulas, autograd, or the loop-free pooling algorithms;
- the teaching im2col convolution (``im2col.py``): ``conv2d_im2col`` and its backward;
- layers (``layers.py``): ``torch.nn`` layers accepting the reference's keywords;
- optimizers: ``torch.optim`` itself; training: ``fit``, ``evaluate``, ``History``;
- gradient checks (``gradcheck.py``).

The reference's ``Module`` has no counterpart here: ``torch.nn.Module`` is the
base class, with autograd in place of a hand-written ``backward``.
"""

from torch.optim import SGD, Adam, Optimizer

from .backward import (batch_norm_backward, conv2d_backward, conv_transpose2d_backward, cross_entropy_backward,
                       dropout_backward, flatten_backward, l1_penalty_backward, l2_penalty_backward,
                       layer_norm_backward, linear_backward, log_softmax_backward, mse_loss_backward,
                       pad_backward, relu_backward, sigmoid_backward, softmax_backward, tanh_backward)
from .functional import (avg_pool2d, batch_norm, conv2d, conv_transpose2d, cross_entropy, dropout, dropout_mask,
                         flatten, global_avg_pool2d, global_max_pool2d, l1_penalty, l2_penalty, layer_norm,
                         linear, log_softmax, max_pool2d, mse_loss, pad, relu, sigmoid, softmax, sum_pool2d, tanh)
from .gradcheck import check_layer_gradients, gradcheck, numerical_gradient
from .im2col import col2im, conv2d_im2col, conv2d_im2col_backward, im2col
from .layers import (AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, CrossEntropyLoss, Dropout,
                     Flatten, GlobalAvgPool2d, GlobalMaxPool2d, LayerNorm, Linear, MaxPool2d, MSELoss, ReLU,
                     Sequential, Sigmoid, Softmax, SumPool2d, Tanh)
from .pool_backward import (avg_pool2d_backward, global_avg_pool2d_backward, global_max_pool2d_backward,
                            max_pool2d_backward, sum_pool2d_backward)
from .train import History, evaluate, fit

#: reference names deliberately without a torch counterpart, and why
NO_COUNTERPART = {
    "Module": "torch.nn.Module is the base class of the torch path; it has autograd instead of "
              "forward/backward pairs, params/grads dicts and the reference's state handling",
}

__all__ = [
    # forward functions
    "pad", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "sum_pool2d", "global_avg_pool2d",
    "global_max_pool2d", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "flatten",
    "batch_norm", "layer_norm", "dropout", "dropout_mask", "cross_entropy", "mse_loss", "l1_penalty",
    "l2_penalty",
    # backward functions
    "pad_backward", "conv2d_backward", "conv_transpose2d_backward", "max_pool2d_backward",
    "avg_pool2d_backward", "sum_pool2d_backward", "global_avg_pool2d_backward", "global_max_pool2d_backward",
    "relu_backward", "sigmoid_backward", "tanh_backward", "softmax_backward", "log_softmax_backward",
    "linear_backward", "flatten_backward", "batch_norm_backward", "layer_norm_backward", "dropout_backward",
    "cross_entropy_backward", "mse_loss_backward", "l1_penalty_backward", "l2_penalty_backward",
    # the teaching im2col convolution
    "im2col", "col2im", "conv2d_im2col", "conv2d_im2col_backward",
    # layers
    "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "SumPool2d", "GlobalAvgPool2d", "GlobalMaxPool2d",
    "ReLU", "Sigmoid", "Tanh", "Softmax", "Linear", "Flatten", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
    "Dropout", "CrossEntropyLoss", "MSELoss", "Sequential",
    # optimizers, training, gradient checks
    "Optimizer", "SGD", "Adam", "History", "fit", "evaluate",
    "numerical_gradient", "gradcheck", "check_layer_gradients", "NO_COUNTERPART",
]
