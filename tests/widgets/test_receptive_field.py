"""The receptive-field explorer against torch autograd: the input pixels whose gradient is
non-zero for one output unit are exactly the region the explorer draws."""

import pytest
import torch
import torch.nn.functional as F

from cnn_core.widgets import receptive_field_explorer
from cnn_core.widgets.receptive_field import STACKS


def seen_by_unit_00(layers, size=48):
    x = torch.ones(1, 1, size, size, requires_grad=True)
    y = x
    for _, k, s, d in layers:
        if "pool" in _:
            y = F.avg_pool2d(y, k, s)              # every pixel of the window gets gradient
        else:
            y = F.conv2d(y, torch.ones(1, 1, k, k), stride=s, dilation=d)
    y[0, 0, 0, 0].backward()
    seen = (x.grad[0, 0] != 0).nonzero()
    return int(seen[:, 0].max()) + 1, int(seen[:, 1].max()) + 1


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_field_matches_autograd_at_every_depth(stack):
    ex = receptive_field_explorer(stack=stack, depth=1)
    for depth in range(1, len(STACKS[stack]) + 1):
        ex.update(depth=depth)
        rows, cols = seen_by_unit_00(STACKS[stack][:depth])
        assert ex.field == rows == cols
        assert f"{ex.field}x{ex.field} region" in ex.render()


def test_two_3x3_convs_see_5x5():
    assert receptive_field_explorer().field == 5


def test_depth_is_clamped_to_the_stack():
    ex = receptive_field_explorer(stack="3x3 convs", depth=4)
    ex.update(stack="5x5 convs")
    assert ex.state["depth"] == 3
