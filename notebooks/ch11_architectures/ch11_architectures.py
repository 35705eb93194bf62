# %% [markdown]
# # Assignment 11: architectures
#
# From LeNet-5 to ResNet, each architecture added one idea. You will count LeNet-5's
# parameters by hand, build a VGG block and a residual block in PyTorch, and compare one
# 5x5 filter with two stacked 3x3 filters.
#
# **Rules.** Count by hand in parts 1 and 4 (write the arithmetic); in parts 2 and 3 build
# the modules from `torch.nn` layers yourself: the ready-made models of `cnn_core.models`
# may not be used in `vgg_block` and `ResidualBlock` (the test inspects them, and the
# grading sandbox also hides that module from your code). The tests use `cnn_core` and
# PyTorch to compute the expected answers. Tests print `PASS ...` or say what was
# expected, what you gave and for which input; hidden tests run when your work is graded.
#
# Points: part 1 (3), part 2 (4), part 3 (4), part 4 (2): 13 in all.

# %% locked id=setup
import numpy as np
import torch
from torch import nn
from cnn_core.grading import check_close, check_equal, check_number, check_shape, check_true, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.models", "cnn_core.reference", "torchvision"]

# %% [markdown]
# ## Part 1 (3 points): LeNet-5's parameters
#
# LeNet-5 on a 1x32x32 image: conv 6 filters 5x5 -> avg pool 2x2 -> conv 16 filters 5x5
# -> avg pool 2x2 -> dense 120 -> dense 84 -> dense 10 (every layer with biases). Give, as
# arithmetic, `lenet_conv` (both convolutions together), `lenet_dense` (the three dense
# layers together) and `lenet_total`.

# %% solution id=lenet_counts
### BEGIN SOLUTION
lenet_conv = (5 * 5 * 1 * 6 + 6) + (5 * 5 * 6 * 16 + 16)
lenet_dense = (16 * 5 * 5 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
lenet_total = lenet_conv + lenet_dense
### END SOLUTION

# %% tests id=lenet_conv_check points=1
part("lenet_conv_check")
from cnn_core.models import lenet5

_model = lenet5()
_count = lambda modules: sum(p.numel() for m in modules for p in m.parameters())  # noqa: E731
check_number("parameters of LeNet-5's convolutions", lenet_conv,
             _count([m for m in _model.modules() if isinstance(m, nn.Conv2d)]))

# %% tests id=lenet_dense_check points=1
part("lenet_dense_check")
from cnn_core.models import lenet5

_model = lenet5()
_count = lambda modules: sum(p.numel() for m in modules for p in m.parameters())  # noqa: E731
check_number("parameters of LeNet-5's dense layers", lenet_dense,
             _count([m for m in _model.modules() if isinstance(m, nn.Linear)]))

# %% tests id=lenet_total_check points=1
part("lenet_total_check")
from cnn_core.models import lenet5

_model = lenet5()
_count = lambda modules: sum(p.numel() for m in modules for p in m.parameters())  # noqa: E731
check_number("all of LeNet-5", lenet_total, _count([_model]))

# %% [markdown]
# ## Part 2 (4 points): a VGG block
#
# Write `vgg_block(in_channels, out_channels, num_convs)` returning an `nn.Sequential` of
# `num_convs` times (3x3 convolution with padding 1, then ReLU) followed by a 2x2 max
# pooling with stride 2. The first convolution goes from `in_channels` to `out_channels`,
# the others keep `out_channels`.

# %% solution id=vgg_block
def vgg_block(in_channels, out_channels, num_convs):
    ### BEGIN SOLUTION
    layers = []
    for i in range(num_convs):
        layers += [nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1), nn.ReLU()]
    layers.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*layers)
    ### END SOLUTION

# %% tests id=vgg_block_check points=4
part("vgg_block_check")
from cnn_core.shapes import ConvSpec, PoolSpec, layer_table

