"""Sequential: order of forward/backward, torch-compatible state_dict, list behaviour."""

import numpy as np
import pytest
import torch

from cnn_core.reference import (BatchNorm1d, Dropout, Flatten, LayerNorm, Linear, ReLU,
                                Sequential, Sigmoid, Tanh)
from ._torch import copy_into_torch, torch_forward_backward


def make_pair():
    ours = Sequential(Flatten(), Linear(12, 8, rng=0, dtype=np.float64), BatchNorm1d(8, dtype=np.float64),
                      ReLU(), Dropout(0.3, rng=1), Linear(8, 6, rng=2, dtype=np.float64), Tanh(),
                      LayerNorm(6, dtype=np.float64), Linear(6, 3, rng=3, dtype=np.float64), Sigmoid())
    theirs = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 8), torch.nn.BatchNorm1d(8),
                                 torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(8, 6),
                                 torch.nn.Tanh(), torch.nn.LayerNorm(6), torch.nn.Linear(6, 3),
                                 torch.nn.Sigmoid()).double()
    return ours, theirs


def test_state_dict_keys_equal_torch_and_load_gives_same_outputs():
    ours, theirs = make_pair()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_into_torch(theirs, ours)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 3, 2, 2))
    np.testing.assert_allclose(ours(x), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_torch_state_dict_loads_into_ours():
    ours, theirs = make_pair()
    ours.load_state_dict(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k], v.numpy())


def test_training_backward_gives_torch_gradients():
    ours, theirs = make_pair()
    ours[4].p = 0.0          # no dropout, so both networks compute the same function
    theirs[4].p = 0.0
    copy_into_torch(theirs, ours)
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((6, 3, 2, 2)), rng.standard_normal((6, 3))
    yt, gxt = torch_forward_backward(theirs, x, g)
    np.testing.assert_allclose(ours(x), yt, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.backward(g), gxt, rtol=1e-8, atol=1e-10)
    torch_grads = {k: p.grad.numpy() for k, p in theirs.named_parameters()}
    names = [name for name, _, _ in ours.named_parameters()]
    assert names == list(torch_grads)
    for name, _, grad in ours.named_parameters():
        np.testing.assert_allclose(grad, torch_grads[name], rtol=1e-8, atol=1e-10, err_msg=name)
    # running statistics after one training step match too
    np.testing.assert_allclose(ours.state_dict()["2.running_var"], theirs[2].running_var.numpy(), rtol=1e-10)
    ours.zero_grad()
    assert all(not g.any() for _, g in ours.parameters())


def test_backward_runs_layers_in_reverse_order():
    calls = []

    class Spy(ReLU):
        def __init__(self, tag):
            super().__init__()
            self.tag = tag

        def forward(self, x):
            calls.append(("f", self.tag))
            return super().forward(x)

        def backward(self, g):
            calls.append(("b", self.tag))
            return super().backward(g)

    model = Sequential(Spy(0), Spy(1), Spy(2))
    model.backward(model(np.ones(3)))
    assert calls == [("f", 0), ("f", 1), ("f", 2), ("b", 2), ("b", 1), ("b", 0)]


def test_list_behaviour_and_modes():
    a, b, c = Linear(4, 3), ReLU(), Linear(3, 2)
    model = Sequential(a, b)
    assert len(model) == 2 and model[0] is a and model[-1] is b and list(model) == [a, b]
    model.append(c)
    assert len(model) == 3 and [n for n, _ in model.children()] == ["0", "1", "2"]
    head = model[1:]
    assert isinstance(head, Sequential) and head[1] is c
    model.eval()
    assert not a.training and not c.training
    model.train()
    assert all(layer.training for layer in model)
    assert len(model.parameters()) == 4
    assert "(2): Linear(in_features=3, out_features=2" in repr(model)


def test_bad_usage_gives_clear_errors():
    with pytest.raises(TypeError, match="torch layer cannot be mixed"):
        Sequential(torch.nn.ReLU())
    with pytest.raises(IndexError, match="index 5 is out of range for a Sequential of 1 layers"):
        Sequential(ReLU())[5]
    with pytest.raises(ValueError, match=r"'0.weight' has shape \(3, 4\) but this layer expects \(2, 4\)"):
        Sequential(Linear(4, 2)).load_state_dict(Sequential(Linear(4, 3)).state_dict())


def test_lenet5_with_conv_and_pool_layers_matches_torch():
    """The whole LeNet-5 stack (conv and pooling layers from the other half of the reference):
    state_dict keys, forward and every gradient equal torch.nn.Sequential's, in float64."""
    from cnn_core.reference import AvgPool2d, Conv2d

    rng = np.random.default_rng(0)
    f64 = dict(rng=rng, dtype=np.float64)
    ours = Sequential(Conv2d(1, 6, 5, padding=2, **f64), Tanh(), AvgPool2d(2),
                      Conv2d(6, 16, 5, **f64), ReLU(), AvgPool2d(2), Flatten(),
                      Linear(400, 120, **f64), Tanh(), Linear(120, 84, **f64), Tanh(),
                      Linear(84, 10, **f64))
    nn = torch.nn
    theirs = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
                           nn.Conv2d(6, 16, 5), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(),
                           nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
                           nn.Linear(84, 10)).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_into_torch(theirs, ours)
    x, g = rng.standard_normal((3, 1, 28, 28)), rng.standard_normal((3, 10))
    yt, gxt = torch_forward_backward(theirs, x, g)
    np.testing.assert_allclose(ours(x), yt, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.backward(g), gxt, rtol=1e-8, atol=1e-12)
    torch_grads = {k: p.grad.numpy() for k, p in theirs.named_parameters()}
    for name, _, grad in ours.named_parameters():
        np.testing.assert_allclose(grad, torch_grads[name], rtol=1e-8, atol=1e-12, err_msg=name)
