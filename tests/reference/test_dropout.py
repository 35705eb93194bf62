"""Inverted dropout: seeding, the kept mean (statistically), eval identity, gradients."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.reference import Dropout, check_layer_gradients, dropout, dropout_backward


@given(p=st.floats(0.05, 0.95), seed=st.integers(0, 2**31 - 1))
def test_same_seed_same_output_and_kept_units_scaled_like_torch(p, seed):
    x = np.random.default_rng(0).standard_normal((4, 3, 5)) + 3
    a = dropout(x, p, rng=seed)
    np.testing.assert_array_equal(a, dropout(x, p, rng=np.random.default_rng(seed)))
    # torch's rule for a kept unit: x / (1 - p); a dropped unit is 0
    t = torch.nn.functional.dropout(torch.ones(1000, dtype=torch.float64), p).numpy()
    scale = t[t != 0][0] if (t != 0).any() else 1 / (1 - p)
    kept = a != 0
    np.testing.assert_allclose(a[kept], x[kept] * scale, rtol=1e-12)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_mean_is_kept_and_drop_rate_is_p(p):
    # Each output of dropout(ones) is 1/(1-p) with probability 1-p, else 0:
    # mean 1 and variance p/(1-p), so the mean of n outputs has standard deviation
    # sqrt(p / ((1-p) n)); the fraction of zeros has standard deviation sqrt(p (1-p) / n).
    # 5 standard deviations: a false failure has probability below 1e-6 (fixed seed anyway).
    n = 200_000
    y = dropout(np.ones(n), p, rng=123)
    assert abs(y.mean() - 1) < 5 * np.sqrt(p / ((1 - p) * n))
    assert abs((y == 0).mean() - p) < 5 * np.sqrt(p * (1 - p) / n)


def test_eval_mode_p0_and_p1():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_array_equal(dropout(x, 0.5, training=False), x)
    np.testing.assert_array_equal(dropout(x, 0.0, rng=0), x)
    torch_p1 = torch.nn.functional.dropout(torch.tensor(x), 1.0).numpy()
    np.testing.assert_array_equal(dropout(x, 1.0, rng=0), torch_p1)
    assert dropout(x, 0.3, rng=0).dtype == np.float32


def test_layer_remembers_mask_draws_fresh_masks_and_eval_is_identity():
    layer = Dropout(0.5, rng=7)
    x = np.ones((50, 20))
    y1 = layer(x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y1)  # grad of x*mask = mask
    y2 = layer(x)
    assert not np.array_equal(y1, y2)
    np.testing.assert_array_equal(Dropout(0.5, rng=7)(x), y1)  # reproducible from the seed
    layer.eval()
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(2 * x), 2 * x)


def test_backward_passes_numerical_gradient_check_in_training():
    # oracle: central differences (the check replays the same mask each time)
    check_layer_gradients(Dropout(0.4, rng=3), np.random.default_rng(0).standard_normal((2, 3, 4)))
    out, mask = dropout(np.ones(5), 0.5, rng=0, return_mask=True)
    np.testing.assert_array_equal(dropout_backward(np.ones(5), mask), out)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_outside_unit_interval_is_refused(p):
    with pytest.raises(ValueError, match=f"must lie in \\[0, 1\\], got p = {p}"):
        dropout(np.ones(3), p)
    with pytest.raises(ValueError, match="probability of dropping"):
        Dropout(p)


def test_other_bad_inputs():
    with pytest.raises(TypeError, match="p must be a number"):
        dropout(np.ones(3), "0.5")
    with pytest.raises(TypeError, match="dtype int"):
        dropout(np.ones(3, dtype=np.int64), 0.5)
    with pytest.raises(ValueError, match="NaN or inf"):
        dropout(np.array([np.nan]), 0.5)
    with pytest.raises(ValueError, match=r"grad_output has shape \(2,\) but the mask has shape \(3,\)"):
        dropout_backward(np.ones(2), np.ones(3))
