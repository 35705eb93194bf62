"""The ``*_backward`` counterparts against autograd on cases the parity test does not cover."""

import torch
import torch.nn.functional as F

from cnn_core import torch_ops as T
from cnn_core.torch_ops.backward import vjp


def test_vjp_leaves_the_callers_tensors_alone_and_keeps_none():
    x = torch.randn(3, 4)
    before = x.clone()
    gx, gnone = vjp(lambda a, b: (a * a).sum(dim=1), torch.ones(3), x, None)
    torch.testing.assert_close(gx, 2 * before)              # d/dx sum(x^2) = 2x, by hand
    assert gnone is None and torch.equal(x, before) and not x.requires_grad


def test_conv2d_backward_float32_against_autograd():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 4, 9, 9, generator=g, requires_grad=True)
    w = torch.randn(6, 2, 3, 3, generator=g, requires_grad=True)
    b = torch.randn(6, generator=g, requires_grad=True)
    out = F.conv2d(x, w, b, stride=2, padding=1, groups=2)
    go = torch.randn(out.shape, generator=g)
    want = torch.autograd.grad(out, [x, w, b], go)
    got = T.conv2d_backward(go, x.detach(), w.detach(), 2, 1, 1, 2)
    for a, e in zip(got, want):
        torch.testing.assert_close(a, e, rtol=1e-5, atol=1e-5)


def test_relu_gradient_at_zero_is_zero_like_pytorch():
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    (want,) = torch.autograd.grad(F.relu(x), x, torch.ones(3))
    assert torch.equal(T.relu_backward(torch.ones(3), x.detach()), want)


def test_batch_norm_backward_does_not_touch_running_statistics():
    x = torch.randn(4, 3, 2, 2)
    rm, rv = torch.zeros(3), torch.ones(3)
    T.batch_norm_backward(torch.randn(4, 3, 2, 2), x, None, rm, rv, training=False)
    assert torch.equal(rm, torch.zeros(3)) and torch.equal(rv, torch.ones(3))
