"""cnn_core.shapes against PyTorch's real layers and against the lecture notes' numbers."""

import math
import warnings

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from cnn_core import shapes
from cnn_core.shapes import ConvSpec, DenseSpec, FlattenSpec, PoolSpec

# --------------------------------------------------------------------------------------
# the oracle: run the real PyTorch layer on a zero tensor and read the shape
# --------------------------------------------------------------------------------------


def torch_conv_size(n, k, s, p, d):
    with torch.no_grad():
        layer = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
        return layer(torch.zeros(1, 1, n, n)).shape[-1]


def torch_pool_size(n, k, s, p, d, ceil_mode):
    with torch.no_grad():
        layer = torch.nn.MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
        return layer(torch.zeros(1, 1, n, n)).shape[-1]


conv_configs = st.tuples(
    st.integers(1, 40),  # n
    st.integers(1, 7),  # kernel
    st.integers(1, 4),  # stride
    st.integers(0, 4),  # padding
    st.integers(1, 3),  # dilation
)


@given(conv_configs)
def test_conv_output_size_floors_like_pytorch(cfg):
    n, k, s, p, d = cfg
    assume(d * (k - 1) + 1 <= n + 2 * p)
    assert shapes.conv_output_size(n, k, s, p, d, strict=False) == torch_conv_size(n, k, s, p, d)


@given(conv_configs)
def test_strict_accepts_exactly_the_configurations_that_fit(cfg):
    n, k, s, p, d = cfg
    assume(d * (k - 1) + 1 <= n + 2 * p)
    fits = (n + 2 * p - d * (k - 1) - 1) % s == 0
    if fits:
        assert shapes.conv_output_size(n, k, s, p, d) == torch_conv_size(n, k, s, p, d)
    else:
        with pytest.raises(ValueError, match="is not a whole number"):
            shapes.conv_output_size(n, k, s, p, d)


@given(st.integers(1, 8), st.integers(1, 3), st.integers(0, 2), st.integers(1, 3), st.integers(0, 3))
def test_a_filter_larger_than_the_padded_input_is_refused_like_pytorch(n, s, p, d, extra):
    k = (n + 2 * p - 1) // d + 2 + extra  # the smallest kernel whose span d(k - 1) + 1 exceeds n + 2p, and larger
    assert d * (k - 1) + 1 > n + 2 * p
    with pytest.raises(RuntimeError):
        torch_conv_size(n, k, s, p, d)
    with pytest.raises(ValueError, match="does not fit"):
        shapes.conv_output_size(n, k, s, p, d, strict=False)


@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 3), st.booleans())
def test_same_padding_keeps_the_size_like_pytorch(n, k, d, use_string):
    span = d * (k - 1) + 1
    if use_string:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's note about a padded copy for even kernels
            out = torch.nn.Conv2d(1, 1, k, padding="same", dilation=d)(torch.zeros(1, 1, n, n)).shape[-1]
        assert shapes.conv_output_size(n, k, padding="same", dilation=d) == out == n
    elif span % 2 == 1:
        p = shapes.same_padding(k, d)
        assert torch_conv_size(n, k, 1, p, d) == n
    else:
        with pytest.raises(ValueError, match="only odd filter sizes"):
            shapes.same_padding(k, d)


@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 4), st.integers(1, 2))
def test_keras_same_padding_gives_ceil_n_over_s_outputs_in_pytorch(n, k, s, d):
    assume(d * (k - 1) + 1 <= n + d * (k - 1))
    before, after = shapes.keras_same_padding(n, k, s, d)
    assert 0 <= after - before <= 1
    x = torch.nn.functional.pad(torch.zeros(1, 1, n, n), (before, after, before, after))
    assume(x.shape[-1] >= d * (k - 1) + 1)
    with torch.no_grad():
        out = torch.nn.functional.conv2d(x, torch.zeros(1, 1, k, k), stride=s, dilation=d).shape[-1]
    assert out == math.ceil(n / s)


@given(st.integers(1, 30), st.integers(1, 6), st.integers(1, 2))
def test_keras_same_padding_at_stride_1_is_pytorchs_same(n, k, d):
    torch.manual_seed(0)
    x, w = torch.randn(1, 1, n, n), torch.randn(1, 1, k, k)
    before, after = shapes.keras_same_padding(n, k, 1, d)
    ours = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (before, after, before, after)), w, dilation=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.functional.conv2d(x, w, padding="same", dilation=d)
    assert torch.allclose(ours, theirs, atol=1e-5)
    if (d * (k - 1)) % 2 == 0:
        assert before == after == shapes.same_padding(k, d)


