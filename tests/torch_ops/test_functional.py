"""The forward functions: the course's ``strict`` check, padding modes, dropout's arguments."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from cnn_core import shapes
from cnn_core import torch_ops as T


@given(n=st.integers(3, 12), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 2))
def test_strict_conv_accepts_exactly_what_cnn_core_shapes_accepts(n, k, s, p):
    x, w = torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k)
    try:
        size = shapes.conv_output_size(n, k, s, p, strict=True)
    except ValueError as err:
        with pytest.raises(ValueError) as ours:
            T.conv2d(x, w, stride=s, padding=p)
        assert str(err) in str(ours.value)
        if k <= n + 2 * p:    # fits but leaves pixels over: strict=False floors like PyTorch
            assert T.conv2d(x, w, stride=s, padding=p, strict=False).shape == F.conv2d(x, w, stride=s,
                                                                                         padding=p).shape
    else:
        assert T.conv2d(x, w, stride=s, padding=p).shape[-1] == size


def test_strict_error_names_the_axis_and_the_fix():
    with pytest.raises(ValueError, match=r"conv2d: input of shape \(1, 1, 7, 8\), along the width: .*"
                                         r"pass strict=False"):
        T.conv2d(torch.zeros(1, 1, 7, 8), torch.zeros(1, 1, 3, 3), stride=(1, 2))
    with pytest.raises(ValueError, match="along the height"):
        T.avg_pool2d(torch.zeros(1, 1, 5, 4), 2)
    assert T.max_pool2d(torch.zeros(1, 1, 5, 4), 2, strict=False).shape == (1, 1, 2, 2)
    assert T.max_pool2d(torch.zeros(1, 1, 5, 4), 2, ceil_mode=True).shape == (1, 1, 3, 2)


def test_padding_modes_match_explicit_padding():
    g = torch.Generator().manual_seed(0)
    x, w = torch.randn(1, 2, 5, 6, generator=g), torch.randn(3, 2, 3, 3, generator=g)
    for mode in ("reflect", "replicate", "circular"):
        want = F.conv2d(F.pad(x, (1, 1, 1, 1), mode=mode), w)
        torch.testing.assert_close(T.conv2d(x, w, padding=1, padding_mode=mode), want)
        torch.testing.assert_close(T.conv2d(x, w, padding="same", padding_mode=mode), want)


def test_torch_path_refuses_numpy_arrays_with_a_hint():
    with pytest.raises(TypeError, match="torch.from_numpy"):
        T.conv2d(np.zeros((1, 1, 3, 3)), torch.zeros(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"add a batch axis with x\[None\]"):
        T.max_pool2d(torch.zeros(1, 4, 4), 2)


def test_dropout_arguments():
    x = torch.ones(1000)
    assert torch.equal(T.dropout(x, 0.5, training=False), x)
    out, mask = T.dropout(x, 0.0, return_mask=True)
    assert torch.equal(out, x) and torch.equal(mask, torch.ones(1000))
    assert torch.equal(T.dropout(x, 1.0, rng=0), torch.zeros(1000))
    a = T.dropout(x, 0.5, rng=torch.Generator().manual_seed(3))
    b = T.dropout(x, 0.5, rng=3)
    assert torch.equal(a, b)                                    # a seed and a generator seeded alike agree
    assert set(T.dropout(x, 0.5).unique().tolist()) <= {0.0, 2.0}  # the F.dropout fast path
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        T.dropout(x, 1.5)
    with pytest.raises(TypeError, match="NumPy Generator belongs to the NumPy reference"):
        T.dropout_mask((3,), 0.5, rng=np.random.default_rng(0))
    assert T.dropout_mask((2, 2), 0.5, rng=0, dtype=np.float64).dtype == torch.float64


def test_penalties_and_flatten_defaults():
    w = [torch.tensor([1.0, -2.0]), torch.tensor([[3.0]])]
    assert T.l1_penalty(w).item() == 6.0 and T.l2_penalty(w).item() == 14.0
    assert T.flatten(torch.zeros(2, 3, 4, 5)).shape == (2, 60)       # the batch axis is kept


@pytest.mark.parametrize("value", [np.int64(2), (np.int32(2), 2), [2, np.int64(2)]])
def test_numpy_integers_are_accepted_as_sizes_as_in_the_reference(value):
    from cnn_core import reference as R
    x = np.random.default_rng(0).standard_normal((1, 1, 6, 6)).astype(np.float32)
    w = np.ones((1, 1, 2, 2), dtype=np.float32)
    ours = T.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=value, padding=value)
    np.testing.assert_allclose(ours.numpy(), R.conv2d(x, w, stride=value, padding=value), rtol=1e-5)
    assert T.max_pool2d(torch.from_numpy(x), value).shape == R.max_pool2d(x, value).shape


def test_a_bool_or_a_float_is_still_refused_as_a_size():
    with pytest.raises(TypeError, match="must be an int or a pair of ints"):
        T.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 2, 2), stride=True)
    with pytest.raises(TypeError, match="must be an int or a pair of ints"):
        T.max_pool2d(torch.zeros(1, 1, 4, 4), 2.0)
