"""Batch norm and layer norm against torch: forward, gradients, running statistics."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.reference import (BatchNorm1d, BatchNorm2d, LayerNorm, batch_norm,
                                batch_norm_backward, layer_norm, layer_norm_backward)
from ._torch import copy_into_torch, torch_forward_backward

seeds = st.integers(0, 2**31 - 1)
# (N, C), (N, C, L) or (N, C, H, W), at least 2 values per channel for training
bn_shapes = st.tuples(st.integers(2, 4), st.integers(1, 4),
                      st.lists(st.integers(1, 4), max_size=2)).map(lambda t: (t[0], t[1], *t[2]))


def t64(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


@given(shape=bn_shapes, training=st.booleans(), affine=st.booleans(), seed=seeds,
       momentum=st.floats(0.0, 1.0))
def test_batch_norm_forward_gradients_and_running_stats_match_torch(shape, training, affine,
                                                                   seed, momentum):
    rng = np.random.default_rng(seed)
    C = shape[1]
    x = rng.standard_normal(shape) * 2 + 1
    g = rng.standard_normal(shape)
    w = rng.standard_normal(C) if affine else None
    b = rng.standard_normal(C) if affine else None
    rm, rv = rng.standard_normal(C), rng.uniform(0.5, 2, C)
    rm_t, rv_t = torch.tensor(rm), torch.tensor(rv)  # torch updates its own copies in place
    xt = t64(x, True)
    wt, bt = (t64(w, True), t64(b, True)) if affine else (None, None)
    yt = F.batch_norm(xt, rm_t, rv_t, wt, bt, training=training, momentum=momentum, eps=1e-5)
    yt.backward(torch.tensor(g))

    rm0, rv0 = rm.copy(), rv.copy()
    y = batch_norm(x, rm, rv, w, b, training=training, momentum=momentum, eps=1e-5)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(rm, rm_t.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rv, rv_t.numpy(), rtol=1e-12, atol=1e-12)

    gx, gw, gb = batch_norm_backward(g, x, w, rm0, rv0, training=training, eps=1e-5)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    if affine:
        np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_running_var_uses_unbiased_variance_hand_computed():
    # channel values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased var 14/3
    x = np.array([1.0, 2.0, 3.0, 6.0]).reshape(4, 1)
    rm, rv = np.zeros(1), np.ones(1)
    y = batch_norm(x, rm, rv, training=True, momentum=0.5, eps=0.0)
    np.testing.assert_allclose(rm, [0.5 * 3.0])
    np.testing.assert_allclose(rv, [0.5 + 0.5 * 14 / 3])
    np.testing.assert_allclose(y.ravel(), (x.ravel() - 3) / np.sqrt(3.5))


@pytest.mark.parametrize("ours,theirs,shape", [
    (BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 5)),
    (BatchNorm1d, torch.nn.BatchNorm1d, (6, 3)),
    (BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 7)),
])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_layers_match_torch_over_several_training_steps_then_eval(ours, theirs, shape, momentum):
    rng = np.random.default_rng(0)
    layer = ours(3, momentum=momentum, dtype=np.float64)
    tl = theirs(3, momentum=momentum).double()
    layer.params["weight"][:] = rng.standard_normal(3)
    layer.params["bias"][:] = rng.standard_normal(3)
    copy_into_torch(tl, layer)
    assert set(layer.state_dict()) == set(tl.state_dict())
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        g = rng.standard_normal(shape)
        yt, gxt = torch_forward_backward(tl, x, g)
        np.testing.assert_allclose(layer(x), yt, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(layer.backward(g), gxt, rtol=1e-8, atol=1e-10)
    theirs_sd = tl.state_dict()
    for k, v in layer.state_dict().items():
        np.testing.assert_allclose(v, theirs_sd[k].numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
    assert int(layer.buffers["num_batches_tracked"]) == 4
    np.testing.assert_allclose(layer.grads["weight"], tl.weight.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(layer.grads["bias"], tl.bias.grad.numpy(), rtol=1e-8, atol=1e-10)

    layer.eval(), tl.eval()
    x, g = rng.standard_normal(shape), rng.standard_normal(shape)
    xt = t64(x, True)
    yt = tl(xt)
    yt.backward(torch.tensor(g))
    before = layer.state_dict()
    np.testing.assert_allclose(layer(x), yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.backward(g), xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for k, v in layer.state_dict().items():  # eval never changes the running statistics
        np.testing.assert_array_equal(v, before[k])


@pytest.mark.parametrize("affine,track", [(False, True), (True, False), (False, False)])
def test_batchnorm2d_options_match_torch(affine, track):
    rng = np.random.default_rng(5)
    layer = BatchNorm2d(2, affine=affine, track_running_stats=track, dtype=np.float64)
    tl = torch.nn.BatchNorm2d(2, affine=affine, track_running_stats=track).double()
    assert set(layer.state_dict()) == set(tl.state_dict())
    for mode in ("train", "eval"):
        getattr(layer, mode)(), getattr(tl, mode)()
        x, g = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal((3, 2, 3, 3))
        xt = t64(x, True)
        yt = tl(xt)
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(layer(x), yt.detach().numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(layer.backward(g), xt.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_batchnorm_float32_keeps_dtype_and_matches_torch():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 4, 3, 3)).astype(np.float32)
    layer, tl = BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    y = layer(x)
    assert y.dtype == np.float32 and layer.buffers["running_var"].dtype == np.float32
    np.testing.assert_allclose(y, tl(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.buffers["running_var"], tl.running_var.numpy(), rtol=1e-5)


ln_cases = st.tuples(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(1, 3))


@given(case=ln_cases, affine=st.booleans(), seed=seeds)
def test_layer_norm_matches_torch(case, affine, seed):
    shape, k = case
    k = min(k, len(shape))
    normalized = tuple(shape[len(shape) - k:])
    rng = np.random.default_rng(seed)
    x, g = rng.standard_normal(shape) * 3, rng.standard_normal(shape)
    w = rng.standard_normal(normalized) if affine else None
    b = rng.standard_normal(normalized) if affine else None
    xt = t64(x, True)
    wt, bt = (t64(w, True), t64(b, True)) if affine else (None, None)
    yt = F.layer_norm(xt, normalized, wt, bt, eps=1e-5)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(layer_norm(x, normalized, w, b), yt.detach().numpy(),
                               rtol=1e-10, atol=1e-10)
    gx, gw, gb = layer_norm_backward(g, x, normalized, w)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-8, atol=1e-9)
    if affine:
        np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_layernorm_layer_matches_torch_and_state_dict():
    rng = np.random.default_rng(3)
    layer, tl = LayerNorm((3, 4, 4), dtype=np.float64), torch.nn.LayerNorm((3, 4, 4)).double()
    layer.params["weight"][:] = rng.standard_normal((3, 4, 4))
    copy_into_torch(tl, layer)
    x, g = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((2, 3, 4, 4))
    yt, gxt = torch_forward_backward(tl, x, g)
    np.testing.assert_allclose(layer(x), yt, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.backward(g), gxt, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(layer.grads["weight"], tl.weight.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_bad_inputs_give_clear_errors():
    with pytest.raises(ValueError, match=r"input must be a \(N, C, H, W\) array, got shape \(3, 4, 4\)"):
        BatchNorm2d(3)(np.zeros((3, 4, 4), np.float32))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\) got an input of shape \(2, 4, 5, 5\) with 4 channels"):
        BatchNorm2d(3)(np.zeros((2, 4, 5, 5), np.float32))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        BatchNorm1d(3)(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"running_mean has 2 entries but the input \(4, 3\) has C = 3"):
        batch_norm(np.zeros((4, 3)), np.zeros(2), np.ones(3))
    with pytest.raises(TypeError, match="dtype"):
        BatchNorm1d(3)(np.zeros((4, 3), dtype=np.int64))
    with pytest.raises(ValueError, match=r"normalized_shape \(5,\) must equal the last axes"):
        layer_norm(np.zeros((2, 4)), 5)


def test_layer_norm_float32_keeps_dtype_and_matches_torch():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 2, 4, 4)).astype(np.float32)
    g = rng.standard_normal((3, 2, 4, 4)).astype(np.float32)
    y = layer_norm(x, (2, 4, 4))
    gx, _, _ = layer_norm_backward(g, x, (2, 4, 4))
    assert y.dtype == np.float32 and gx.dtype == np.float32
    xt = torch.tensor(x, requires_grad=True)
    yt = F.layer_norm(xt, (2, 4, 4))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-4, atol=1e-5)
