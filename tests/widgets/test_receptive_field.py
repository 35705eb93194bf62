"""The receptive-field explorer against torch autograd: the input pixels whose gradient is
non-zero for one output unit are exactly the region the explorer draws."""

import re

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


def test_every_stack_at_every_depth_shows_a_field():
    for stack, layers in STACKS.items():
        for depth in range(1, 5):
            html = receptive_field_explorer(stack=stack, depth=depth).render()
            assert "region of the input" in html
            assert (f"has {len(layers)} layers: all {len(layers)} are shown" in html) == (depth > len(layers))
    assert len(STACKS["5x5 convs"]) == 4


def test_static_page_has_every_stack_and_depth():
    knobs, states = receptive_field_explorer().static_states()
    assert len(states) == len(STACKS) * 4
    assert not any("cannot be shown" in v for v in states.values())


def test_the_legend_is_dark_text_beside_coloured_swatches():
    html = receptive_field_explorer(depth=4).render()
    assert "after layer 4</span>" in html
    assert not re.search(r'color:#(d62728|ff7f0e|2ca02c|1f77b4)', html)      # no light text on white
