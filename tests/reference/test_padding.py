"""cnn_core.reference.padding against torch.nn.functional.pad and torch autograd."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from cnn_core.reference import pad, pad_backward

MODES = ["constant", "reflect", "replicate", "circular"]


@st.composite
def pad_cases(draw):
    mode = draw(st.sampled_from(MODES))
    two_dims = draw(st.booleans())
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    amounts = tuple(draw(st.integers(0, 4)) for _ in range(4 if two_dims else 2))
    h, w = shape[2:]
    sizes = [w, w, h, h][: len(amounts)]
    if mode == "reflect":
        assume(all(p < n for p, n in zip(amounts, sizes)))
    if mode == "circular":
        assume(all(p <= n for p, n in zip(amounts, sizes)))
    if not two_dims and mode != "constant":
        shape = shape[1:]          # torch pads only the last dim of a 3-d input with a 2-tuple
    return shape, amounts, mode


@given(pad_cases(), st.floats(-3, 3))
def test_pad_and_its_gradient_match_torch(case, value):
    shape, amounts, mode = case
    x = np.random.default_rng(0).standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    kwargs = {"value": value} if mode == "constant" else {}
    expected = F.pad(tx, amounts, mode=mode, **kwargs)
    out = pad(x, amounts, mode=mode, **kwargs)
    np.testing.assert_array_equal(out, expected.detach().numpy())
    g = np.random.default_rng(1).standard_normal(out.shape)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(pad_backward(g, x.shape, amounts, mode), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_constant_padding_of_more_dimensions_and_float32():
    x = np.ones((2, 3, 4), dtype=np.float32)
    out = pad(x, (1, 0, 0, 2, 1, 1), value=5)
    expected = F.pad(torch.tensor(x), (1, 0, 0, 2, 1, 1), value=5).numpy()
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)


def test_the_four_modes_on_the_row_1_2_3():
    """By hand (module docstring): [1 2 3] padded by 2 on each side."""
    row = np.array([[1.0, 2.0, 3.0]])
    assert pad(row, (2, 2)).tolist() == [[0, 0, 1, 2, 3, 0, 0]]
    assert pad(row, (2, 2), "reflect").tolist() == [[3, 2, 1, 2, 3, 2, 1]]
    assert pad(row, (2, 2), "replicate").tolist() == [[1, 1, 1, 2, 3, 3, 3]]
    assert pad(row, (2, 2), "circular").tolist() == [[2, 3, 1, 2, 3, 1, 2]]
    # backward of replicate by hand: the edge pixels collect their copies' gradients
    assert pad_backward(np.ones((1, 7)), (1, 3), (2, 2), "replicate").tolist() == [[3, 1, 3]]


def test_clear_errors():
    x = np.zeros((1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"reflect padding must be smaller than the dimension.*size 3"):
        pad(x, (3, 3, 0, 0), "reflect")
    with pytest.raises(ValueError, match="wrap around at most once"):
        pad(x, (4, 0), "circular")
    with pytest.raises(ValueError, match="even length"):
        pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match="zero or positive"):
        pad(x, (-1, 1))
    with pytest.raises(ValueError, match="unknown padding mode 'mirror'"):
        pad(x, (1, 1), "mirror")
    with pytest.raises(ValueError, match="at most the last 2 dimensions"):
        pad(x, (1, 1, 1, 1, 1, 1), "reflect")
    with pytest.raises(ValueError, match="pads 5 dimensions but the input has only 4"):
        pad(x, (1,) * 10)
    with pytest.raises(TypeError, match="dtype int64"):
        pad(np.zeros((2, 2), dtype=np.int64), (1, 1))
    with pytest.raises(ValueError, match=r"grad_output has shape \(1, 1, 3, 3\).*gives \(1, 1, 5, 5\)"):
        pad_backward(np.zeros((1, 1, 3, 3)), (1, 1, 3, 3), (1, 1, 1, 1))
