"""The machinery every explorer shares: knobs, the live widget, the static page, Jupyter's bundle."""

import json
import re

import pytest

from cnn_core.widgets import Control, Explorer
from cnn_core.widgets._base import read_static_states
from cnn_core.widgets._draw import variant, when


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


def state(view: str) -> str:
    return f'<div class="cnnx-state" data-cnnx-client="{{}}">{view}</div>'


def test_static_html_holds_every_state_once():
    ex = Square()
    html = ex.static_html()
    data = read_static_states(html)
    assert len(data["keys"]) == 6                 # 3 values of n x 2 of show
    assert len(data["views"]) == 6
    assert data["views"][data["keys"]["2|0"]] == state("<p>n = 3</p>")       # n index 2 (= 3), show False
    assert f'<div class="cnnx-view">{state("<p>n = 2, n squared = 4</p>")}</div>' in html   # the current state first
    assert 'type="checkbox" data-knob="show" checked' in html
    assert 'type="range" min="0" max="2" value="1" data-knob="n"' in html
    assert ex.state == {"n": 2, "show": True, "unit": 0}


def test_script_content_cannot_close_the_script_tag():
    class Evil(Square):
        def render(self):
            return "</script><script>alert(1)</script>"
    html = Evil().static_html()
    payload = re.search(r'class="cnnx-data">(.*?)</script>', html, re.S).group(1)
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", payload)          # base64: nothing can close the tag
    assert read_static_states(html)["views"][0] == state("</script><script>alert(1)</script>")


def test_refused_combinations_explain_themselves():
    class Picky(Square):
        def _check(self):
            super()._check()
            if self.state["n"] == 3 and not self.state["show"]:
                raise ValueError("3 wants to be seen")
    data = read_static_states(Picky().static_html())
    assert len(data["keys"]) == 6 and "3 wants to be seen" in data["views"][data["keys"]["2|0"]]


class Walk(Explorer):
    """A toy explorer with a knob the browser turns inside one state: a position on a line."""

    static_controls = ("n",)
    client_controls = ("at",)

    def defaults(self):
        return {"n": 2, "at": 0}

    def controls(self):
        return [Control("n", "n", (2, 3)), Control("at", "at", tuple(range(self.state["n"])))]

    def _check(self):
        self.state["at"] = min(self.state["at"], self.state["n"] - 1)

    def render(self):
        return f"<p>at {self.state['at']} of {self.state['n']}</p>"

    def render_static(self):
        return "".join(variant(when(at=i), f"at {i} of {self.state['n']}", i == self.state["at"], "p")
                       for i in range(self.state["n"]))


def test_client_knobs_draw_every_variant_in_one_state():
    html = Walk().static_html()
    data = read_static_states(html)
    assert len(data["keys"]) == 2                  # one state per n, not per position
    three = data["views"][data["keys"]["1"]]
    assert 'data-cnnx-client="{&quot;at&quot;: [&quot;0&quot;, &quot;1&quot;, &quot;2&quot;]}"' in three
    assert three.count("data-cnnx-when=") == 3 and three.count("display:none") == 2
    assert 'data-client="at" data-value="0"' in html


def test_drawings_shared_by_states_are_stored_once():
    class Shared(Square):
        def render(self):
            return '<svg width="9"><rect/></svg>' + super().render()
    data = read_static_states(Shared().static_html())
    assert len(data["parts"]) == 1 and all(v.startswith(state('<svg width="9">')[:-6]) for v in data["views"])


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
