# %% [markdown]
# # Assignment 3: stride and output size
#
# The output of a convolution has (N - F)/S + 1 pixels per side: N the input, F the
# filter, S the stride. You will turn that formula into code that refuses the
# configurations that do not fit, use it on the first layers of famous networks, predict
# the output shape of a PyTorch stack before running it, and measure what a stride of 2
# buys: less work, and a wider view for the layers after it.
#
# **Rules.** In part 1 write the arithmetic yourself: `cnn_core.shapes`, `cnn_core.reference`
# and PyTorch may not be used in `output_size` (the test inspects your function, and the
# grading sandbox also hides those modules from your code). The tests use them to compute
# the expected answers. Tests print `PASS ...` or say what was expected, what you gave and
# for which input; hidden tests run when your work is graded.
#
# Points: part 1 (5), part 2 (3), part 3 (2), part 4 (2): 12 in all.

# %% locked id=setup
import numpy as np
from cnn_core.grading import check_equal, check_number, check_true, forbid, part, quietly

NOT_ALLOWED = ["cnn_core.shapes", "cnn_core.reference", "cnn_core.models", "torch"]

# %% [markdown]
# ## Part 1 (5 points): the output-size formula, with its failures
#
# Write `output_size(n, f, s)`: the number of positions of an F x F filter moved S pixels
# at a time over an N x N image (no padding). When the filter does not land exactly on
# the last pixels (for example a 7x7 input, a 3x3 filter and stride 3: (7 - 3)/3 + 1 = 2.33)
# or when the filter is larger than the image, raise `ValueError`.

# %% solution id=output_size
def output_size(n, f, s):
    """Positions of an f x f filter with stride s over an n x n input; ValueError if it does not fit."""
    ### BEGIN SOLUTION
    if f > n:
        raise ValueError(f"a {f}x{f} filter does not fit a {n}x{n} input")
    if (n - f) % s:
        raise ValueError(f"({n} - {f})/{s} + 1 = {(n - f) / s + 1:.2f} is not a whole number")
    return (n - f) // s + 1
    ### END SOLUTION

# %% tests id=output_size_fits points=2
part("output_size_fits")
from cnn_core.shapes import conv_output_size

forbid(output_size, NOT_ALLOWED)
for _n, _f, _s in [(7, 3, 1), (7, 3, 2), (32, 5, 1), (227, 11, 4)]:
    check_number(f"output_size({_n}, {_f}, {_s})", output_size(_n, _f, _s), conv_output_size(_n, _f, _s))
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(31)
with quietly("output_size on 40 random configurations that fit"):
    for _ in range(40):
        _f, _s, _out = (int(v) for v in _rng.integers(1, 8, size=3))
        _n = (_out - 1) * _s + _f
        check_number(f"output_size({_n}, {_f}, {_s})", output_size(_n, _f, _s), conv_output_size(_n, _f, _s))
### END HIDDEN TESTS

# %% tests id=output_size_refuses points=3
part("output_size_refuses")
forbid(output_size, NOT_ALLOWED)


def _raises(n, f, s):
    try:
        output_size(n, f, s)
    except ValueError:
        return True
    return False


def _library_raises(n, f, s):
    try:
        conv_output_size(n, f, s)
    except ValueError:
        return True
    return False


check_true("output_size(7, 3, 3) raises ValueError (2.33 positions)", _raises(7, 3, 3))
### BEGIN HIDDEN TESTS
check_true("output_size(3, 5, 1) raises ValueError (filter larger than the image)", _raises(3, 5, 1))
# a property over all small configurations (hypothesis, derandomized: the same cases every run;
# a failure is shrunk to the smallest configuration that shows it)
from hypothesis import given, settings, strategies as st


@settings(derandomize=True, max_examples=80, database=None, deadline=None)
@given(n=st.integers(1, 30), f=st.integers(1, 8), s=st.integers(1, 6))
def _refuses_like_the_library(n, f, s):
    check_equal(f"output_size({n}, {f}, {s}) raises", _raises(n, f, s), _library_raises(n, f, s))
    if not _library_raises(n, f, s):
        check_number(f"output_size({n}, {f}, {s})", output_size(n, f, s), conv_output_size(n, f, s))


with quietly("output_size refuses exactly what cnn_core.shapes refuses (hypothesis, 80 cases)"):
    _refuses_like_the_library()
### END HIDDEN TESTS