@given(st.integers(1, 40), st.integers(1, 6), st.one_of(st.none(), st.integers(1, 4)),
       st.integers(0, 3), st.integers(1, 2), st.booleans())
def test_pool_output_size_like_pytorch(n, k, s, p, d, ceil_mode):
    assume(p <= k // 2)
    assume(d * (k - 1) + 1 <= n + 2 * p)
    expected = torch_pool_size(n, k, s, p, d, ceil_mode)
    assert shapes.pool_output_size(n, k, s, p, d, ceil_mode=ceil_mode, strict=False) == expected


def test_pool_padding_larger_than_half_the_window_is_refused_like_pytorch():
    with pytest.raises(RuntimeError):
        torch_pool_size(8, 2, 2, 2, 1, False)
    with pytest.raises(ValueError, match="at most half the window"):
        shapes.pool_output_size(8, 2, padding=2)


@given(st.integers(1, 12), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2),
       st.integers(0, 2), st.integers(1, 2))
def test_conv_transpose_output_size_like_pytorch(n, k, s, p, op, d):
    assume(op < max(s, d))
    layer = torch.nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=op, dilation=d)
    try:
        with torch.no_grad():
            expected = layer(torch.zeros(1, 1, n, n)).shape[-1]
    except RuntimeError:
        expected = None
    if not expected:        # PyTorch refuses, or returns an empty map: the course refuses with a reason
        with pytest.raises(ValueError, match="removes the whole output|output_padding"):
            shapes.conv_transpose_output_size(n, k, s, p, op, d)
        return
    assert shapes.conv_transpose_output_size(n, k, s, p, op, d) == expected


def test_conv_transpose_that_leaves_nothing_is_refused_where_pytorch_returns_an_empty_map():
    layer = torch.nn.ConvTranspose2d(1, 1, 4, padding=2)
    assert layer(torch.zeros(1, 1, 1, 1)).shape[-1] == 0
    with pytest.raises(ValueError, match="padding 2 removes the whole output .*0 pixels left"):
        shapes.conv_transpose_output_size(1, 4, padding=2)


@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 5), st.integers(1, 5),
       st.booleans(), st.sampled_from([1, 2, 4]))
def test_conv_params_equals_pytorch_parameter_count(cin, cout, kh, kw, bias, groups):
    cin, cout = cin * groups, cout * groups
    layer = torch.nn.Conv2d(cin, cout, (kh, kw), bias=bias, groups=groups)
    expected = sum(p.numel() for p in layer.parameters())
    assert shapes.conv_params(cin, cout, (kh, kw), bias=bias, groups=groups) == expected


def test_linear_params_equals_pytorch():
    assert shapes.linear_params(4096, 128) == sum(p.numel() for p in torch.nn.Linear(4096, 128).parameters())


# --------------------------------------------------------------------------------------
# the lecture notes' numbers (computed by hand here, not by the code under test)
# --------------------------------------------------------------------------------------


def test_notes_ten_5x5_filters_on_32x32x3_with_pad_2():
    # seed 002: "each filter has 5*5*3 + 1 = 76 params => 76 * 10 = 760"; output 32x32x10.
    assert shapes.conv_output_size(32, 5, stride=1, padding=2) == 32
    assert shapes.conv_params(3, 10, 5) == 5 * 5 * 3 * 10 + 10 == 760
    table = shapes.layer_table((3, 32, 32), [ConvSpec(10, 5, padding=2)])
    assert table.output_shape == (10, 32, 32)
    assert table.total_params == 760


def test_notes_sixty_four_3x3_kernels_on_rgb():
    # seed 003: "3 x 3 x 3 + 1 = 28 ... 64 kernels -> 28 x 64 = 1792 parameters".
    assert shapes.conv_params(3, 64, 3) == 1792


def test_notes_seven_by_seven_with_stride_three_does_not_fit():
    with pytest.raises(ValueError) as err:
        shapes.conv_output_size(7, 3, stride=3)
    assert str(err.value) == (
        "a 3x3 filter with stride 3 does not fit a 7x7 input: (7 - 3)/3 + 1 = 2.33 is not a whole number"
    )
    # and the two strides that do fit, from the same slide: (7 - 3)/1 + 1 = 5, (7 - 3)/2 + 1 = 3
    assert shapes.conv_output_size(7, 3, stride=1) == 5
    assert shapes.conv_output_size(7, 3, stride=2) == 3