forbid(vgg_block, NOT_ALLOWED)
for _cin, _cout, _n, _size in [(3, 64, 2, 32), (64, 128, 3, 16)]:
    _block = vgg_block(_cin, _cout, _n)
    _spec = [ConvSpec(_cout, 3, padding=1)] * _n + [PoolSpec(2)]
    _table = layer_table((_cin, _size, _size), _spec)
    with torch.no_grad():
        check_shape(f"vgg_block({_cin}, {_cout}, {_n}) on {_cin}x{_size}x{_size}",
                    _block(torch.zeros(1, _cin, _size, _size)), (1,) + _table.output_shape)
    check_number(f"parameters of vgg_block({_cin}, {_cout}, {_n})", sum(p.numel() for p in _block.parameters()),
                 _table.total_params)
    check_number(f"3x3 convolutions in vgg_block({_cin}, {_cout}, {_n})",
                 sum(isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3) for m in _block.modules()), _n)
### BEGIN HIDDEN TESTS
# ReLU after every convolution: an all-negative bias must give an all-zero output
_block = vgg_block(2, 4, 2)
with torch.no_grad():
    for _m in _block.modules():
        if isinstance(_m, nn.Conv2d):
            _m.bias.fill_(-100.0)
    check_close("a ReLU follows each convolution (negative biases give zeros)",
                _block(torch.ones(1, 2, 8, 8)), np.zeros((1, 4, 4, 4)))
### END HIDDEN TESTS

# %% [markdown]
# ## Part 3 (4 points): a residual block
#
# Complete `ResidualBlock(channels)`: two 3x3 convolutions named `conv1` and `conv2`
# (padding 1, with biases), and `forward(x) = relu(x + conv2(relu(conv1(x))))`: the block
# learns a *correction* to its input, and the shortcut lets gradients flow through deep
# stacks.

# %% solution id=residual_block
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        ### BEGIN SOLUTION
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return torch.relu(x + self.conv2(torch.relu(self.conv1(x))))
        ### END SOLUTION

# %% tests id=residual_block_check points=4
part("residual_block_check")
import torch.nn.functional as F

forbid(ResidualBlock.forward, NOT_ALLOWED)
torch.manual_seed(11)
_block = ResidualBlock(3).double()
_x = torch.randn(2, 3, 6, 6, dtype=torch.float64)
_state = _block.state_dict()               # the block's own weights, as plain tensors
_w1, _b1, _w2, _b2 = (_state[k] for k in ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"))
with torch.no_grad():
    _expected = F.relu(_x + F.conv2d(F.relu(F.conv2d(_x, _w1, _b1, padding=1)), _w2, _b2, padding=1))
    check_close("ResidualBlock(3) forward", _block(_x), _expected, rtol=1e-10, atol=1e-12, inputs={"x": _x})
    # with conv2 all zeros the block is relu(identity)
    _block.load_state_dict({**_state, "conv2.weight": torch.zeros_like(_w2), "conv2.bias": torch.zeros_like(_b2)})
    check_close("with conv2 = 0 the block passes relu(x)", _block(_x), F.relu(_x), rtol=0, atol=0, inputs={"x": _x})
check_number("parameters of ResidualBlock(3)", sum(p.numel() for p in _block.parameters()), 2 * (3 * 3 * 3 * 3 + 3))

# %% [markdown]
# ## Part 4 (2 points): one 5x5 or two 3x3?
#
# Two stacked 3x3 convolutions see a 5x5 region of the input, like one 5x5 convolution.
# For 64 input and 64 output channels *without biases*, give as arithmetic
# `params_5x5` (one 5x5 layer) and `params_two_3x3` (two 3x3 layers), and the receptive
# field `rf_three_3x3` of *three* stacked 3x3 convolutions with stride 1.

# %% solution id=stacked
### BEGIN SOLUTION
params_5x5 = 5 * 5 * 64 * 64
params_two_3x3 = 2 * 3 * 3 * 64 * 64
rf_three_3x3 = 3 + 2 + 2
### END SOLUTION

# %% tests id=stacked_params_check points=1
part("stacked_params_check")
from cnn_core.shapes import conv_params, receptive_field

check_number("one 5x5 layer, 64 -> 64, no bias", params_5x5, conv_params(64, 64, 5, bias=False))
check_number("two 3x3 layers, 64 -> 64, no bias", params_two_3x3, 2 * conv_params(64, 64, 3, bias=False))

# %% tests id=stacked_rf_check points=1
part("stacked_rf_check")
from cnn_core.shapes import conv_params, receptive_field

check_number("receptive field of three 3x3 layers", rf_three_3x3, receptive_field([(3, 1)] * 3))