# %% [markdown]
# ## Part 2 (3 points): the first layers of famous networks
#
# Give the output side length of each first layer (work it out with the formula, writing
# the arithmetic; padding P adds 2P to N):
#
# - `alexnet`: a 227x227 image, 96 filters of 11x11, stride 4, no padding;
# - `vgg`: a 224x224 image, 3x3 filters, stride 1, padding 1;
# - `resnet`: a 224x224 image, 7x7 filters, stride 2, padding 3 (PyTorch floors: (224 + 6 - 7)/2 + 1 is not whole).

# %% solution id=famous_first_layers
### BEGIN SOLUTION
alexnet = (227 - 11) // 4 + 1
vgg = (224 + 2 * 1 - 3) // 1 + 1
resnet = (224 + 2 * 3 - 7) // 2 + 1
### END SOLUTION

# %% tests id=alexnet_first_layer_check points=1
part("alexnet_first_layer_check")
from cnn_core.shapes import conv_output_size

check_number("AlexNet conv1 (227, 11x11, stride 4)", alexnet, conv_output_size(227, 11, 4))

# %% tests id=vgg_first_layer_check points=1
part("vgg_first_layer_check")
from cnn_core.shapes import conv_output_size

check_number("VGG conv1 (224, 3x3, stride 1, padding 1)", vgg, conv_output_size(224, 3, 1, 1))

# %% tests id=resnet_first_layer_check points=1
part("resnet_first_layer_check")
from cnn_core.shapes import conv_output_size

check_number("ResNet conv1 (224, 7x7, stride 2, padding 3)", resnet, conv_output_size(224, 7, 2, 3, strict=False))

# %% [markdown]
# ## Part 3 (2 points): predict the shape of a stack
#
# Without running it, give the shape `(N, C, H, W)` of the output of this PyTorch stack for
# an input batch of shape (8, 1, 28, 28), as a tuple of 4 ints named `stack_shape`:
#
# ```python
# nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
#               nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
#               nn.Conv2d(16, 32, 3, stride=2))
# ```

# %% solution id=stack_shape
### BEGIN SOLUTION
stack_shape = (8, 32, (((28 - 4) // 2 - 4) // 2 - 3) // 2 + 1, (((28 - 4) // 2 - 4) // 2 - 3) // 2 + 1)
### END SOLUTION

# %% tests id=stack_shape_check points=2
part("stack_shape_check")
import torch
from torch import nn

_stack = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
                       nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                       nn.Conv2d(16, 32, 3, stride=2))
with torch.no_grad():
    _shape = tuple(_stack(torch.zeros(8, 1, 28, 28)).shape)
check_equal("output shape of the stack for (8, 1, 28, 28)", stack_shape, _shape)

# %% [markdown]
# ## Part 4 (2 points): what a stride of 2 buys
#
# Networks for large images often start with a stride of 2. Take a 224x224 image and a 3x3
# convolution with padding 1, followed by a second 3x3 convolution (stride 1, padding 1).
# As arithmetic, give:
#
# - `positions_ratio`: how many times fewer output positions the first layer has at stride 2
#   than at stride 1 (so how much less work the layers after it do);
# - `rf_stride1`, `rf_stride2`: the receptive field (in input pixels, per side) of one output
#   pixel of the *second* layer, when the first layer has stride 1 and stride 2. (One pixel of
#   the first layer sees 3x3 input pixels at either stride: the stride does not widen the
#   strided layer's own window, it widens what the layers after it see.)

# %% solution id=stride_buys
### BEGIN SOLUTION
positions_ratio = (224 * 224) / (112 * 112)
rf_stride1 = 3 + (3 - 1) * 1
rf_stride2 = 3 + (3 - 1) * 2
### END SOLUTION

# %% tests id=stride_work_check points=1
part("stride_work_check")
import torch
from torch import nn

with torch.no_grad():
    _s1 = nn.Conv2d(1, 1, 3, stride=1, padding=1)(torch.zeros(1, 1, 224, 224))
    _s2 = nn.Conv2d(1, 1, 3, stride=2, padding=1)(torch.zeros(1, 1, 224, 224))
check_number("output positions at stride 1 / at stride 2", positions_ratio, _s1[0, 0].numel() / _s2[0, 0].numel(),
             rtol=1e-12)

# %% tests id=stride_receptive_field_check points=1
part("stride_receptive_field_check")
from cnn_core.shapes import receptive_field

check_number("receptive field after two 3x3 layers, the first with stride 1", rf_stride1,
             receptive_field([(3, 1), (3, 1)]))
check_number("receptive field after two 3x3 layers, the first with stride 2", rf_stride2,
             receptive_field([(3, 2), (3, 1)]))
