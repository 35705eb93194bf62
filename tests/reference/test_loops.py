"""cnn_core.reference.loops: the teaching loop versions agree with the fast ones and with torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings

from cnn_core import reference as fast
from cnn_core.reference import loops
from ._torch import torch_conv
from .strategies import args, conv_cases, integer_valued, make_arrays, pool_cases

# torch warns that padding='same' with an even kernel copies the input: harmless here
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
FEW = settings(max_examples=15)    # the loops are slow; the shapes are small


@FEW
@given(conv_cases())
def test_conv2d_loops_agree_with_fast_and_torch(case):
    x, w, b = make_arrays(case)
    out = loops.conv2d(x, w, b, *args(case), padding_mode=case["mode"], strict=False)
    np.testing.assert_allclose(out, fast.conv2d(x, w, b, *args(case), padding_mode=case["mode"], strict=False),
                               rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(out.shape)
    expected, gx, gw, gb = torch_conv(x, w, b, *args(case), case["mode"], grad_output=g)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)
    grads = loops.conv2d_backward(g, x, w, *args(case), padding_mode=case["mode"], bias=case["bias"],
                                  strict=False)
    fast_grads = fast.conv2d_backward(g, x, w, *args(case), padding_mode=case["mode"], bias=case["bias"],
                                      strict=False)
    for name, ours, theirs, oracle in zip(("input", "weight", "bias"), grads, fast_grads, (gx, gw, gb)):
        if oracle is None:
            assert ours is None
            continue
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12, err_msg=f"grad_{name}: loop vs fast")
        np.testing.assert_allclose(ours, oracle, rtol=1e-10, atol=1e-10, err_msg=f"grad_{name}: loop vs torch")


@FEW
@given(pool_cases())
def test_max_pool_loops_agree_with_fast_and_torch(case):
    x = integer_valued(case["shape"])
    kw = {k: case[k] for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode")}
    tx = torch.tensor(x, requires_grad=True)
    expected, expected_idx = F.max_pool2d(tx, return_indices=True, **kw)
    assume(torch.isfinite(expected).all())
    out, idx = loops.max_pool2d(x, return_indices=True, strict=False, **kw)
    np.testing.assert_array_equal(out, expected.detach().numpy())
    np.testing.assert_array_equal(idx, expected_idx.numpy())
    np.testing.assert_array_equal(out, fast.max_pool2d(x, strict=False, **kw))
    g = np.random.default_rng(1).standard_normal(out.shape)
    expected.backward(torch.tensor(g))
    grad = loops.max_pool2d_backward(g, x, strict=False, **kw)
    np.testing.assert_allclose(grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad, fast.max_pool2d_backward(g, x, strict=False, **kw), rtol=1e-12, atol=1e-12)


@FEW
@given(pool_cases(dilation=False))
def test_avg_pool_loops_agree_with_fast_and_torch(case):
    x = np.random.default_rng(0).standard_normal(case["shape"])
    for count_include_pad, divisor_override in [(True, None), (False, None), (True, 2)]:
        kw = {k: case[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
        kw.update(count_include_pad=count_include_pad, divisor_override=divisor_override)
        tx = torch.tensor(x, requires_grad=True)
        expected = F.avg_pool2d(tx, **kw)
        out = loops.avg_pool2d(x, strict=False, **kw)
        np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out, fast.avg_pool2d(x, strict=False, **kw), rtol=1e-12, atol=1e-12)
        g = np.random.default_rng(1).standard_normal(out.shape)
        expected.backward(torch.tensor(g))
        grad = loops.avg_pool2d_backward(g, x, strict=False, **kw)
        np.testing.assert_allclose(grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(grad, fast.avg_pool2d_backward(g, x, strict=False, **kw), rtol=1e-12,
                                   atol=1e-12)


def test_loops_reproduce_the_notes_6x6_example():
    """Seed 001's 6x6 image and [1 2 1; 0 0 0; 1 2 1] filter; values derived by hand in test_conv.py."""
    x = np.array([[2, 4, 5, 6, 2, 3], [3, 1, 2, 3, 5, 7], [2, 3, 1, 3, 6, 0],
                  [7, 7, 8, 4, 6, 2], [8, 4, 6, 9, 4, 8], [3, 4, 6, 8, 10, 4]], dtype=float)[None, None]
    k = np.array([[1, 2, 1], [0, 0, 0], [1, 2, 1]], dtype=float)[None, None]
    assert loops.conv2d(x, k)[0, 0].tolist() == [[24, 28, 32, 28], [36, 35, 35, 38], [31, 33, 41, 40],
                                                 [46, 51, 54, 50]]


def test_loops_keep_the_dtype_and_validate_like_the_fast_versions():
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5)).astype(np.float32)
    w = np.ones((3, 2, 3, 3), dtype=np.float32)
    assert loops.conv2d(x, w, padding=1).dtype == np.float32
    assert all(g.dtype == np.float32 for g in loops.conv2d_backward(np.ones((1, 3, 5, 5), np.float32), x, w,
                                                                    padding=1))
    assert loops.max_pool2d(x, 2, strict=False).dtype == np.float32
    assert loops.avg_pool2d(x, 2, strict=False).dtype == np.float32
    with pytest.raises(ValueError, match=r"\(5 - 2\)/2 \+ 1 = 2.5.*strict=False"):
        loops.max_pool2d(x, 2)
    with pytest.raises(ValueError, match="3 channels"):
        loops.conv2d(x, np.ones((1, 3, 3, 3)))
    with pytest.raises(TypeError, match="dtype int"):
        loops.avg_pool2d(np.zeros((1, 1, 4, 4), dtype=int), 2)
    with pytest.raises(ValueError, match="covers? only padding"):
        loops.max_pool2d(np.ones((1, 1, 1, 1)), (1, 2), padding=(0, 1), dilation=(1, 2))
