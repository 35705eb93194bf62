import pytest
import torch

from cnn_core.models import lenet5, summary
from tests.models._checks import count


def test_parameter_count_is_the_classic_61706():
    # 156 + 2,416 + 48,120 + 10,164 + 850, LeCun et al. 1998 with full C3 connections
    assert count(lenet5()) == 61_706


def test_layer_shapes_match_the_paper():
    # The paper's figure 2: C1 6@28x28, S2 6@14x14, C3 16@10x10, S4 16@5x5, C5 120, F6 84
    rows = summary(lenet5(), (1, 32, 32), verbose=False).layers
    shapes = [r.output_shape[1:] for r in rows if r.type in ("Conv2d", "AvgPool2d", "Linear")]
    assert shapes == [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120,), (84,), (10,)]
    assert {r.type for r in rows} >= {"Tanh", "AvgPool2d"}  # tanh and average pooling


def test_num_classes_and_in_channels():
    model = lenet5(num_classes=3, in_channels=3)
    assert model(torch.randn(4, 3, 32, 32)).shape == (4, 3)
    # 5*5*2 more weights per conv1 filter (6 filters), 84*7 fewer output weights + 7 biases
    assert count(model) == 61_706 + 6 * 25 * 2 - 7 * 85


def test_28x28_input_gets_a_teaching_error():
    with pytest.raises(ValueError, match=r"pad 28x28 MNIST digits"):
        lenet5()(torch.randn(1, 1, 28, 28))