def test_notes_cifar10_network_table():
    # seed 001: 32x32x3 -> conv 32 3x3 same -> pool 2 -> conv 64 3x3 same -> pool 2
    # -> flatten (8*8*64 = 4096) -> dense 128 -> dense 10.
    table = shapes.layer_table((3, 32, 32), [
        ConvSpec(32, 3, padding="same"), PoolSpec(2, 2), ConvSpec(64, 3, padding="same"), PoolSpec(2, 2),
        FlattenSpec(), DenseSpec(128), DenseSpec(10)])
    got = [(shape, params) for _, shape, params, _ in table.rows]
    assert got == [
        ((32, 32, 32), 3 * 3 * 3 * 32 + 32),
        ((32, 16, 16), 0),
        ((64, 16, 16), 3 * 3 * 32 * 64 + 64),
        ((64, 8, 8), 0),
        ((4096,), 0),
        ((128,), 4096 * 128 + 128),
        ((10,), 128 * 10 + 10),
    ]
    text = str(table)
    assert "4096" in text and "524,416" in text and f"total parameters: {table.total_params:,}" in text


def test_summary_matches_a_real_pytorch_model():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, stride=2, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64 * 4 * 4, 10))
    specs = [ConvSpec(32, 3, padding=1), PoolSpec(2), ConvSpec(64, 3, stride=2, padding=1), PoolSpec(2),
             FlattenSpec(), DenseSpec(10)]
    # (16 + 2 - 3)/2 + 1 = 8.5: PyTorch floors, the course's strict arithmetic refuses
    with pytest.raises(ValueError, match="8.5 is not a whole number"):
        shapes.layer_table((3, 32, 32), specs)
    table = shapes.layer_table((3, 32, 32), specs, strict=False)
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 32, 32))
    assert table.output_shape == tuple(out.shape[1:])
    assert table.total_params == sum(p.numel() for p in model.parameters())


def test_summary_names_the_layer_that_does_not_fit():
    with pytest.raises(ValueError, match=r"layer 2\. conv 3x3, 8 filters, stride 3.*does not fit a 7x7"):
        shapes.layer_table((1, 9, 9), [ConvSpec(4, 3), ConvSpec(8, 3, stride=3)])
    with pytest.raises(ValueError, match="add Flatten"):
        shapes.layer_table((1, 8, 8), [DenseSpec(10)])


def test_receptive_field_by_hand():
    # two stacked 3x3 convs see 5x5, three see 7x7 (why VGG stacks 3x3 filters)
    assert shapes.receptive_field([(3, 1), (3, 1)]) == 5
    assert shapes.receptive_field([(3, 1)] * 3) == 7
    # conv 3 s1, pool 2 s2, conv 3 s1: 1 + 2 + 1*1 + 2*2 = 8
    assert shapes.receptive_field([(3, 1), (2, 2), (3, 1)]) == 8
    # a dilated 3x3 (dilation 2) sees 5x5
    assert shapes.receptive_field([(3, 1, 2)]) == 5


