"""The convolution explorer: what it shows agrees with PyTorch and with hand arithmetic."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.widgets import conv_explorer
from cnn_core.widgets._draw import fmt
from cnn_core.widgets.convolution import STATIC_IMAGES
from cnn_core.widgets.examples import KERNELS, image, kernel

SMALL_IMAGES = ["notes 6x6 (set 001)", "notes vertical-edge 6x6 (set 004)", "notes 3x3 (0..8)",
                "letter O (set 000)", "digit 8x8 (scikit-learn)"]
TORCH_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def torch_feature_map(img, k, stride, padding, mode, dilation):
    x = torch.tensor(img)[None, None]
    if padding:
        x = F.pad(x, (padding,) * 4, mode=TORCH_MODES[mode])
    return F.conv2d(x, torch.tensor(k)[None, None], stride=stride, dilation=dilation)[0, 0].numpy()


def test_default_state_is_the_notes_first_window():
    ex = conv_explorer()
    # by hand: 2*1 + 4*2 + 5*1 + 0 + 2*1 + 3*2 + 1*1 = 24 (the notes print 23)
    assert ex.arithmetic == "Y[0,0] = (2x1) + (4x2) + (5x1) + (3x0) + (1x0) + (2x0) + (2x1) + (3x2) + (1x1) = 24"
    assert ex.output.shape == (4, 4)
    html = ex.render()
    assert ex.arithmetic in html and "feature map 4x4" in html


@given(img=st.sampled_from(SMALL_IMAGES), kname=st.sampled_from(sorted(KERNELS)), stride=st.sampled_from([1, 2, 3]),
       padding=st.sampled_from([0, 1, 2]), mode=st.sampled_from(sorted(TORCH_MODES)),
       dilation=st.sampled_from([1, 2, 3]), data=st.data())
def test_feature_map_and_arithmetic_match_pytorch(img, kname, stride, padding, mode, dilation, data):
    ex = conv_explorer(image=img, kernel=kname)
    ex.update(stride=stride, padding=padding, padding_mode=mode, dilation=dilation)
    k, x = kernel(kname), image(img)
    span = dilation * (k.shape[0] - 1) + 1
    if span > x.shape[0] + 2 * padding:
        assert ex.output_size() is None
        assert "does not fit" in ex.render()
        return
    if mode == "reflect" and padding >= x.shape[0]:
        assert "reflect" in ex.render()          # the reference's error, shown instead of a drawing
        return
    expected = torch_feature_map(x, k, stride, padding, mode, dilation)
    np.testing.assert_allclose(ex.output, expected, rtol=1e-10, atol=1e-10)
    row = data.draw(st.integers(0, expected.shape[0] - 1))
    col = data.draw(st.integers(0, expected.shape[1] - 1))
    ex.update(row=row, col=col)
    total = float(ex.arithmetic.rsplit("= ", 1)[1])
    assert total == pytest.approx(expected[row, col], abs=1e-3)
    assert ex.arithmetic in ex.render()
    # the window is the padded image cut with the dilation's step, found independently
    padded = np.pad(x, padding, mode={"zeros": "constant", "reflect": "reflect", "replicate": "edge",
                                      "circular": "wrap"}[mode])
    r0, c0 = row * stride, col * stride
    np.testing.assert_array_equal(ex.window, padded[r0:r0 + span:dilation, c0:c0 + span:dilation])
    fits = (x.shape[0] + 2 * padding - span) % stride == 0
    assert (ex.fit_message() == "") == fits


def test_stride_that_does_not_fit_is_explained_and_floored():
    ex = conv_explorer().update(stride=2)
    # (6 - 3)/2 + 1 = 2.5: PyTorch keeps 2 positions
    assert "2.5 is not a whole number" in ex.fit_message()
    assert ex.output.shape == (2, 2)
    assert "PyTorch drops the leftover rows and columns" in ex.render()


def test_position_is_clamped_when_the_output_shrinks():
    ex = conv_explorer().update(row=3, col=3)
    ex.update(stride=3)
    assert (ex.state["row"], ex.state["col"]) == (1, 1)
    with pytest.raises(ValueError, match="output row must be one of 0, 1"):
        ex.update(row=2)


def test_custom_kernel_from_text_and_array():
    ex = conv_explorer(kernel=np.array([[1.0, -1.0]]))
    assert ex.state["kernel"] == "custom" and ex.output.shape == (6, 5)
    ex.set_kernel("0 0 0; 0 1 0; 0 0 0")            # the identity kernel copies the centre pixels
    np.testing.assert_array_equal(ex.output, image("notes 6x6 (set 001)")[1:5, 1:5])
    with pytest.raises(ValueError, match="rows of numbers separated by ';'"):
        ex.set_kernel("1 2; a b")
    with pytest.raises(ValueError, match="same number of values"):
        ex.set_kernel("1 2 3; 4 5")


def test_bad_knobs_are_refused_with_the_allowed_values():
    ex = conv_explorer()
    with pytest.raises(ValueError, match="has no knob 'strides'"):
        ex.update(strides=2)
    with pytest.raises(ValueError, match="stride must be one of 1, 2, 3; got 5"):
        ex.update(stride=5)
    assert ex.state["stride"] == 1                   # a refused update changes nothing


def test_photo_is_drawn_as_a_picture():
    ex = conv_explorer(image="photo 32x32 (camera)", kernel="vertical edge")
    assert ex.output.shape == (30, 30)
    assert "data:image/png;base64," in ex.render()


def test_live_widget_follows_its_knobs():
    ex = conv_explorer()
    ex.widget()
    live = ex._live
    live.knobs["stride"].value = 2
    assert ex.state["stride"] == 2
    assert [v for _, v in live.knobs["row"].options] == [0, 1]       # the output is 2x2 now
    live.knobs["col"].value = 1
    assert ex.arithmetic in live.view.value and ex.arithmetic.endswith("= 32")   # 5+12+2+1+6+6 by hand
    edit = ex.widget().children[1]
    edit.value = "1 0 -1; 1 0 -1; 1 0 -1"
    assert ex.state["kernel"] == "custom" and "kernel 3x3" in live.view.value
    edit.value = "nonsense"
    assert "rows of numbers" in live.error.value


def test_static_page_has_every_image_kernel_stride_padding_and_dilation():
    ex = conv_explorer()
    knobs, states = ex.static_states()
    assert [k.name for k in knobs] == ["image", "kernel", "stride", "padding", "dilation"]
    assert len(states) == len(STATIC_IMAGES) * len(KERNELS) * 2 * 2 * 2
    html = ex.static_html()
    assert 'data-knob="stride"' in html and 'data-client="row"' in html and 'data-client="col"' in html
    assert ex.state["stride"] == 1                  # rendering the states leaves the state alone
    assert len(html) < 400_000, f"{len(html):,} characters is heavy for a page"


def test_static_view_holds_every_window_of_the_feature_map():
    ex = conv_explorer()
    view = ex.render_static()
    # 4x4 positions: a window on the input, a cell on the feature map, a line of arithmetic each
    assert view.count('data-cnnx-when="row=') == 3 * 16
    assert view.count("display:none") == 3 * 15     # only the current one is shown
    ex.update(row=2, col=1)
    assert ex.arithmetic in ex.render_static() and ex.arithmetic in ex.render()


def test_a_picture_offers_a_few_windows_and_their_sums():
    ex = conv_explorer(image="photo 32x32 (camera)", kernel="vertical edge")
    rows = ex.client_options("row")
    assert rows[0] == 0 and rows[-1] == 29 and len(rows) == 5
    view = ex.render_static()
    assert f"Y[29,29] = {fmt(ex.output[29, 29], 4)}" in view


def test_dilation_is_drawn_and_explained():
    ex = conv_explorer().update(dilation=2)
    assert ex.output.shape == (2, 2)
    assert "pixels 2 apart, in a 5x5 window" in ex.render()
    assert ex.render().count('stroke-width="1.5"') == 1          # one path: the nine sampled cells
    assert "pixels 2 apart" not in conv_explorer().render()


def test_padding_modes_on_the_static_page():
    ex = conv_explorer(padding=1).with_static_knobs("image", "kernel", "padding", "padding_mode")
    knobs, states = ex.static_states()
    assert [k.name for k in knobs] == ["image", "kernel", "padding", "padding_mode"]
    views = {states[(0, 0, 1, m)] for m in range(4)}           # notes 6x6, padding 1, each mode
    assert len(views) == 4                                       # every mode draws another border
    assert "no border" in states[(0, 0, 0, 2)]                  # padding 0: the mode has nothing to fill
    with pytest.raises(ValueError, match="has no knob 'paddings'"):
        ex.with_static_knobs("paddings")


def test_numbers_never_run_together():
    ex = conv_explorer(kernel="blur (box 3x3)")
    html = ex.render()
    assert re.search(r"2\.56</text> <text", html)               # separate texts, space between
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', html)]
    assert min(widths) >= 26 and max(widths) >= 30              # the feature map's cells fit "2.56"
