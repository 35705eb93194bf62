"""Losses and penalties against torch (values and autograd gradients)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.reference import (CrossEntropyLoss, MSELoss, cross_entropy, cross_entropy_backward,
                                l1_penalty, l1_penalty_backward, l2_penalty, l2_penalty_backward,
                                mse_loss, mse_loss_backward)

seeds = st.integers(0, 2**31 - 1)
reductions = st.sampled_from(["mean", "sum", "none"])


def upstream(rng, reduction, shape):
    return rng.standard_normal(shape) if reduction == "none" else rng.standard_normal()


@given(n=st.integers(1, 6), k=st.integers(1, 6), reduction=reductions,
       smoothing=st.sampled_from([0.0, 0.1, 0.5]), scale=st.sampled_from([1.0, 30.0]), seed=seeds)
def test_cross_entropy_matches_torch(n, k, reduction, smoothing, scale, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, k)) * scale
    t = rng.integers(0, k, n)
    g = upstream(rng, reduction, (n,))
    xt = torch.tensor(x, requires_grad=True)
    lt = F.cross_entropy(xt, torch.tensor(t), reduction=reduction, label_smoothing=smoothing)
    lt.backward(torch.tensor(g, dtype=torch.float64))
    loss = cross_entropy(x, t, reduction, smoothing)
    np.testing.assert_allclose(loss, lt.detach().numpy(), rtol=1e-10, atol=1e-12)
    gx = cross_entropy_backward(g, x, t, reduction, smoothing)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_is_stable_for_logits_of_1e4():
    x = np.array([[1e4, 0.0, -1e4], [1e4, 1e4 - 2.0, 0.0], [-1e4, 0.0, 1e4]])
    t = np.array([1, 1, 2])
    xt = torch.tensor(x, requires_grad=True)
    lt = F.cross_entropy(xt, torch.tensor(t))
    lt.backward()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = cross_entropy(x, t)
        gx = cross_entropy_backward(1.0, x, t)
    assert np.isfinite(loss)
    np.testing.assert_allclose(loss, lt.item(), rtol=1e-12)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_float32_gradient_keeps_dtype():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    t = rng.integers(0, 4, 5)
    gx = cross_entropy_backward(1.0, x, t)
    assert gx.dtype == np.float32
    xt = torch.tensor(x, requires_grad=True)
    F.cross_entropy(xt, torch.tensor(t)).backward()
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-5, atol=1e-7)


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple), reduction=reductions,
       seed=seeds)
def test_mse_matches_torch(shape, reduction, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(shape), rng.standard_normal(shape)
    g = upstream(rng, reduction, shape)
    xt = torch.tensor(x, requires_grad=True)
    lt = F.mse_loss(xt, torch.tensor(y), reduction=reduction)
    lt.backward(torch.tensor(g, dtype=torch.float64))
    np.testing.assert_allclose(mse_loss(x, y, reduction), lt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mse_loss_backward(g, x, y, reduction), xt.grad.numpy(),
                               rtol=1e-10, atol=1e-12)


@given(seed=seeds, n_arrays=st.integers(1, 3))
def test_penalties_and_their_gradients_match_torch(seed, n_arrays):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal(rng.integers(1, 4, size=rng.integers(1, 4))) for _ in range(n_arrays)]
    ws[0].flat[0] = 0.0  # |w| at 0: both use the subgradient 0
    for ours, grad, tfn in [(l1_penalty, l1_penalty_backward, torch.abs),
                            (l2_penalty, l2_penalty_backward, torch.square)]:
        wts = [torch.tensor(w, requires_grad=True) for w in ws]
        total = sum(tfn(w).sum() for w in wts)
        total.backward()
        np.testing.assert_allclose(ours(ws), total.item(), rtol=1e-12)
        for gw, wt in zip(grad(ws), wts):
            np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-12)


def test_l2_penalty_is_sgd_weight_decay_with_twice_lambda():
    # the docstring's convention: lam * l2_penalty == torch SGD weight_decay = 2 * lam
    w0, lam, lr = np.array([1.0, -2.0, 3.0]), 0.05, 0.1
    wt = torch.nn.Parameter(torch.tensor(w0))
    opt = torch.optim.SGD([wt], lr=lr, weight_decay=2 * lam)
    wt.grad = torch.zeros(3, dtype=torch.float64)
    opt.step()
    ours = w0 - lr * lam * l2_penalty_backward([w0])[0]
    np.testing.assert_allclose(ours, wt.detach().numpy(), rtol=1e-12)


def test_loss_objects_forward_and_backward():
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    ce = CrossEntropyLoss()
    value = ce(x, t)
    assert isinstance(value, float)
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.CrossEntropyLoss()(xt, torch.tensor(t)).backward()
    np.testing.assert_allclose(ce.backward(), xt.grad.numpy(), rtol=1e-10)
    y = rng.standard_normal((6, 3))
    mse = MSELoss()
    assert isinstance(mse(x, y), float)
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.MSELoss()(xt, torch.tensor(y)).backward()
    np.testing.assert_allclose(mse.backward(), xt.grad.numpy(), rtol=1e-10)


def test_bad_inputs_give_clear_errors():
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"target contains class 4, but input has 4 classes.*0 \.\.\. 3"):
        cross_entropy(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="target contains class -1"):
        cross_entropy(x, np.array([0, -1, 1]))
    with pytest.raises(TypeError, match="class indices as integers.*float64.*argmax"):
        cross_entropy(x, np.zeros(3))
    with pytest.raises(ValueError, match=r"target must have shape \(N,\) = \(3,\).*got \(2,\)"):
        cross_entropy(x, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"input must be a \(N, classes\) logits array, got shape \(4,\)"):
        cross_entropy(np.zeros(4), np.array([0]))
    with pytest.raises(ValueError, match="NaN or inf"):
        cross_entropy(np.full((1, 2), np.nan), np.array([0]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        cross_entropy(x, np.zeros(3, int), reduction="avg")
    with pytest.raises(ValueError, match=r"input has shape \(3, 4\) but target has shape \(3, 1\)"):
        mse_loss(x, np.zeros((3, 1)))
    with pytest.raises(TypeError, match="dtype int"):
        l2_penalty([np.arange(3)])
