"""The feature-map explorer: the maps shown are the layer outputs PyTorch computes."""

import numpy as np
import pytest
import torch
from torch import nn

from cnn_core.training import save_checkpoint
from cnn_core.widgets.feature_maps import (digit_examples, feature_map_explorer, small_cnn,
                                           trained_small_cnn)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return small_cnn().eval()


@pytest.fixture(scope="module")
def digits():
    return digit_examples()


def test_digit_examples_are_one_of_each_class(digits):
    images, labels = digits
    assert images.shape == (10, 1, 28, 28) and labels.tolist() == list(range(10))


def test_maps_are_the_layer_outputs(model, digits):
    images, labels = digits
    ex = feature_map_explorer(model, images, labels)
    assert ex._layers == ["block1.0", "block1.1", "block1.2", "block2.0", "block2.1", "block2.2", "class scores"]
    x = torch.from_numpy(images[3:4])
    with torch.no_grad():
        conv1 = model.block1[0](x)
        block1 = model.block1(x)
        block2_relu = model.block2[1](model.block2[0](block1))
        probs = torch.softmax(model(x), dim=1)[0]
    ex.update(image=3, layer="block1.0")
    np.testing.assert_allclose(ex.maps, conv1[0].numpy(), atol=1e-6)
    ex.update(layer="block1.2")
    np.testing.assert_allclose(ex.maps, block1[0].numpy(), atol=1e-6)
    ex.update(layer="block2.1")
    np.testing.assert_allclose(ex.maps, block2_relu[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(ex.probabilities, probs.numpy(), atol=1e-6)
    html = ex.render()
    assert "16 feature maps of 14x14" in html and html.count("data:image/png") == 17   # input + 16 maps
    assert f"prediction: class {int(probs.argmax())}" in html
    ex.update(layer="class scores")                 # the last layer: one score per class
    with torch.no_grad():
        logits = model(x)[0]
    np.testing.assert_allclose(ex.maps, logits.numpy(), atol=1e-6)
    html = ex.render()
    assert "softmax: probability of each class" in html and f"is class {int(probs.argmax())}" in html


def test_any_model_with_feature_maps(digits):
    model = nn.Sequential(nn.Conv2d(1, 2, 5), nn.Flatten())
    ex = feature_map_explorer(model, digits[0][:2])
    assert ex._layers == ["0"] and ex.maps.shape == (2, 24, 24)
    assert ex.probabilities is not None and ex.probabilities.shape == (1152,)
    with pytest.raises(ValueError, match="no layer whose output is a \\(C, H, W\\) stack"):
        feature_map_explorer(nn.Sequential(nn.Flatten(), nn.Linear(784, 2)), digits[0][:1])
    with pytest.raises(ValueError, match="images must be \\(N, C, H, W\\)"):
        feature_map_explorer(model, digits[0][0])


def test_trained_model_comes_from_the_checkpoint_without_training(tmp_path, model):
    path = save_checkpoint(tmp_path / "cnn.pt", model)
    loaded = trained_small_cnn(checkpoint=path)
    for a, b in zip(loaded.state_dict().values(), model.state_dict().values()):
        assert torch.equal(a, b)


def test_static_page_has_every_digit_and_layer(model, digits):
    ex = feature_map_explorer(model, *digits)
    _, states = ex.static_states()
    assert len(states) == 10 * 7
