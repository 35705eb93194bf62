"""The output-size calculator agrees with the shape PyTorch produces."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.widgets import output_size_calculator


def test_the_notes_example_does_not_fit():
    calc = output_size_calculator()                 # 7x7, 3x3, stride 3
    assert calc.result is None
    assert "(7 - 3)/3 + 1 = 2.33 is not a whole number" in calc.message
    html = calc.render()
    assert "Does not fit" in html and "PyTorch would floor it to 2" in html


def test_same_padding_keeps_the_size():
    calc = output_size_calculator(n=32, kernel_size=5, stride=1, padding=2)
    assert calc.result == 32 and calc.message == ""
    assert "(32 + 2*2 - 5)/1 + 1 = 31/1 + 1 = <b>32</b>" in calc.render()


@given(n=st.integers(1, 40), k=st.integers(1, 11), s=st.integers(1, 8), p=st.integers(0, 5), d=st.integers(1, 4))
def test_result_matches_pytorch(n, k, s, p, d):
    calc = output_size_calculator(n=n, kernel_size=k, stride=s, padding=p, dilation=d)
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        assert calc.result is None and "larger than the image" in calc.message
        return
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d).shape[-1]
    if (n + 2 * p - span) % s:
        assert calc.result is None and "not a whole number" in calc.message
        assert f"PyTorch would floor it to {out}" in calc.render()
    else:
        assert calc.result == out and f"<b>{out}</b>" in calc.render()


def test_out_of_range_knob():
    with pytest.raises(ValueError, match="stride S must be one of"):
        output_size_calculator(stride=0)


def test_static_page_offers_the_common_sizes():
    calc = output_size_calculator()
    knobs, states = calc.static_states()
    assert [k.name for k in knobs][-1] == "dilation"
    assert [len(k.options) for k in knobs] == [5, 6, 4, 4, 4]
    assert len(states) == 5 * 6 * 4 * 4 * 4         # every combination renders (fit or not)
    assert "2.33 is not a whole number" in calc.static_html()
    assert "(7 + 2*0 - 2*(3 - 1) + 1)/3 + 1" in states[(1, 2, 2, 0, 1)]      # 7, 3, stride 3, dilation 2
