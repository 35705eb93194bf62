"""The transfer-learning explorer: counts by hand, and frozen blocks really do not train."""

import pytest
import torch
from torch import nn

from cnn_core.widgets.transfer import transfer_explorer


def tiny():
    # conv: 4 filters of 3x3x1 + 4 biases = 40; linear: 4*2 + 2 = 10; ReLU has none
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4, 2))


def test_counts_by_hand():
    ex = transfer_explorer(tiny())
    assert ex.blocks == [("0", 40), ("3", 10)]
    assert ex.state == {"0": True, "3": False}        # feature extraction: only the head
    assert (ex.trainable, ex.total) == (10, 50)
    assert "trainable: 10 of 50 parameters (20.0%); feature extraction" in ex.render()
    ex.update(**{"0": False})
    assert ex.trainable == 50 and "full fine-tuning" in ex.render()


def test_frozen_blocks_do_not_change_in_a_training_step():
    model = tiny()
    ex = transfer_explorer(model)
    assert [p.requires_grad for p in model.parameters()] == [False, False, True, True]
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    loss = model(torch.randn(5, 1, 3, 3)).pow(2).sum()
    loss.backward()
    opt.step()
    after = list(model.parameters())
    assert torch.equal(before[0], after[0]) and torch.equal(before[1], after[1])
    assert not torch.equal(before[2], after[2])
    assert ex.trainable == 10


def test_default_model_is_a_small_resnet18():
    ex = transfer_explorer()
    assert [n for n, _ in ex.blocks] == ["conv1", "bn1", "layer1", "layer2", "layer3", "layer4", "fc"]
    assert ex.total == sum(p.numel() for p in ex.model.parameters())
    assert ex.trainable == ex.model.fc.in_features * 10 + 10    # the head: features -> 10 classes


def test_static_page_keeps_the_models_flags():
    model = tiny()
    ex = transfer_explorer(model)
    _, states = ex.static_states()
    assert len(states) == 4
    assert [p.requires_grad for p in model.parameters()] == [False, False, True, True]


def test_checkbox_freezes():
    ex = transfer_explorer(tiny())
    ex.widget()
    ex._live.knobs["3"].value = True
    assert ex.trainable == 0 and "nothing would learn" in ex._live.view.value
    with pytest.raises(ValueError, match="no sub-module with parameters"):
        transfer_explorer(nn.ReLU())
