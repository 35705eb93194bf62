"""SGD and Adam against torch.optim over several steps, with the same gradients."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.reference import SGD, Adam, Linear, Sequential, ReLU

seeds = st.integers(0, 2**31 - 1)
STEPS = 6


def run_both(ours_cls, torch_cls, kwargs, seed):
    """Apply the same random gradient sequence with both optimizers; return both params."""
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 1, 3)]
    params = [rng.standard_normal(s) for s in shapes]
    grads = [np.zeros_like(p) for p in params]
    tparams = [torch.nn.Parameter(torch.tensor(p)) for p in params]
    ours = ours_cls(list(zip(params, grads)), **kwargs)
    theirs = torch_cls(tparams, **kwargs)
    for _ in range(STEPS):
        for g, tp in zip(grads, tparams):
            new = rng.standard_normal(g.shape)
            g[...] = new            # in place: the optimizer holds these arrays
            tp.grad = torch.tensor(new)
        ours.step()
        theirs.step()
    return params, [tp.detach().numpy() for tp in tparams]


@given(lr=st.floats(1e-3, 0.5), momentum=st.sampled_from([0.0, 0.5, 0.9]),
       dampening=st.sampled_from([0.0, 0.3]), weight_decay=st.sampled_from([0.0, 1e-2]),
       nesterov=st.booleans(), seed=seeds)
def test_sgd_matches_torch(lr, momentum, dampening, weight_decay, nesterov, seed):
    if nesterov and (momentum == 0 or dampening != 0):
        with pytest.raises(ValueError, match="Nesterov"):
            SGD([(np.zeros(1), np.zeros(1))], lr, momentum, dampening, weight_decay, nesterov)
        return
    kwargs = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                  nesterov=nesterov)
    ours, theirs = run_both(SGD, torch.optim.SGD, kwargs, seed)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-12)


@given(lr=st.floats(1e-4, 0.1), beta1=st.sampled_from([0.0, 0.9]),
       beta2=st.sampled_from([0.9, 0.999]), eps=st.sampled_from([1e-8, 1e-3]),
       weight_decay=st.sampled_from([0.0, 0.1]), seed=seeds)
def test_adam_matches_torch(lr, beta1, beta2, eps, weight_decay, seed):
    kwargs = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    ours, theirs = run_both(Adam, torch.optim.Adam, kwargs, seed)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)


def test_optimizers_update_a_model_in_place_and_zero_grad():
    model = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    w = model[0].params["weight"]
    before = w.copy()
    opt = SGD(model.parameters(), lr=0.1)
    model(np.ones((5, 3), np.float32))
    model.backward(np.ones((5, 2), np.float32))
    expected = before - 0.1 * model[0].grads["weight"]
    opt.step()
    assert model[0].params["weight"] is w
    np.testing.assert_allclose(w, expected, rtol=1e-6)
    opt.zero_grad()
    assert all(not g.any() for _, g in model.parameters())


def test_float32_parameters_stay_float32():
    p, g = np.ones(3, np.float32), np.full(3, 0.5, np.float32)
    Adam([(p, g)], lr=0.1, weight_decay=0.1).step()
    SGD([(p, g)], lr=0.1, momentum=0.9, nesterov=True).step()
    assert p.dtype == np.float32


def test_bad_arguments_give_clear_errors():
    with pytest.raises(TypeError, match=r"list of \(param, grad\) pairs; item 0 is a ndarray"):
        SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(2,\)"):
        SGD([(np.zeros(3), np.zeros(2))], lr=0.1)
    with pytest.raises(ValueError, match="learning rate must be >= 0"):
        Adam([(np.zeros(3), np.zeros(3))], lr=-1)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match=r"betas must lie in \[0, 1\)"):
        Adam([(np.zeros(3), np.zeros(3))], betas=(0.9, 1.0))
