"""cnn_core.reference.pooling against torch.nn.functional pooling and torch autograd."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from cnn_core.reference import (AvgPool2d, GlobalAvgPool2d, GlobalMaxPool2d, MaxPool2d, SumPool2d, avg_pool2d,
                                avg_pool2d_backward, global_avg_pool2d, global_avg_pool2d_backward,
                                global_max_pool2d, global_max_pool2d_backward, max_pool2d, max_pool2d_backward,
                                sum_pool2d, sum_pool2d_backward)
from .strategies import integer_valued, pool_cases


@given(pool_cases())
def test_max_pool_forward_indices_and_gradient_match_torch(case):
    x = integer_valued(case["shape"])
    tx = torch.tensor(x, requires_grad=True)
    kw = {k: case[k] for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode")}
    expected, expected_idx = F.max_pool2d(tx, return_indices=True, **kw)
    assume(torch.isfinite(expected).all())     # a window entirely in the padding: refused, tested below
    out, idx = max_pool2d(x, return_indices=True, strict=False, **kw)
    np.testing.assert_array_equal(out, expected.detach().numpy())
    np.testing.assert_array_equal(idx, expected_idx.numpy())       # ties: the same (first) maximum
    g = np.random.default_rng(1).standard_normal(out.shape)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(max_pool2d_backward(g, x, strict=False, **kw), tx.grad.numpy(), rtol=1e-12,
                               atol=1e-12)
    layer = MaxPool2d(**kw, strict=False)
    np.testing.assert_array_equal(layer(x), out)
    np.testing.assert_allclose(layer.backward(g), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@given(pool_cases(dilation=False), st.booleans(), st.sampled_from([None, 1, 3, -2]))
def test_avg_pool_forward_and_gradient_match_torch(case, count_include_pad, divisor_override):
    x = np.random.default_rng(0).standard_normal(case["shape"])
    tx = torch.tensor(x, requires_grad=True)
    kw = {k: case[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    kw.update(count_include_pad=count_include_pad, divisor_override=divisor_override)
    expected = F.avg_pool2d(tx, **kw)
    out = avg_pool2d(x, strict=False, **kw)
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(out.shape)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(avg_pool2d_backward(g, x, strict=False, **kw), tx.grad.numpy(), rtol=1e-12,
                               atol=1e-12)
    layer = AvgPool2d(**kw, strict=False)
    np.testing.assert_allclose(layer(x), out, rtol=1e-12)
    np.testing.assert_allclose(layer.backward(g), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@given(pool_cases(dilation=False))
def test_sum_pool_is_the_window_sum(case):
    x = np.random.default_rng(0).standard_normal(case["shape"])
    tx = torch.tensor(x, requires_grad=True)
    kw = {k: case[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    # oracle: torch's average with divisor 1 is the plain sum of each window
    expected = F.avg_pool2d(tx, divisor_override=1, **kw)
    out = sum_pool2d(x, strict=False, **kw)
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(out.shape)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(sum_pool2d_backward(g, x, strict=False, **kw), tx.grad.numpy(), rtol=1e-12,
                               atol=1e-12)
    layer = SumPool2d(**kw, strict=False)
    np.testing.assert_allclose(layer(x), out)


def test_sum_pool_is_average_times_area_without_padding():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    np.testing.assert_allclose(sum_pool2d(x, 3), 9 * avg_pool2d(x, 3), rtol=1e-12)


@given(st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 5), st.integers(1, 5)))
def test_global_pooling_matches_adaptive_pooling_to_1(shape):
    x = integer_valued(shape)
    g = np.random.default_rng(1).standard_normal((*shape[:2], 1, 1))
    for ours, backward, layer, theirs in [
        (global_avg_pool2d, global_avg_pool2d_backward, GlobalAvgPool2d(), F.adaptive_avg_pool2d),
        (global_max_pool2d, global_max_pool2d_backward, GlobalMaxPool2d(), F.adaptive_max_pool2d),
    ]:
        tx = torch.tensor(x, requires_grad=True)
        expected = theirs(tx, 1)
        np.testing.assert_allclose(ours(x), expected.detach().numpy(), rtol=1e-12)
        expected.backward(torch.tensor(g))
        np.testing.assert_allclose(backward(g, x), tx.grad.numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer(x), ours(x))
        np.testing.assert_allclose(layer.backward(g), tx.grad.numpy(), rtol=1e-12, atol=1e-15)


@given(pool_cases())
def test_float32_is_preserved(case):
    x = integer_valued(case["shape"]).astype(np.float32) / 3
    kw = {k: case[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    assume(torch.isfinite(F.max_pool2d(torch.tensor(x), dilation=case["dilation"], **kw)).all())
    out = max_pool2d(x, dilation=case["dilation"], strict=False, **kw)
    assert out.dtype == np.float32
    assert max_pool2d_backward(np.ones_like(out), x, dilation=case["dilation"], strict=False, **kw).dtype \
        == np.float32
    out = avg_pool2d(x, strict=False, **kw)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, F.avg_pool2d(torch.tensor(x), **kw).numpy(), rtol=1e-6, atol=1e-6)
    assert avg_pool2d_backward(np.ones_like(out), x, strict=False, **kw).dtype == np.float32


def test_overlapping_windows_sharing_a_maximum_add_up():
    """By hand: 1x5 row [0 0 9 0 0], window 3, stride 1: all three windows pick the 9,
    so the 9 receives 1 + 2 + 3 = 6."""
    x = np.array([[[[0.0, 0.0, 9.0, 0.0, 0.0]]]])
    g = np.array([[[[1.0, 2.0, 3.0]]]])
    out = max_pool2d(x, (1, 3), stride=1)
    assert out.tolist() == [[[[9.0, 9.0, 9.0]]]]
    assert max_pool2d_backward(g, x, (1, 3), stride=1).tolist() == [[[[0.0, 0.0, 6.0, 0.0, 0.0]]]]


def test_ties_send_the_gradient_to_the_first_maximum():
    """By hand: a 2x2 window of equal values: PyTorch picks the first (top-left) one."""
    x = np.full((1, 1, 2, 2), 7.0)
    grad = max_pool2d_backward(np.ones((1, 1, 1, 1)), x, 2)
    assert grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]


# --------------------------------------------------------------------------------------
# the notes' worked examples, recomputed by hand
# --------------------------------------------------------------------------------------
def image(rows):
    return np.array(rows, dtype=np.float64)[None, None]


def test_notes_seed_001_pooling():
    """Seed 001: 4x4 input, pool size (2, 2), stride 2.
    Max by hand: max(2,4,4,6) = 6, max(3,5,1,4) = 5, max(7,8,3,4) = 8, max(5,4,1,2) = 5 (as the notes).
    Average by hand: (2+4+4+6)/4 = 4, (3+5+1+4)/4 = 13/4 = 3.25 (the notes write 4.2),
    (7+8+3+4)/4 = 5.5, (5+4+1+2)/4 = 3."""
    x = image([[2, 4, 3, 5], [4, 6, 1, 4], [7, 8, 5, 4], [3, 4, 1, 2]])
    assert max_pool2d(x, 2, stride=2)[0, 0].tolist() == [[6, 5], [8, 5]]
    assert avg_pool2d(x, 2, stride=2)[0, 0].tolist() == [[4, 3.25], [5.5, 3]]


def test_notes_seed_004_pooling():
    """Seed 004: 4x4 input, 2x2 windows, stride 2.
    Max by hand: max(4,3,1,3) = 4, max(1,5,4,8) = 8, max(4,5,6,5) = 6, max(4,3,9,4) = 9 (as the notes).
    Average by hand: 11/4 = 2.75 (the notes' table rounds it to 2.8; their text says 2.75),
    (1+5+4+8)/4 = 4.5, (4+5+6+5)/4 = 5.0 (the notes write 5.3), (4+3+9+4)/4 = 5.0."""
    x = image([[4, 3, 1, 5], [1, 3, 4, 8], [4, 5, 4, 3], [6, 5, 9, 4]])
    assert max_pool2d(x, 2)[0, 0].tolist() == [[4, 8], [6, 9]]
    assert avg_pool2d(x, 2)[0, 0].tolist() == [[2.75, 4.5], [5.0, 5.0]]
    # sum pooling, the notes' third kind: the window totals 11, 18, 20, 20
    assert sum_pool2d(x, 2)[0, 0].tolist() == [[11, 18], [20, 20]]


def test_cs231n_max_pooling_slide():
    """Seed 002 shows the result [[6, 8], [3, 4]] of CS231n's max-pooling slide; its input was
    lost in the OCR. CS231n's input, by hand: max(1,1,5,6) = 6, max(2,4,7,8) = 8,
    max(3,2,1,2) = 3, max(1,0,3,4) = 4."""
    x = image([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    assert max_pool2d(x, 2, stride=2)[0, 0].tolist() == [[6, 8], [3, 4]]


def test_notes_32x32_max_pooling():
    """Seed 000: '32x32 after a 2x2 max pooling with stride 2: (32 - 3 + 2*0)/2 + 1 = 29/2 + 1 = 16'.
    The formula uses the filter size 3 by mistake: with a 2x2 window, (32 - 2)/2 + 1 = 16; a 3x3
    window with stride 2 gives 15.5, which does not fit (PyTorch floors it to 15)."""
    x = np.zeros((1, 1, 32, 32))
    assert max_pool2d(x, 2, stride=2).shape == (1, 1, 16, 16)
    with pytest.raises(ValueError, match=r"\(32 - 3\)/2 \+ 1 = 15.5 is not a whole number.*strict=False"):
        max_pool2d(x, 3, stride=2)
    assert max_pool2d(x, 3, stride=2, strict=False).shape == (1, 1, 15, 15)


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------
def test_bad_input():
    x = np.zeros((1, 1, 5, 5))
    with pytest.raises(ValueError, match=r"at most half the window \(3//2 = 1\), got 2"):
        max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"along the height.*\(5 - 2\)/2 \+ 1 = 2.5.*strict=False"):
        avg_pool2d(x, 2)
    assert avg_pool2d(x, 2, strict=False).shape == (1, 1, 2, 2)
    with pytest.raises(ValueError, match="does not fit"):
        max_pool2d(x, 6)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*\(5, 5\)"):
        max_pool2d(np.zeros((5, 5)), 2, strict=False)
    with pytest.raises(TypeError, match="dtype uint8"):
        max_pool2d(np.zeros((1, 1, 4, 4), dtype=np.uint8), 2)
    bad = np.zeros((1, 1, 4, 4))
    bad[0, 0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        avg_pool2d(bad, 2)
    with pytest.raises(ValueError, match="divisor_override must be a non-zero int"):
        avg_pool2d(np.zeros((1, 1, 4, 4)), 2, divisor_override=0)
    with pytest.raises(ValueError, match=r"grad_output has shape \(1, 1, 3, 3\).*\(1, 1, 2, 2\)"):
        max_pool2d_backward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 4, 4)), 2)
    with pytest.raises(ValueError, match="cover only padding"):
        # width 1 padded to 3; a dilated 2-tap window at columns 0 and 2 sees only padding
        # (PyTorch returns -inf there, with an index outside the image)
        max_pool2d(np.ones((1, 1, 1, 1)), (1, 2), padding=(0, 1), dilation=(1, 2))
    with pytest.raises(RuntimeError, match="before forward"):
        MaxPool2d(2).backward(np.zeros((1, 1, 1, 1)))
