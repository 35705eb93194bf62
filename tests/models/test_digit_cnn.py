"""digit_cnn: its parameter counts come from cnn_core.shapes, its shapes from a real run."""

import torch

from cnn_core.models import digit_cnn
from cnn_core.shapes import conv_params, linear_params


def count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_parameters_per_named_part():
    model = digit_cnn()
    assert count(model.block1) == conv_params(1, 8, 3)
    assert count(model.block2) == conv_params(8, 16, 3)
    assert count(model.block3) == conv_params(16, 32, 3)
    assert count(model.head) == linear_params(32 * 3 * 3, 10)
    assert count(model) == 80 + 1168 + 4640 + 2890 == 8778       # the docstring's table, by hand


def test_forward_shape_and_options():
    model = digit_cnn(num_classes=4, in_channels=3)
    assert model(torch.zeros(2, 3, 28, 28)).shape == (2, 4)
