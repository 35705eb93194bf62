"""The teaching im2col convolution against PyTorch's own convolution and autograd."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from cnn_core.shapes import conv_output_size
from cnn_core.torch_ops import col2im, conv2d_im2col, conv2d_im2col_backward, im2col


@st.composite
def conv_configs(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c = groups * draw(st.integers(1, 2))
    o = groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 9))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 9))
    n = draw(st.integers(1, 2))
    mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
    if mode != "zeros":       # torch's reflect padding must be smaller than the dimension
        ph, pw = min(ph, h - 1), min(pw, w - 1)
        assume(dh * (kh - 1) + 1 <= h + 2 * ph and dw * (kw - 1) + 1 <= w + 2 * pw)
    return dict(n=n, c=c, h=h, w=w, o=o, k=(kh, kw), stride=(sh, sw), padding=(ph, pw),
                dilation=(dh, dw), groups=groups, padding_mode=mode, bias=draw(st.booleans()))


def oracle(x, w, b, cfg):
    """PyTorch's conv (padding done by F.pad for the non-zero modes) and its autograd."""
    ph, pw = cfg["padding"]
    if cfg["padding_mode"] != "zeros":
        xp, padding = F.pad(x, (pw, pw, ph, ph), mode=cfg["padding_mode"]), 0
    else:
        xp, padding = x, cfg["padding"]
    return F.conv2d(xp, w, b, cfg["stride"], padding, cfg["dilation"], cfg["groups"])


@given(conv_configs())
def test_forward_and_backward_match_pytorch(cfg):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(cfg["n"], cfg["c"], cfg["h"], cfg["w"], generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.randn(cfg["o"], cfg["c"] // cfg["groups"], *cfg["k"], generator=g, dtype=torch.float64,
                    requires_grad=True)
    b = torch.randn(cfg["o"], generator=g, dtype=torch.float64, requires_grad=True) if cfg["bias"] else None
    args = (cfg["stride"], cfg["padding"], cfg["dilation"], cfg["groups"])
    expected = oracle(x, w, b, cfg)
    # the output size is the course's formula, floored (strict=False)
    for axis in (0, 1):
        assert expected.shape[2 + axis] == conv_output_size(
            (cfg["h"], cfg["w"])[axis], cfg["k"][axis], cfg["stride"][axis], cfg["padding"][axis],
            cfg["dilation"][axis], strict=False)
    out = conv2d_im2col(x, w, b, *args, padding_mode=cfg["padding_mode"], strict=False)
    torch.testing.assert_close(out, expected, rtol=1e-10, atol=1e-10)

    go = torch.randn(expected.shape, generator=g, dtype=torch.float64)
    want = torch.autograd.grad(expected, [x, w] + ([b] if b is not None else []), go)
    got = conv2d_im2col_backward(go, x.detach(), w.detach(), *args, padding_mode=cfg["padding_mode"],
                                 bias=cfg["bias"], strict=False)
    for name, a, e in zip(("input", "weight", "bias"), got, want):
        torch.testing.assert_close(a, e, rtol=1e-10, atol=1e-10, msg=lambda m: f"grad_{name}: {m}")
    assert (got[2] is None) == (b is None)


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
def test_float32_tolerance_and_same_padding():
    g = torch.Generator().manual_seed(1)
    x, w = torch.randn(2, 3, 10, 10, generator=g), torch.randn(5, 3, 4, 4, generator=g)
    out = conv2d_im2col(x, w, padding="same")
    assert out.shape == (2, 5, 10, 10)
    torch.testing.assert_close(out, F.conv2d(x, w, padding="same"), rtol=1e-5, atol=1e-5)


def test_im2col_columns_are_the_patches_and_col2im_adds_overlaps():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    cols = im2col(x, 2, stride=2)
    # the notes' picture: the top-left 2x2 patch is [0 1; 4 5]
    assert cols.shape == (1, 4, 4) and cols[0, :, 0].tolist() == [0, 1, 4, 5]
    # col2im of ones with 3x3 windows, stride 1, on a 4x4 image counts the windows covering each pixel
    counts = col2im(torch.ones(1, 9, 4), (4, 4), 3)
    assert counts[0, 0].tolist() == [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]


def test_teaching_errors():
    with pytest.raises(ValueError, match=r"\(7 - 3\)/3 \+ 1 = 2.33 is not a whole number"):
        conv2d_im2col(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), stride=3)
    # the reference's words (conv_geometry), not a third wording of the same check
    with pytest.raises(ValueError, match=r"conv2d_im2col: groups=2 must divide the 3 input channels"):
        conv2d_im2col(torch.zeros(1, 3, 5, 5), torch.zeros(2, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"expects an input with 2\*1 = 2 channels, but the input \(1, 3, 5, 5\) has 3"):
        conv2d_im2col(torch.zeros(1, 3, 5, 5), torch.zeros(2, 2, 3, 3))
    with pytest.raises(ValueError, match="must be a \\(N, C, H, W\\) tensor"):
        conv2d_im2col(torch.zeros(3, 5, 5), torch.zeros(2, 3, 3, 3))
    with pytest.raises(ValueError, match="grad_output has shape"):
        conv2d_im2col_backward(torch.zeros(1, 2, 4, 4), torch.zeros(1, 3, 5, 5), torch.zeros(2, 3, 3, 3))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_runs_on_cuda():
    x, w = torch.randn(2, 4, 9, 9, device="cuda"), torch.randn(6, 2, 3, 3, device="cuda")
    out = conv2d_im2col(x, w, stride=2, padding=1, groups=2)
    torch.testing.assert_close(out, F.conv2d(x, w, stride=2, padding=1, groups=2), rtol=1e-4, atol=1e-4)
