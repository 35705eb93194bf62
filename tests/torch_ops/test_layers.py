"""The layer counterparts are torch.nn layers with the reference's extra keywords."""

import numpy as np
import pytest
import torch
from torch import nn

from cnn_core import torch_ops as T


def test_layers_are_torch_layers():
    for layer in (T.Conv2d(1, 2, 3), T.Linear(2, 3), T.MaxPool2d(2), T.AvgPool2d(2), T.SumPool2d(2),
                  T.BatchNorm2d(3), T.LayerNorm(4), T.Dropout(), T.CrossEntropyLoss(), T.GlobalAvgPool2d()):
        assert isinstance(layer, nn.Module)
    assert isinstance(T.Conv2d(1, 2, 3), nn.Conv2d) and T.ReLU is nn.ReLU


def test_rng_gives_repeatable_weights_with_pytorch_bounds():
    a, b, c = T.Conv2d(3, 4, 3, rng=0), T.Conv2d(3, 4, 3, rng=0), T.Conv2d(3, 4, 3, rng=1)
    assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
    assert not torch.equal(a.weight, c.weight)
    bound = 1 / np.sqrt(3 * 3 * 3)                     # U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert a.weight.abs().max() <= bound and a.weight.abs().max() > 0.8 * bound
    lin = T.Linear(100, 10, rng=2)
    assert lin.weight.abs().max() <= 0.1 and torch.equal(lin.weight, T.Linear(100, 10, rng=2).weight)


def test_numpy_and_torch_dtypes():
    assert T.Conv2d(1, 1, 3, dtype=np.float64).weight.dtype == torch.float64
    assert T.Linear(2, 2, dtype=torch.float64).weight.dtype == torch.float64
    assert T.BatchNorm1d(3, dtype=np.float64).running_mean.dtype == torch.float64


def test_strict_layers():
    x = torch.zeros(1, 1, 7, 7)
    with pytest.raises(ValueError, match=r"Conv2d: .*\(7 - 3\)/3 \+ 1 = 2.33"):
        T.Conv2d(1, 1, 3, stride=3)(x)
    assert T.Conv2d(1, 1, 3, stride=3, strict=False)(x).shape == (1, 1, 2, 2)
    with pytest.raises(ValueError, match="MaxPool2d"):
        T.MaxPool2d(2)(x)
    with pytest.raises(ValueError, match="SumPool2d"):
        T.SumPool2d(2)(x)
    assert T.Conv2d(1, 1, 3, padding="same")(x).shape == (1, 1, 7, 7)


def test_sum_pool_is_the_window_total():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    assert T.SumPool2d(2)(x)[0, 0].tolist() == [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7], [8 + 9 + 12 + 13, 10 + 11 + 14 + 15]]


def test_dropout_layer_with_rng_keeps_its_mask_and_is_identity_in_eval():
    layer = T.Dropout(0.5, rng=0)
    x = torch.ones(10, 10)
    out = layer(x)
    assert torch.equal(out, x * layer.mask)
    assert torch.equal(layer.eval()(x), x)


def test_loss_objects_take_the_reference_argument_order():
    loss = T.CrossEntropyLoss("sum", 0.1)
    assert loss.reduction == "sum" and loss.label_smoothing == 0.1
    assert T.MSELoss("none")(torch.zeros(3), torch.ones(3)).tolist() == [1.0, 1.0, 1.0]
