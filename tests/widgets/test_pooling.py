"""The pooling explorer: PyTorch as the oracle, the notes' slips found by hand."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.widgets import pooling_explorer
from cnn_core.widgets.pooling import pooling_input

INPUTS = ["notes set 001", "notes set 004", "feature map: notes 6x6 * [1 2 1]",
          "feature map: photo, vertical edges, ReLU"]


@given(name=st.sampled_from(INPUTS), mode=st.sampled_from(["max", "average", "sum"]), k=st.sampled_from([2, 3]),
       s=st.sampled_from([1, 2, 3]))
def test_output_matches_pytorch(name, mode, k, s):
    ex = pooling_explorer(input=name, mode=mode, kernel_size=k, stride=s)
    x = torch.tensor(pooling_input(name))[None, None]
    if mode == "max":
        expected = F.max_pool2d(x, k, s)
    else:
        expected = F.avg_pool2d(x, k, s) * (k * k if mode == "sum" else 1)
    np.testing.assert_allclose(ex.output, expected[0, 0].numpy(), rtol=1e-10, atol=1e-10)
    assert (ex.fit_message() == "") == ((x.shape[-1] - k) % s == 0)
    assert f"{mode} pooling {expected.shape[-2]}x{expected.shape[-1]}" in ex.render()


def test_entries_are_written_out():
    ex = pooling_explorer()
    assert ex.terms(0, 0) == "max(2, 4, 4, 6) = 6"
    ex.update(mode="average")
    assert ex.terms(0, 1) == "avg(3, 5, 1, 4) = 13/4 = 3.25"
    ex.update(mode="sum")
    assert ex.terms(1, 0) == "sum(7, 8, 3, 4) = 22"


def test_the_notes_slips_are_named():
    ex = pooling_explorer(input="notes set 001", mode="average")
    # set 001 prints 4.2 where the mean of 3, 5, 1, 4 is 3.25
    [slip] = ex.notes_slips()
    assert slip.index == (0, 1) and slip.notes == 4.2 and slip.computed == 3.25
    assert "The lecture notes have 4.2 at (0, 1)" in ex.render()
    # set 004 prints 2.8 for 2.75 (rounding, not a slip) and 5.3 where the mean of 4, 5, 6, 5 is 5
    ex.update(input="notes set 004")
    [slip] = ex.notes_slips()
    assert slip.index == (1, 0) and slip.notes == 5.3 and slip.computed == 5.0
    ex.update(mode="max")
    assert ex.notes_slips() == []
    ex.update(mode="average", stride=1)              # the notes show no 3x3 result: nothing to compare
    assert ex.notes_slips() == []


def test_unknown_input():
    with pytest.raises(ValueError, match="unknown pooling input"):
        pooling_input("nope")


def test_live_widget_switches_mode():
    ex = pooling_explorer()
    ex.widget()
    ex._live.knobs["mode"].value = "average"
    assert "avg(2, 4, 4, 6) = 16/4 = 4" in ex._live.view.value
