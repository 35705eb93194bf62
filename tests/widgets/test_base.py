"""The machinery every explorer shares: knobs, the live widget, the static page, Jupyter's bundle."""

import json
import re

import pytest

from cnn_core.widgets import Control, Explorer


class Square(Explorer):
    """A toy explorer: n -> n squared, with a knob whose range depends on another."""

    static_controls = ("n", "show")

    def controls(self):
        return [Control("n", "n", (1, 2, 3)),
                Control("show", "show the square", (False, True), "toggle"),
                Control("unit", "unit", tuple(range(self.state["n"])), "dropdown")]

    def defaults(self):
        return {"n": 2, "show": True}

    def _check(self):
        self.state["unit"] = min(self.state["unit"], self.state["n"] - 1)

    def render(self):
        n = self.state["n"]
        return f"<p>n = {n}" + (f", n squared = {n * n}" if self.state["show"] else "") + "</p>"


def test_defaults_and_first_options():
    ex = Square()
    assert ex.state == {"n": 2, "show": True, "unit": 0}
    assert repr(ex) == "Square(n=2, show=True, unit=0)"


def test_update_checks_names_and_values():
    ex = Square()
    with pytest.raises(ValueError, match="Square has no knob 'm'; its knobs are: n, show, unit"):
        ex.update(m=1)
    with pytest.raises(ValueError, match="n must be one of 1, 2, 3; got 4"):
        ex.update(n=4)
    with pytest.raises(ValueError, match="show the square must be one of False, True; got 1"):
        ex.update(show=1)                         # True, not 1
    assert ex.state["n"] == 2
    ex.update(n=3, unit=2)                        # the range of unit follows n in the same call
    ex.update(n=1)
    assert ex.state["unit"] == 0                  # clamped by _check


def test_live_widget():
    ex = Square()
    box = ex.widget()
    assert ex.widget() is box
    live = ex._live
    assert live.view.value == "<p>n = 2, n squared = 4</p>"
    live.knobs["n"].value = 3
    assert live.view.value == "<p>n = 3, n squared = 9</p>"
    assert [v for _, v in live.knobs["unit"].options] == [0, 1, 2]
    live.knobs["show"].value = False
    assert live.view.value == "<p>n = 3</p>"
    ex.update(n=1)                                # a change from code, then refresh()
    ex.refresh()
    assert live.knobs["n"].value == 1 and live.view.value == "<p>n = 1</p>"


def test_static_html_holds_every_state_once():
    ex = Square()
    html = ex.static_html()
    data = json.loads(re.search(r'<script type="application/json" class="cnnx-data">(.*?)</script>', html).group(1))
    assert len(data["keys"]) == 6                 # 3 values of n x 2 of show
    assert len(data["views"]) == 6
    assert data["views"][data["keys"]["2|0"]] == "<p>n = 3</p>"       # n index 2 (= 3), show False
    assert '<div class="cnnx-view"><p>n = 2, n squared = 4</p></div>' in html   # the current state first
    assert 'type="checkbox" data-knob="show" checked' in html
    assert 'type="range" min="0" max="2" value="1" data-knob="n"' in html
    assert ex.state == {"n": 2, "show": True, "unit": 0}


def test_script_content_cannot_close_the_script_tag():
    class Evil(Square):
        def render(self):
            return "</script><script>alert(1)</script>"
    html = Evil().static_html()
    payload = re.search(r'class="cnnx-data">(.*?)</script>', html, re.S).group(1)
    assert "</script>" not in payload and "<\\/script>" in payload


def test_too_many_static_states_is_refused():
    class Big(Square):
        max_static_states = 5
    with pytest.raises(ValueError, match="6 static states is more than max_static_states=5"):
        Big().static_html()


def test_jupyter_gets_the_widget_and_the_static_html():
    bundle = Square()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "application/vnd.jupyter.widget-view+json"}
    assert "n squared = 4" in bundle["text/html"]


def test_the_current_value_is_always_offered_on_the_static_page():
    class Few(Square):
        def controls(self):
            return [Control("n", "n", (1, 2, 3), static_options=(1, 3)),
                    Control("show", "show the square", (False, True), "toggle"),
                    Control("unit", "unit", tuple(range(self.state["n"])), "dropdown")]
    knobs, states = Few().static_states()          # n = 2 is not a static option, but it is shown
    assert knobs[0].options == (1, 2, 3) and len(states) == 6
    assert 'type="range" min="0" max="2" value="1" data-knob="n"' in Few().static_html()
