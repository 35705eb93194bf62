"""The loop-free pooling backward passes against PyTorch's autograd."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.torch_ops import (avg_pool2d_backward, global_avg_pool2d_backward, global_max_pool2d_backward,
                                max_pool2d_backward, sum_pool2d_backward)


@st.composite
def pool_configs(draw, dilation=True):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    dh, dw = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 9))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 9))
    return dict(h=h, w=w, k=(kh, kw), stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw),
                ceil_mode=draw(st.booleans()))


def leaf(shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)


@given(pool_configs())
def test_max_pool_backward_matches_autograd(cfg):
    x = leaf((2, 3, cfg["h"], cfg["w"]))
    args = (cfg["k"], cfg["stride"], cfg["padding"], cfg["dilation"], cfg["ceil_mode"])
    out = F.max_pool2d(x, *args)
    go = torch.randn(out.shape, dtype=torch.float64)
    if torch.isinf(out).any():
        # some window sees only padding; PyTorch's own backward would index outside the image
        with pytest.raises(ValueError, match="cover only padding"):
            max_pool2d_backward(go, x.detach(), *args, strict=False)
        return
    (want,) = torch.autograd.grad(out, x, go)
    torch.testing.assert_close(max_pool2d_backward(go, x.detach(), *args, strict=False), want)


@given(pool_configs(dilation=False), st.booleans(), st.sampled_from([None, 1, 5]))
def test_avg_pool_backward_matches_autograd(cfg, include_pad, override):
    x = leaf((2, 2, cfg["h"], cfg["w"]))
    args = (cfg["k"], cfg["stride"], cfg["padding"], cfg["ceil_mode"], include_pad, override)
    out = F.avg_pool2d(x, *args)
    go = torch.randn(out.shape, dtype=torch.float64)
    (want,) = torch.autograd.grad(out, x, go)
    torch.testing.assert_close(avg_pool2d_backward(go, x.detach(), *args, strict=False), want)


def test_hand_worked_max_pool_backward():
    # 2x2 windows, stride 2: each window's gradient lands on its maximum only
    x = torch.tensor([[[[1.0, 3.0, 2.0, 0.0],
                        [4.0, 2.0, 1.0, 5.0],
                        [0.0, 1.0, 7.0, 6.0],
                        [2.0, 3.0, 1.0, 1.0]]]])
    go = torch.tensor([[[[10.0, 20.0], [30.0, 40.0]]]])
    expected = torch.tensor([[[[0.0, 0.0, 0.0, 0.0],
                               [10.0, 0.0, 0.0, 20.0],
                               [0.0, 0.0, 40.0, 0.0],
                               [0.0, 30.0, 0.0, 0.0]]]])
    assert torch.equal(max_pool2d_backward(go, x, 2), expected)


def test_overlapping_windows_add_up():
    # 3x3 windows with stride 1 on a 3x4 image whose maximum is shared by both windows
    x = torch.zeros(1, 1, 3, 4)
    x[0, 0, 1, 1] = 9.0
    x[0, 0, 1, 2] = 8.0
    grad = max_pool2d_backward(torch.tensor([[[[1.0, 2.0]]]]), x, 3, 1)
    assert grad[0, 0, 1, 1] == 3.0 and grad.sum() == 3.0


def test_sum_and_global_pool_backward_hand_cases():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    go = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = go.repeat_interleave(2, 2).repeat_interleave(2, 3)    # each pixel gets its window's gradient
    assert torch.equal(sum_pool2d_backward(go, x, 2), expected)
    assert torch.equal(avg_pool2d_backward(go, x, 2), expected / 4)
    g1 = torch.tensor([[[[8.0]]]])
    assert torch.equal(global_avg_pool2d_backward(g1, x), torch.full((1, 1, 4, 4), 0.5))
    tie = torch.zeros(1, 1, 2, 2)                                    # all equal: the first one wins
    assert global_max_pool2d_backward(g1, tie)[0, 0].tolist() == [[8.0, 0.0], [0.0, 0.0]]


def test_window_entirely_in_the_padding_is_explained():
    # one row, padding 1, dilation 2: the window's two taps are rows -1 and 1, both padding
    x = torch.randn(1, 1, 1, 4)
    with pytest.raises(ValueError, match="cover only padding"):
        max_pool2d_backward(torch.ones(1, 1, 1, 1), x, (2, 4), 1, (1, 0), (2, 1), strict=False)


def test_shape_errors_are_explained():
    with pytest.raises(ValueError, match=r"grad_output has shape \(1, 1, 3, 3\), but the output had shape"):
        max_pool2d_backward(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match="is not a whole number"):
        avg_pool2d_backward(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 7, 7), 2)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_runs_on_cuda():
    x = torch.randn(2, 3, 8, 8, device="cuda", requires_grad=True)
    out = F.max_pool2d(x, 3, 2, 1)
    go = torch.randn_like(out)
    (want,) = torch.autograd.grad(out, x, go)
    torch.testing.assert_close(max_pool2d_backward(go, x.detach(), 3, 2, 1, strict=False), want)
