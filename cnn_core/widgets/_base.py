"""What every explorer shares: a state, knobs (controls), and three ways to be shown.

An explorer is a small *model*: a dict of knob values (``explorer.state``) and a
``render()`` method that turns the current state into HTML (drawings, numbers, the
arithmetic). Everything a test needs to check is in that model, no browser involved::

    ex = ConvolutionExplorer()
    ex.update(stride=2)          # turn a knob
    ex.output.shape              # what the explorer computes
    ex.render()                  # what it shows

It is shown in one of three ways, depending on where it runs:

- **a live kernel** (JupyterLab 4, Notebook 7, VS Code): ``explorer.widget()`` is an
  ipywidgets 8 box, the knobs on top and the drawing below; moving a knob calls
  ``update`` and redraws;
- **a static page** (the book, no kernel): ``explorer.static_html()`` is plain HTML with
  the knobs as HTML controls, every combination of the ``static_controls`` pre-rendered,
  and ten lines of JavaScript that swap the drawing when a knob moves;
- **anything else** (a headless run, a front end without the widget manager): the
  static HTML, whose first state is the explorer's default state.

Jupyter picks among these by itself: displaying an explorer gives a bundle with the
widget view *and* the static HTML (``_repr_mimebundle_``), and each front end shows the
richest one it can.
"""

from __future__ import annotations

import html
import itertools
import json
import uuid
from dataclasses import dataclass

__all__ = ["Control", "Explorer"]


@dataclass(frozen=True)
class Control:
    """One knob: a name (an argument of ``update``), a label, and the values it can take.

    kind: 'slider' (ordered values), 'dropdown' (named choices) or 'toggle' (False/True).
    static_options: the values offered on a static page (default: all of ``options``).
    labels: display text of each option (default: ``str(option)``).
    """
    name: str
    label: str
    options: tuple
    kind: str = "slider"
    static_options: tuple | None = None
    labels: tuple | None = None

    def text(self, value) -> str:
        if self.labels is not None and value in self.options:
            return str(self.labels[self.options.index(value)])
        return str(value)


