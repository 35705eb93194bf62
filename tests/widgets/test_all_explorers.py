"""Every explorer, driven through its live widget the way a reader would: each knob moved to
its last value, and what the widget shows is the model's rendering of the new state."""

import pytest
import torch

import cnn_core.widgets as W
from cnn_core.widgets._base import read_static_states
from cnn_core.widgets.feature_maps import digit_examples, small_cnn


def make(name):
    if name == "feature_map_explorer":
        torch.manual_seed(0)
        return W.feature_map_explorer(small_cnn(), *digit_examples())
    if name == "shift_explorer":                    # two untrained models: the knobs are the point here
        torch.manual_seed(0)
        images, labels = digit_examples()
        images, labels = images[[1, 4, 8]], labels[[1, 4, 8]]          # three digits, as on chapter 1's page
        dense = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(images[0].size, 10))
        return W.shift_explorer({"dense": dense, "CNN": small_cnn()}, images, labels)
    return getattr(W, name)()


NAMES = ["conv_explorer", "output_size_calculator", "pooling_explorer", "activation_explorer",
         "normalization_explorer", "dropout_explorer", "receptive_field_explorer", "feature_map_explorer",
         "transfer_explorer", "shift_explorer", "error_analysis_explorer", "gpu_work_explorer"]


@pytest.mark.parametrize("name", NAMES)
def test_every_knob_of_the_live_widget(name):
    ex = make(name)
    ex.widget()
    live = ex._live
    first = live.view.value
    assert first == ex.render() and len(first) > 100          # a meaningful drawing, not an empty box
    changed = False
    for name in [c.name for c in ex.controls()]:
        c = {c.name: c for c in ex.controls()}[name]          # ranges may follow earlier knobs
        knob = live.knobs[c.name]
        target = (not knob.value) if c.kind == "toggle" else c.options[-1]
        knob.value = target
        assert ex.state[c.name] == target or c.name in ("row", "col"), (c.name, ex.state)
        assert live.error.value == ""
        assert live.view.value == ex.render()
        changed |= live.view.value != first
    assert changed


@pytest.mark.parametrize("name", NAMES)
def test_static_html_starts_with_the_current_state(name):
    ex = make(name)
    html = ex.static_html()
    current = ex.render_static()
    assert current in html or html == f'<div class="cnn-explorer">{ex.render()}</div>'
    if ex.static_controls or ex.client_controls:
        # every pre-rendered state is a drawing (or says why that combination cannot be shown)
        views = read_static_states(html)["views"]
        assert all(len(v) > 100 for v in views) and any(current in v for v in views)
    assert len(html) < 300_000, f"{name}: {len(html):,} characters is heavy for a page"
