"""``summary`` must agree with the arithmetic of ``cnn_core.shapes``, layer by layer."""

import io

import pytest
import torch
from torch import nn

from cnn_core import shapes
from cnn_core.models import MODELS, lenet5, summary


def _as_pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def check_against_shapes(rows) -> int:
    """For every conv / pool row: output H, W from cnn_core.shapes, parameters from
    cnn_core.shapes.conv_params. Returns how many rows were checked."""
    checked = 0
    for r in rows:
        m = r.module
        if isinstance(m, nn.Conv2d):
            k, s, p, d = map(_as_pair, (m.kernel_size, m.stride, m.padding, m.dilation))
            want = tuple(shapes.conv_output_size(r.input_shape[2 + i], k[i], s[i], p[i], d[i], strict=False)
                         for i in range(2))
            assert r.output_shape == (r.input_shape[0], m.out_channels, *want), r.name
            assert r.params == shapes.conv_params(m.in_channels, m.out_channels, m.kernel_size,
                                                  bias=m.bias is not None, groups=m.groups), r.name
            checked += 1
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            k, p = _as_pair(m.kernel_size), _as_pair(m.padding)
            s = _as_pair(m.stride if m.stride is not None else m.kernel_size)
            d = _as_pair(getattr(m, "dilation", 1))
            want = tuple(shapes.pool_output_size(r.input_shape[2 + i], k[i], s[i], p[i], d[i],
                                                 ceil_mode=m.ceil_mode, strict=False) for i in range(2))
            assert r.output_shape == (*r.input_shape[:2], *want), r.name
            assert r.params == 0
            checked += 1
    return checked


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_small_model_agrees_with_cnn_core_shapes(name):
    model = lenet5() if name == "lenet5" else MODELS[name](num_classes=10, small=True)
    size = (1, 32, 32) if name == "lenet5" else (3, 32, 32)
    result = summary(model, size, verbose=False)
    assert check_against_shapes(result.layers) >= 2
    assert result.total_params == sum(p.numel() for p in model.parameters())


def test_full_resnet18_at_224_agrees_with_cnn_core_shapes():
    from cnn_core.models import resnet18
    result = summary(resnet18(), (3, 224, 224), batch_size=1, verbose=False)
    assert check_against_shapes(result.layers) == 20 + 1       # 20 convolutions, 1 max pool
    assert result.total_params == 11_689_512


def test_leaf_parameters_add_up_to_the_total():
    result = summary(MODELS["mobilenet_v2"](num_classes=10, small=True), (3, 32, 32), verbose=False)
    assert sum(r.params for r in result.layers) == result.total_params


def test_table_is_printed_with_shapes_and_total():
    buffer = io.StringIO()
    summary(lenet5(), (1, 32, 32), file=buffer)
    text = buffer.getvalue()
    assert "(6, 28, 28)" in text and "Conv2d" in text and "Total parameters:     61,706" in text


def test_mode_is_restored_and_input_size_checked():
    model = lenet5().train()
    summary(model, (1, 32, 32), verbose=False)
    assert model.training
    with pytest.raises(ValueError, match="shape of one example"):
        summary(model, (1, 0, 32), verbose=False)


def test_frozen_parameters_are_not_trainable():
    model = lenet5()
    for p in model.features.parameters():
        p.requires_grad_(False)
    result = summary(model, (1, 32, 32), verbose=False)
    assert result.trainable_params == 61_706 - 156 - 2_416


@pytest.mark.parametrize("name", sorted(set(MODELS) - {"lenet5"}))
def test_every_full_model_at_224_agrees_with_cnn_core_shapes(name):
    # On the meta device: shapes are propagated without memory or arithmetic, so even
    # VGG-16 at 224x224 costs nothing.
    with torch.device("meta"):
        model = MODELS[name]()
    result = summary(model, (3, 224, 224), verbose=False)
    assert check_against_shapes(result.layers) >= 5
    assert result.layers[-1].output_shape == (2, 1000)


def test_alexnet_first_layer_is_the_famous_55x55():
    # (224 + 2*2 - 11)/4 + 1 = 55.25: PyTorch floors it to 55, which the course's strict
    # arithmetic flags as a stride that does not fit
    from cnn_core.models import alexnet
    with torch.device("meta"):
        first = summary(alexnet(), (3, 224, 224), verbose=False).layers[0]
    assert first.output_shape[1:] == (64, 55, 55)
    with pytest.raises(ValueError, match="55.25 is not a whole number"):
        shapes.conv_output_size(224, 11, 4, 2, strict=True)