class Explorer:
    """Base class: subclasses define ``controls()``, ``render()`` and usually ``_check()``.

    ``static_controls``: names of the knobs a static page can turn (every combination is
    pre-rendered, so keep the product small); the others stay at their current value.
    ``max_static_states`` caps that product.
    """

    static_controls: tuple[str, ...] = ()
    max_static_states: int = 200

    def __init__(self, **state):
        self._widget = None
        self.state: dict = {**self.defaults(), **state}
        for c in self.controls():          # knobs without a default start at their first value
            self.state.setdefault(c.name, c.options[0])
        self.update(**state)               # checks the given values

    # -- to be defined by each explorer ---------------------------------------------------
    def defaults(self) -> dict:
        """The starting value of each knob (the most instructive state)."""
        return {}

    def controls(self) -> list[Control]:
        """The knobs, given the current state (a slider's range may depend on other knobs)."""
        raise NotImplementedError

    def render(self) -> str:
        """The current state as HTML."""
        raise NotImplementedError

    def _check(self) -> None:
        """Called after every update: raise ValueError if the state cannot be shown, and
        bring dependent knobs back into range (e.g. a position beyond a smaller output)."""

    # -- the model -------------------------------------------------------------------------
    def update(self, **changes) -> "Explorer":
        """Turn knobs: ``update(stride=2, padding=1)``. Unknown knobs and values outside a
        knob's range raise ValueError naming the allowed values; returns the explorer."""
        known = {c.name: c for c in self.controls()}
        for name in changes:
            if name not in known:
                raise ValueError(f"{type(self).__name__} has no knob {name!r}; its knobs are: "
                                 f"{', '.join(known)}")
        old = dict(self.state)
        self.state.update(changes)
        try:
            for name, value in changes.items():
                control = {c.name: c for c in self.controls()}[name]
                if _find(control.options, value) is None:
                    shown = [control.text(o) for o in control.options]
                    if len(shown) > 12:
                        shown = shown[:5] + ["..."] + shown[-3:]
                    raise ValueError(f"{control.label} must be one of {', '.join(shown)}; got {value!r}")
            self._check()
        except Exception:
            self.state = old
            self._check()                  # side effects (e.g. requires_grad) follow the state back
            raise
        return self

    def __repr__(self) -> str:
        knobs = ", ".join(f"{k}={v!r}" for k, v in self.state.items() if not k.startswith("_"))
        return f"{type(self).__name__}({knobs})"

    # -- a live kernel ----------------------------------------------------------------------
    def widget(self):
        """The ipywidgets 8 view: knobs, then the drawing. Built once per explorer."""
        if self._widget is None:
            self._live = _LiveView(self)
            self._widget = self._live.box
        return self._widget

    def extra_widgets(self) -> list:
        """Extra ipywidgets placed under the knobs (e.g. a text box to edit a kernel); they
        call ``self.refresh()`` after changing the state."""
        return []

    def refresh(self) -> None:
        """Redraw the live widget (if there is one) after the state changed from outside."""
        if self._widget is not None:
            self._live.refresh()

    # -- a static page -----------------------------------------------------------------------
    def static_states(self) -> tuple[list[Control], dict[tuple, str]]:
        """The knobs of the static page and the HTML of every combination of their values
        (combinations the model refuses are left out)."""
        saved = dict(self.state)
        knobs = [c for c in self.controls() if c.name in self.static_controls]
        values = []
        for c in knobs:                     # the current value is always one of the static ones
            v = list(c.static_options if c.static_options is not None else c.options)
            if _find(v, self.state[c.name]) is None:
                v.append(self.state[c.name])
                v.sort(key=c.options.index)
            values.append(tuple(v))
        n = 1
        for v in values:
            n *= len(v)
        if n > self.max_static_states:
            raise ValueError(f"{type(self).__name__}: {n} static states is more than "
                             f"max_static_states={self.max_static_states}; offer fewer static_options")
        states = {}
        try:
            for combo in itertools.product(*[range(len(v)) for v in values]):
                try:
                    self.state = dict(saved)
                    self.update(**{c.name: v[i] for c, v, i in zip(knobs, values, combo)})
                except ValueError:
                    continue
                states[combo] = self.render()
        finally:
            self.state = saved
            self._check()
        return [Control(c.name, c.label, v, c.kind, None, tuple(c.text(o) for o in v))
                for c, v in zip(knobs, values)], states

    def static_html(self) -> str:
        """Self-contained HTML: the current state, and (if the explorer has static knobs)
        HTML controls that switch between pre-rendered states with a few lines of JS."""
        current = self.render()
        if not self.static_controls:
            return f'<div class="cnn-explorer">{current}</div>'
        knobs, states = self.static_states()
        values = [c.options for c in knobs]
        now = tuple(_index(v, self.state[c.name]) for c, v in zip(knobs, values))
        views, keys = [], {}
        for combo, text in states.items():          # identical drawings are stored once
            if text not in views:
                views.append(text)
            keys["|".join(map(str, combo))] = views.index(text)
        uid = "cnnx-" + uuid.uuid4().hex[:10]
        inputs = "".join(_html_control(c, i) for c, i in zip(knobs, now))
        data = json.dumps({"keys": keys, "views": views}).replace("</", "<\\/")
        return (f'<div class="cnn-explorer" id="{uid}">'
                f'<div style="font-size:13px">{inputs}</div>'
                f'<div class="cnnx-view">{current}</div>'
                f'<script type="application/json" class="cnnx-data">{data}</script>'
                f"<script>{_STATIC_JS.replace('UID', uid)}</script></div>")

    # -- Jupyter -------------------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = repr(self)
        return bundle


def _find(options, value) -> int | None:
    """Position of ``value`` among ``options`` (True is not 1 here), or None."""
    for i, o in enumerate(options):
        if isinstance(o, bool) != isinstance(value, bool):
            continue
        if o is value or o == value:
            return i
    return None


def _index(options, value) -> int:
    i = _find(options, value)
    return 0 if i is None else i