def test_receptive_field_of_a_conv_stack_by_gradient():
    # Independent oracle: the input pixels whose gradient reaches one output unit.
    torch.manual_seed(0)
    layers = [(3, 1, 1), (2, 2, 1), (3, 1, 2), (3, 2, 1)]
    convs = [torch.nn.Conv2d(1, 1, k, stride=s, dilation=d, bias=False) for k, s, d in layers]
    for c in convs:
        torch.nn.init.constant_(c.weight, 1.0)
    x = torch.ones(1, 1, 64, 64, requires_grad=True)
    y = torch.nn.Sequential(*convs)(x)
    y[0, 0, y.shape[-2] // 2, y.shape[-1] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    assert shapes.receptive_field(layers) == int(rows.max() - rows.min() + 1)


def test_conv_macs():
    # 32x32 output, 10 filters, each a 5*5*3 = 75-term dot product
    assert shapes.conv_macs(3, 10, 5, 32) == 32 * 32 * 10 * 75
    # depthwise 3x3 on 32 channels: 9 multiply-adds per output value
    assert shapes.conv_macs(32, 32, 3, (16, 16), groups=32) == 16 * 16 * 32 * 9


@pytest.mark.parametrize("bad, err, words", [
    (dict(n=0, kernel_size=3), ValueError, "input size must be positive"),
    (dict(n=7, kernel_size=2.5), ValueError, "kernel_size must be a whole number"),
    (dict(n=7, kernel_size="3"), TypeError, "kernel_size must be a whole number"),
    (dict(n=7, kernel_size=3, stride=0), ValueError, "stride must be positive"),
    (dict(n=7, kernel_size=3, padding=-1), ValueError, "padding must be at least 0"),
    (dict(n=7, kernel_size=3, padding="full"), ValueError, "'same' or 'valid'"),
    (dict(n=7, kernel_size=3, stride=2, padding="same"), ValueError, "only at stride 1"),
    (dict(n=3, kernel_size=5, padding=0), ValueError, "larger than the image"),
])
def test_bad_configurations_get_clear_errors(bad, err, words):
    with pytest.raises(err, match=words):
        shapes.conv_output_size(**bad)


def test_valid_padding_is_zero_padding():
    assert shapes.conv_output_size(6, 3, padding="valid") == 4 == torch_conv_size(6, 3, 1, 0, 1)


def test_lost_pixels_of_the_notes():
    # seed 000: a UHD frame (3840x2160) through 50 unpadded 3x3 layers loses 2 pixels per
    # layer in each dimension: 3840 - 100 by 2160 - 100.
    h, w = 2160, 3840
    for _ in range(50):
        h, w = shapes.conv_output_size(h, 3), shapes.conv_output_size(w, 3)
    assert (h, w) == (2060, 3740)
    lost = 3840 * 2160 - h * w
    assert math.isclose(lost / (3840 * 2160), 1 - (3740 * 2060) / (3840 * 2160))


@pytest.mark.parametrize("n, word", [
    (1, "a"), (7, "a"), (8, "an"), (11, "an"), (18, "an"), (28, "a"), (80, "an"), (88, "an"),
    (100, "a"), (111, "a"), (118, "a"), (224, "a"), (800, "an"), (1100, "a"), (11000, "an"), (18432, "an"),
])
def test_messages_say_a_or_an_as_the_number_is_read_aloud(n, word):
    # "an eight", "an eleven", "an eighteen", "an eleven thousand"; "a hundred and eleven"
    assert shapes.article(n) == word


def test_a_message_about_an_8x8_input_reads_well():
    with pytest.raises(ValueError, match=r"^an 11x11 filter does not fit an 8x8 input: the filter is larger"):
        shapes.conv_output_size(8, 11)


def test_does_not_fit_says_which_kind_of_misfit():
    with pytest.raises(shapes.DoesNotFit, match="stride 3 does not fit a 7x7 input") as leftover:
        shapes.conv_output_size(7, 3, stride=3)
    assert leftover.value.leftover and isinstance(leftover.value, ValueError)
    assert shapes.conv_output_size(7, 3, stride=3, strict=False) == 2          # PyTorch floors
    with pytest.raises(shapes.DoesNotFit, match="the filter is larger than the image") as larger:
        shapes.conv_output_size(2, 3)
    assert not larger.value.leftover
    with pytest.raises(shapes.DoesNotFit, match="a 2x2 window with stride 2") as window:
        shapes.pool_output_size(7, 2)
    assert window.value.leftover and "filter" not in str(window.value)
    with pytest.raises(shapes.DoesNotFit, match="the window is larger than the image"):
        shapes.pool_output_size(1, 2)


def test_both_backends_give_the_same_misfit_with_the_hint_only_where_it_helps():
    import numpy as np

    from cnn_core import reference as R
    from cnn_core import torch_ops as T

    with pytest.raises(shapes.DoesNotFit) as numpy_path:
        R.conv2d(np.zeros((1, 1, 7, 7)), np.zeros((1, 1, 3, 3)), stride=3)
    with pytest.raises(shapes.DoesNotFit) as torch_path:
        T.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), stride=3)
    assert str(numpy_path.value) == str(torch_path.value)
    assert str(numpy_path.value).endswith("pass strict=False to drop the leftover rows and columns as PyTorch does")
    with pytest.raises(shapes.DoesNotFit) as larger:
        R.conv2d(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 3, 3)))
    assert "strict=False" not in str(larger.value)
