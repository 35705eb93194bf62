"""The "why GPUs" explorer against PyTorch: output shapes and parameters from a real
``nn.Conv2d``, multiply-adds from ``torch.utils.flop_counter``, the im2col matrices from
``F.unfold`` (and their product computing the convolution), memory from the tensors'
sizes; and two layers worked out by hand."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnn_core.widgets import gpu_work_explorer

KNOBS = {c.name: c.options for c in gpu_work_explorer().controls()}


def pytorch(batch_size, in_channels, out_channels, size, kernel_size, stride, padding):
    """What PyTorch says about the layer (on the meta device: shapes, no arithmetic), or
    None when it refuses the layer."""
    pad = kernel_size // 2 if padding == "k // 2" else padding       # the option's definition
    with torch.device("meta"):
        conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=pad)
        x = torch.empty(batch_size, in_channels, size, size)
        try:
            with FlopCounterMode(display=False) as counter:
                y = conv(x)
        except RuntimeError:
            return None
        cols = F.unfold(x, kernel_size, padding=pad, stride=stride)    # (N, C*k*k, Ho*Wo)
    nbytes = lambda t: t.numel() * t.element_size()                     # noqa: E731
    return {
        "shape": tuple(y.shape),
        "macs": counter.get_total_flops() // 2,                         # one multiply-add = 2 flops
        "params": sum(p.numel() for p in conv.parameters()),
        "weights": tuple(conv.weight.flatten(1).shape),
        "cols": (cols.shape[1], cols.shape[0] * cols.shape[2]),
        "cols_bytes": nbytes(cols),
        "moved": nbytes(x) + nbytes(conv.weight) + nbytes(conv.bias) + nbytes(y),
        "floored": (size + 2 * pad - kernel_size) % stride != 0,
    }


def check_against_pytorch(ex):
    s = ex.state
    ref = pytorch(**s)
    html = ex.render()
    if ref is None:
        assert ex.output_shape is None and ex.macs is None and ex.intensity is None
        assert "larger than the image" in ex.message and "Does not fit" in html
        return
    assert ex.message == ""
    assert ex.output_shape == ref["shape"]
    assert ex.dot_products == torch.Size(ref["shape"]).numel()
    assert ex.macs == ref["macs"] == ex.dot_products * ex.dot_length
    assert ex.params == ref["params"]
    assert ex.matrices == {"weights": ref["weights"], "cols": ref["cols"],
                           "output": (ref["shape"][1], ref["cols"][1])}
    assert ex.memory["cols"] == ref["cols_bytes"]
    assert ex.bytes_moved == ref["moved"]
    assert ex.intensity == pytest.approx(ref["macs"] / ref["moved"])
    assert f"{ref['macs']:,}" in html and f"{ex.intensity:.3g}" in html
    assert f"{ref['cols'][0]:,} x {ref['cols'][1]:,}" in html
    assert ("floors the output size to" in html) == ref["floored"]


@pytest.mark.parametrize("knob", sorted(KNOBS))
def test_every_value_of_every_knob_matches_pytorch(knob):
    for value in KNOBS[knob]:
        check_against_pytorch(gpu_work_explorer(**{knob: value}))


@given(**{name: st.sampled_from(options) for name, options in KNOBS.items()})
def test_any_layer_matches_pytorch(**knobs):
    check_against_pytorch(gpu_work_explorer(**knobs))


@given(n=st.sampled_from((1, 2, 4)), c=st.sampled_from((1, 3, 8)), k=st.sampled_from((1, 8)),
       size=st.sampled_from((4, 7, 8, 14)), f=st.sampled_from((1, 3, 5)), stride=st.sampled_from((1, 2, 4)),
       padding=st.sampled_from(("k // 2", 0, 1, 2)))
def test_the_matrix_product_shown_computes_the_convolution(n, c, k, size, f, stride, padding):
    ex = gpu_work_explorer(batch_size=n, in_channels=c, out_channels=k, size=size, kernel_size=f,
                           stride=stride, padding=padding)
    if ex.message:
        return
    pad = f // 2 if padding == "k // 2" else padding
    torch.manual_seed(0)
    x, w = torch.randn(n, c, size, size, dtype=torch.float64), torch.randn(k, c, f, f, dtype=torch.float64)
    cols = F.unfold(x, f, padding=pad, stride=stride).transpose(0, 1).flatten(1)   # patches side by side
    weights = w.flatten(1)
    assert (tuple(weights.shape), tuple(cols.shape)) == (ex.matrices["weights"], ex.matrices["cols"])
    product = weights @ cols                                                       # (K, N*Ho*Wo)
    assert tuple(product.shape) == ex.matrices["output"]
    out = product.reshape(k, *ex.output_shape[:1], *ex.output_shape[2:]).transpose(0, 1)
    torch.testing.assert_close(out, F.conv2d(x, w, stride=stride, padding=pad))


def test_resnet_first_stage_by_hand():
    # 16 images of 64 channels, 56x56; 64 filters of 3x3, padding 1 (ResNet-18, first stage)
    ex = gpu_work_explorer()
    assert ex.output_shape == (16, 64, 56, 56)               # (56 + 2 - 3)/1 + 1 = 56
    assert ex.dot_products == 3_211_264                      # 16 * 64 * 56 * 56
    assert ex.dot_length == 576                              # 64 * 3 * 3
    assert ex.macs == 1_849_688_064                          # 3,211,264 * 576
    assert ex.params == 36_928                               # 64 * 576 + 64
    assert ex.matrices == {"weights": (64, 576), "cols": (576, 50_176), "output": (64, 50_176)}
    assert ex.memory == {"input": 12_845_056,                # 16*64*56*56 floats * 4 bytes
                         "weights": 147_712,                 # 36,928 * 4
                         "output": 12_845_056,
                         "cols": 115_605_504}                # 576 * 50,176 * 4: 9 times the input
    assert ex.bytes_moved == 25_837_824
    assert ex.intensity == pytest.approx(71.589, abs=1e-3)   # 1,849,688,064 / 25,837,824
    html = ex.render()
    for text in ("(16, 64, 56, 56)", "1,849,688,064 (1.85 billion)", "576 x 50,176", "116 MB",
                 "9 times the input", "71.6"):
        assert text in html, text
    assert "sit idle" not in html


def test_a_tiny_layer_by_hand():
    # one 4x4 image, one 3x3 filter, no padding: a 2x2 output, 4 dot products of 9 numbers
    ex = gpu_work_explorer(batch_size=1, in_channels=1, out_channels=1, size=4, kernel_size=3, padding=0)
    assert ex.output_shape == (1, 1, 2, 2)
    assert (ex.dot_products, ex.dot_length, ex.macs, ex.params) == (4, 9, 36, 10)
    assert ex.matrices == {"weights": (1, 9), "cols": (9, 4), "output": (1, 4)}
    # bytes: input 16 floats, weights 9 + 1 bias, output 4 -> 30 floats = 120 bytes
    assert ex.bytes_moved == 120 and ex.intensity == pytest.approx(36 / 120)
    assert "most of them would sit idle" in ex.render()


def test_a_stride_that_misses_the_last_pixel_is_floored():
    # (56 - 3)/2 + 1 = 27.5: PyTorch keeps 27 and drops 1 row and column
    ex = gpu_work_explorer(stride=2, padding=0)
    assert ex.output_shape == (16, 64, 27, 27)
    html = ex.render()
    assert "(56 + 2*0 - 3)/2 + 1 = 27 (floored)" in html
    assert "floors the output size to 27 and drops the 1 leftover" in html


def test_a_kernel_larger_than_the_image_is_explained():
    ex = gpu_work_explorer(size=7, kernel_size=11, padding=0)
    assert ex.output_shape is None and ex.macs is None and ex.matrices is None
    assert ex.message == "an 11x11 filter does not fit a 7x7 input: the filter is larger than the image"
    assert "Does not fit: an 11x11 filter" in ex.render()
    ex.update(padding=2)                                     # padded to 11x11: now it fits
    assert ex.output_shape == (16, 64, 1, 1)
    ex.update(padding=1)
    assert "padded to 9x9" in ex.message


@pytest.mark.parametrize("kernel_size", KNOBS["kernel_size"])
def test_half_the_kernel_keeps_the_size_like_pytorch_same(kernel_size):
    ex = gpu_work_explorer(kernel_size=kernel_size, padding="k // 2", size=28)
    same = F.conv2d(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, kernel_size, kernel_size), padding="same")
    assert ex.output_shape[2:] == tuple(same.shape[2:]) == (28, 28)
    assert f"padding {kernel_size // 2} (k // 2)" in ex.render()


def test_too_little_work_for_a_gpu_is_flagged():
    # 8 filters on one 28x28 image: 8 * 28 * 28 = 6,272 dot products, fewer than ~10,000 units
    ex = gpu_work_explorer(batch_size=1, in_channels=3, out_channels=8, size=28)
    assert ex.dot_products == 6_272
    assert "fewer than the 10,000 or so units" in ex.render()
    ex.update(batch_size=2)                                  # 12,544: enough to fill them
    assert "fewer than" not in ex.render()


def test_bad_knob_values_are_refused_and_named():
    ex = gpu_work_explorer()
    with pytest.raises(ValueError, match="batch N must be one of 1, 2, 4"):
        ex.update(batch_size=3)
    with pytest.raises(ValueError, match="no knob 'groups'"):
        ex.update(groups=2)
    assert ex.state["batch_size"] == 16


def test_static_page():
    ex = gpu_work_explorer(stride=2)                        # a live-only knob stays where it is
    knobs, states = ex.static_states()
    assert [(k.name, len(k.options)) for k in knobs] == [("batch_size", 3), ("in_channels", 3),
                                                         ("out_channels", 2), ("size", 3)]
    assert len(states) == 54 and len(set(states.values())) == 54
    assert all("stride 2" in view and "multiply-adds per byte" in view for view in states.values())
    html = ex.static_html()
    assert ex.render() in html
    assert len(html) < 250_000, f"{len(html):,} characters"