def _html_control(c: Control, i: int) -> str:
    label = html.escape(c.label)
    texts = [c.text(o) for o in c.options]
    if c.kind == "toggle":
        checked = " checked" if c.options[i] else ""
        return (f'<label style="margin-right:14px"><input type="checkbox" data-knob="{c.name}"{checked}/> '
                f'{label}</label>')
    if c.kind == "dropdown":
        opts = "".join(f'<option value="{k}"{" selected" if k == i else ""}>{html.escape(t)}</option>'
                       for k, t in enumerate(texts))
        return f'<label style="margin-right:14px">{label} <select data-knob="{c.name}">{opts}</select></label>'
    shown = html.escape(json.dumps(texts))
    return (f'<label style="margin-right:14px">{label} <input type="range" min="0" max="{len(texts) - 1}" '
            f'value="{i}" data-knob="{c.name}" data-labels="{shown}"/> '
            f'<output>{html.escape(texts[i])}</output></label>')


# Swap the pre-rendered drawing when a static knob moves (no kernel, no widget manager).
_STATIC_JS = """(function () {
  var root = document.getElementById("UID");
  var data = JSON.parse(root.querySelector(".cnnx-data").textContent);
  var view = root.querySelector(".cnnx-view");
  root.addEventListener("input", function () {
    var knobs = root.querySelectorAll("[data-knob]"), key = [];
    knobs.forEach(function (k) {
      key.push(k.type === "checkbox" ? (k.checked ? 1 : 0) : k.value);
      if (k.dataset.labels) { k.nextElementSibling.textContent = JSON.parse(k.dataset.labels)[k.value]; }
    });
    var i = data.keys[key.join("|")];
    view.innerHTML = i === undefined ? "<p>This combination does not fit (or was not pre-computed " +
      "for this page): run the notebook to explore it.</p>" : data.views[i];
  });
})();"""


class _LiveView:
    """The ipywidgets view of an explorer (imported lazily: the model needs no ipywidgets)."""

    def __init__(self, explorer: Explorer):
        import ipywidgets as w

        self.w, self.explorer = w, explorer
        self.knobs = {}
        for c in explorer.controls():
            self.knobs[c.name] = self._make(c)
        self.view = w.HTML(explorer.render())
        self.error = w.HTML("")
        layout = w.Layout(flex_flow="row wrap")
        self.box = w.VBox([w.HBox(list(self.knobs.values()), layout=layout), *explorer.extra_widgets(),
                           self.error, self.view])
        self._busy = False

    def _make(self, c: Control):
        w, value = self.w, self.explorer.state[c.name]
        style = {"description_width": "initial"}
        if c.kind == "toggle":
            knob = w.Checkbox(value=bool(value), description=c.label, indent=False, style=style)
        else:
            options = [(c.text(o), o) for o in c.options]
            value = c.options[_index(c.options, value)]
            if c.kind == "dropdown":
                knob = w.Dropdown(options=options, value=value, description=c.label, style=style)
            else:
                knob = w.SelectionSlider(options=options, value=value, description=c.label, style=style,
                                         continuous_update=False)
        knob.observe(lambda change, name=c.name: self._changed(name, change["new"]), names="value")
        return knob

    def _changed(self, name: str, value) -> None:
        if self._busy:
            return
        try:
            self.explorer.update(**{name: value})
            self.error.value = ""
        except ValueError as err:
            self.show_error(err)
            return
        self.refresh()

    def show_error(self, err: Exception) -> None:
        self.error.value = f'<p style="color:#b00020">{html.escape(str(err))}</p>'

    def refresh(self) -> None:
        self._busy = True
        try:                       # knobs whose range depends on this one
            for c in self.explorer.controls():
                knob = self.knobs[c.name]
                value = self.explorer.state[c.name]
                if c.kind != "toggle" and tuple(o for _, o in knob.options) != tuple(c.options):
                    knob.options = [(c.text(o), o) for o in c.options]
                knob.value = bool(value) if c.kind == "toggle" else c.options[_index(c.options, value)]
        finally:
            self._busy = False
        self.view.value = self.explorer.render()
