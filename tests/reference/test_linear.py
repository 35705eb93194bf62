"""Linear and flatten against torch (forward, autograd gradients, init, errors)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.reference import Flatten, Linear, flatten, flatten_backward, linear, linear_backward
from ._torch import copy_into_torch, torch_forward_backward

dims = st.integers(1, 6)
seeds = st.integers(0, 2**31 - 1)


@given(n=dims, fin=dims, fout=dims, bias=st.booleans(), seed=seeds)
def test_linear_forward_and_gradients_match_torch(n, fin, fout, bias, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((n, fin)), rng.standard_normal((fout, fin))
    b = rng.standard_normal(fout) if bias else None
    g = rng.standard_normal((n, fout))
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    yt = torch.nn.functional.linear(xt, wt, bt)
    yt.backward(torch.tensor(g))

    np.testing.assert_allclose(linear(x, w, b), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    gx, gw, gb = linear_backward(g, x, w, bias)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-10, atol=1e-12)
    if bias:
        np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=1e-10, atol=1e-12)
    else:
        assert gb is None


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=5).map(tuple), data=st.data())
def test_flatten_matches_torch(shape, data):
    nd = len(shape)
    start = data.draw(st.integers(-nd, nd - 1))
    end = data.draw(st.integers(-nd, nd - 1))
    if start % nd > end % nd:
        with pytest.raises(ValueError, match="comes after"):
            flatten(np.zeros(shape), start, end)
        return
    x = np.random.default_rng(0).standard_normal(shape)
    ref = torch.flatten(torch.tensor(x), start, end).numpy()
    y = flatten(x, start, end)
    np.testing.assert_array_equal(y, ref)
    np.testing.assert_array_equal(flatten_backward(y, x.shape), x)


def test_linear_layer_state_dict_matches_torch_outputs_and_grads():
    layer = Linear(5, 3, rng=0)
    tl = torch.nn.Linear(5, 3)
    copy_into_torch(tl, layer)
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    g = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    y = layer(x)
    assert y.dtype == np.float32
    yt, _ = torch_forward_backward(tl, x, g)
    np.testing.assert_allclose(y, yt, rtol=1e-5, atol=1e-6)
    layer.backward(g)
    layer.forward(x)
    layer.backward(g)  # grads accumulate, like .grad in torch
    np.testing.assert_allclose(layer.grads["weight"], 2 * tl.weight.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.grads["bias"], 2 * tl.bias.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_linear_init_has_torch_bounds_and_is_seeded():
    # torch's default: U(-1/sqrt(in), 1/sqrt(in)) for both weight and bias.
    layer = Linear(400, 120, rng=3)
    bound = 1 / np.sqrt(400)
    tl = torch.nn.Linear(400, 120)
    for name in ("weight", "bias"):
        p, pt = layer.params[name], getattr(tl, name).detach().numpy()
        assert p.shape == pt.shape and p.dtype == np.float32
        assert np.abs(p).max() <= bound
        # a uniform on [-b, b] has standard deviation b / sqrt(3); same as torch's draw
        assert abs(p.std() - bound / np.sqrt(3)) < 0.1 * bound
        assert abs(pt.std() - bound / np.sqrt(3)) < 0.1 * bound
    np.testing.assert_array_equal(Linear(400, 120, rng=3).params["weight"], layer.params["weight"])
    assert "bias" not in Linear(3, 2, bias=False).params


def test_flatten_layer_round_trip():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    f = Flatten()
    y = f(x)
    assert y.shape == (2, 60)
    np.testing.assert_array_equal(y, torch.nn.Flatten()(torch.tensor(x)).numpy())
    assert f.backward(y).shape == x.shape


def test_bad_inputs_give_clear_errors():
    w = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"input has 5 features \(shape \(2, 5\)\).*in_features = 4"):
        linear(np.zeros((2, 5)), w)
    with pytest.raises(ValueError, match=r"bias has shape \(2,\).*out_features = 3"):
        linear(np.zeros((2, 4)), w, np.zeros(2))
    with pytest.raises(TypeError, match="dtype int"):
        linear(np.zeros((2, 4), dtype=np.int32), w)
    with pytest.raises(ValueError, match="NaN or inf"):
        linear(np.full((2, 4), np.inf), w)
    with pytest.raises(ValueError, match=r"weight must be a \(out_features, in_features\)"):
        linear(np.zeros((2, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="in_features must be a positive int"):
        Linear(0, 3)
    with pytest.raises(ValueError, match=r"grad_output has shape \(2, 2\).*\(2, 3\)"):
        linear_backward(np.zeros((2, 2)), np.zeros((2, 4)), w)
