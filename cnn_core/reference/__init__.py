"""The NumPy reference: every operation of the course, forward and backward.

Functions are named and parameterised like ``torch.nn.functional`` and work on
NumPy arrays in N, C, H, W layout; layers are named and constructed like
``torch.nn``. PyTorch is the test oracle for all of it.
"""

from .module import Module

# --- convolution, padding and pooling -------------------------------------------------
from .padding import pad, pad_backward
from .conv import Conv2d, conv2d, conv2d_backward
from .conv_transpose import ConvTranspose2d, conv_transpose2d, conv_transpose2d_backward
from .pooling import (AvgPool2d, GlobalAvgPool2d, GlobalMaxPool2d, MaxPool2d, SumPool2d, avg_pool2d,
                      avg_pool2d_backward, global_avg_pool2d, global_avg_pool2d_backward, global_max_pool2d,
                      global_max_pool2d_backward, max_pool2d, max_pool2d_backward, sum_pool2d,
                      sum_pool2d_backward)

# --- activations, linear, normalization, dropout, losses, containers ------------------
from .activation import (ReLU, Sigmoid, Softmax, Tanh, log_softmax, log_softmax_backward, relu,
                         relu_backward, sigmoid, sigmoid_backward, softmax, softmax_backward,
                         tanh, tanh_backward)
from .linear import Flatten, Linear, flatten, flatten_backward, linear, linear_backward
from .normalization import (BatchNorm1d, BatchNorm2d, LayerNorm, batch_norm, batch_norm_backward,
                            layer_norm, layer_norm_backward)
from .dropout import Dropout, dropout, dropout_backward, dropout_mask
from .loss import (CrossEntropyLoss, MSELoss, cross_entropy, cross_entropy_backward, l1_penalty,
                   l1_penalty_backward, l2_penalty, l2_penalty_backward, mse_loss,
                   mse_loss_backward)
from .container import Sequential

# --- optimizers, training loop, gradient checking -------------------------------------
from .optim import SGD, Adam, Optimizer
from .train import History, evaluate, fit
from .gradcheck import check_layer_gradients, gradcheck, numerical_gradient


# Every public name above: the parity test of the PyTorch path (cnn_core.torch_ops)
# enumerates this list, so a new operation cannot be forgotten there.
__all__ = [
    "Module", "pad", "pad_backward", "Conv2d", "conv2d", "conv2d_backward", "ConvTranspose2d",
    "conv_transpose2d", "conv_transpose2d_backward", "AvgPool2d", "GlobalAvgPool2d",
    "GlobalMaxPool2d", "MaxPool2d", "SumPool2d", "avg_pool2d", "avg_pool2d_backward",
    "global_avg_pool2d", "global_avg_pool2d_backward", "global_max_pool2d",
    "global_max_pool2d_backward", "max_pool2d", "max_pool2d_backward", "sum_pool2d",
    "sum_pool2d_backward", "ReLU", "Sigmoid", "Softmax", "Tanh", "log_softmax",
    "log_softmax_backward", "relu", "relu_backward", "sigmoid", "sigmoid_backward", "softmax",
    "softmax_backward", "tanh", "tanh_backward", "Flatten", "Linear", "flatten",
    "flatten_backward", "linear", "linear_backward", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
    "batch_norm", "batch_norm_backward", "layer_norm", "layer_norm_backward", "Dropout",
    "dropout", "dropout_backward", "dropout_mask", "CrossEntropyLoss", "MSELoss",
    "cross_entropy", "cross_entropy_backward", "l1_penalty", "l1_penalty_backward",
    "l2_penalty", "l2_penalty_backward", "mse_loss", "mse_loss_backward", "Sequential", "SGD",
    "Adam", "Optimizer", "History", "evaluate", "fit", "check_layer_gradients", "gradcheck",
    "numerical_gradient",
]
