"""The dropout explorer: one pass is inverted dropout, and the expectation is kept."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.widgets import dropout_explorer

RATES = [0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]


@given(p=st.sampled_from(RATES), seed=st.integers(0, 9))
def test_one_pass_drops_and_rescales(p, seed):
    ex = dropout_explorer(p=p, seed=seed)
    mask, x, y = ex.mask, ex.input, ex.output
    kept = mask != 0
    np.testing.assert_allclose(mask[kept], 1 / (1 - p))        # kept units are scaled by 1/(1-p)
    np.testing.assert_allclose(y, x * mask)
    assert f"kept {int(kept.sum())} of 100 units" in ex.render()


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_expected_value_is_kept(p):
    ex = dropout_explorer(p=p)
    avg = ex.average_output
    # mean of 1000 passes: each unit's std is x*sqrt(p/(1-p))/sqrt(1000) <= 1.5*3/31.6 = 0.14
    np.testing.assert_allclose(avg, ex.input, atol=0.6)
    assert abs(avg.mean() - ex.input.mean()) < 0.05
    frac = np.mean([(ex.update(seed=s).mask != 0).mean() for s in range(10)])
    assert frac == pytest.approx(1 - p, abs=0.06)


def test_eval_is_the_identity():
    ex = dropout_explorer(p=0.9, mode="eval")
    np.testing.assert_array_equal(ex.output, ex.input)
    assert "dropout is the identity" in ex.render()


def test_static_page_has_every_rate_mode_and_pass():
    knobs, states = dropout_explorer().static_states()
    assert [k.name for k in knobs] == ["p", "mode", "seed"]
    assert len(states) == len(RATES) * 2 * 10
    passes = {states[(4, 0, s)] for s in range(10)}          # p = 0.5, train: ten different passes
    assert len(passes) == 10
