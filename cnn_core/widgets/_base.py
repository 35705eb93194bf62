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
  the knobs as HTML controls, every combination of the ``static_controls`` pre-rendered
  (stored compressed, each embedded picture once), and a few lines of JavaScript that swap
  the drawing when a knob moves. ``client_controls`` (e.g. the window's position) need no
  state of their own: each pre-rendered drawing holds all their variants, and the browser
  shows the one the knobs select;
- **anything else** (a headless run, a front end without the widget manager): the
  static HTML, whose first state is the explorer's default state.

Jupyter picks among these by itself: displaying an explorer gives a bundle with the
widget view *and* the static HTML (``_repr_mimebundle_``), and each front end shows the
richest one it can.
"""

from __future__ import annotations

import base64
import gzip
import html
import itertools
import json
import re
import uuid
from dataclasses import dataclass

__all__ = ["Control", "Explorer", "read_static_states"]


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
    ``max_static_states`` caps that product. :meth:`with_static_knobs` picks other ones for
    one explorer (a page that is about padding modes offers the padding mode).

    ``client_controls``: knobs the static page turns in the browser without a state of their
    own: :meth:`render_static` draws all their variants at once (marked with
    ``_draw.variant``), and :meth:`client_options` says which values the current state offers.
    """

    static_controls: tuple[str, ...] = ()
    client_controls: tuple[str, ...] = ()
    max_static_states: int = 200

    def with_static_knobs(self, *names: str) -> "Explorer":
        """Offer these knobs on the static page (instead of ``static_controls``); returns self."""
        known = {c.name for c in self.controls()}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"{type(self).__name__} has no knob {unknown[0]!r}; its knobs are: {', '.join(known)}")
        self.static_controls = tuple(n for n in names if n not in self.client_controls)
        return self

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

    def render_static(self) -> str:
        """The current state for a static page: ``render()``, with every variant of the
        ``client_controls`` drawn (the current one shown, the others hidden)."""
        return self.render()

    def client_options(self, name: str) -> tuple:
        """The values a static page offers for the client knob ``name`` in the current state."""
        return {c.name: c for c in self.controls()}[name].options

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
                except ValueError as refused:       # a combination the model refuses says why
                    states[combo] = _STATE.format(ranges="{}", view=_refusal(refused))
                    continue
                states[combo] = self._static_view()
        finally:
            self.state = saved
            self._check()
        return [Control(c.name, c.label, v, c.kind, None, tuple(c.text(o) for o in v))
                for c, v in zip(knobs, values)], states

    def _static_view(self) -> str:
        ranges = {n: [str(v) for v in self.client_options(n)] for n in self.client_controls}
        return _STATE.format(ranges=html.escape(json.dumps(ranges)), view=self.render_static())

    def static_html(self) -> str:
        """Self-contained HTML: the current state, and (if the explorer has static knobs)
        HTML controls that switch between pre-rendered states with a few lines of JS.

        The states travel as gzip-compressed JSON in base64, ``{"keys": {"i|j|..": view
        number}, "views": [html], "parts": [html]}``: identical views are stored once, and so
        is every embedded picture and every SVG drawing that several views share (a view names
        part N ``cnnx-part:N;``)."""
        current = self._static_view()
        if not self.static_controls and not self.client_controls:
            return f'<div class="cnn-explorer">{self.render()}</div>'
        knobs, states = self.static_states() if self.static_controls else ([], {(): current})
        values = [c.options for c in knobs]
        now = tuple(_index(v, self.state[c.name]) for c, v in zip(knobs, values))
        views, numbers, keys, parts, part_numbers = [], {}, {}, [], {}

        def pool(match):                            # every shared part once, named by its number
            part = match.group(0)
            if "data-cnnx-when" in part:            # a drawing of variants is its state's own
                return part
            if part not in part_numbers:
                part_numbers[part] = len(parts)
                parts.append(part)
            return f"cnnx-part:{part_numbers[part]};"
        for combo, text in states.items():          # identical views are stored once
            if text not in numbers:
                numbers[text] = len(views)
                views.append(_PART.sub(pool, text))
            keys["|".join(map(str, combo))] = numbers[text]
        uid = "cnnx-" + uuid.uuid4().hex[:10]
        inputs = "".join(_html_control(c, i) for c, i in zip(knobs, now))
        inputs += "".join(_client_control(c, self.client_options(c.name), self.state[c.name])
                          for c in self.controls() if c.name in self.client_controls)
        payload = json.dumps({"keys": keys, "views": views, "parts": parts}, separators=(",", ":"))
        blob = base64.b64encode(gzip.compress(payload.encode(), 9, mtime=0)).decode()
        return (f'<div class="cnn-explorer" id="{uid}">'
                f'<div class="cnnx-knobs">{inputs}</div>'
                f'<div class="cnnx-view">{current}</div>'
                f'<script type="application/octet-stream" class="cnnx-data">{blob}</script>'
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


#: the parts of a view a static page stores once: embedded pictures and SVG drawings
_PART = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+|<svg\b.*?</svg>", re.S)
#: one pre-rendered state: its drawing, and the values its client knobs can take
_STATE = '<div class="cnnx-state" data-cnnx-client="{ranges}">{view}</div>'


def read_static_states(page: str) -> dict:
    """The pre-rendered states of the first explorer in ``page`` (HTML from ``static_html``):
    ``{"keys": ..., "views": [...], "parts": [...]}`` with every view's parts put back."""
    blob = re.search(r'class="cnnx-data">([A-Za-z0-9+/=]*)</script>', page).group(1)
    data = json.loads(gzip.decompress(base64.b64decode(blob)))
    data["views"] = [re.sub(r"cnnx-part:(\d+);", lambda m: data["parts"][int(m.group(1))], v)
                     for v in data["views"]]
    return data


def _refusal(err: Exception) -> str:
    return (f'<p style="color:#b00020;font-size:13px;margin:4px 0">{html.escape(str(err))}: '
            f'this combination cannot be shown.</p>')


def _client_control(c: Control, offered: tuple, value) -> str:
    """A slider the browser moves within one pre-rendered state (``Explorer.client_controls``)."""
    texts = [c.text(o) for o in offered]
    i = _index(offered, value)
    return (f'<label style="margin-right:14px">{html.escape(c.label)} <input type="range" min="0" '
            f'max="{max(len(texts) - 1, 0)}" value="{i}" data-client="{c.name}" '
            f'data-value="{html.escape(str(offered[i]) if offered else "")}"/> '
            f'<output>{html.escape(texts[i] if texts else "")}</output></label>')


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


# Swap the pre-rendered drawing when a static knob moves, and show the variants the client
# knobs select (no kernel, no widget manager). The states are unpacked on first use;
# root.cnnxReady is the promise of the last change (tests wait on it).
_STATIC_JS = """(function () {
  var root = document.getElementById("UID"), view = root.querySelector(".cnnx-view");
  var packed = root.querySelector(".cnnx-data").textContent, data = null;
  function unpack() {
    if (!data) {
      var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
      data = new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).json();
    }
    return data;
  }
  function clients() {
    var state = view.querySelector("[data-cnnx-client]"), now = {};
    var ranges = state ? JSON.parse(state.getAttribute("data-cnnx-client")) : {};
    root.querySelectorAll("[data-client]").forEach(function (k) {
      var values = ranges[k.dataset.client] || [], i = values.indexOf(k.dataset.value);
      if (i < 0) { i = Math.max(0, Math.min(+k.value, values.length - 1)); }
      k.max = Math.max(values.length - 1, 0); k.value = i; k.disabled = values.length < 2;
      k.dataset.value = now[k.dataset.client] = values.length ? values[i] : "";
      k.nextElementSibling.textContent = now[k.dataset.client];
    });
    view.querySelectorAll("[data-cnnx-when]").forEach(function (e) {
      var shown = e.getAttribute("data-cnnx-when").split(" ").every(function (p) {
        var kv = p.split("="); return now[kv[0]] === kv[1]; });
      e.style.display = shown ? "" : "none";
    });
  }
  root.cnnxReady = Promise.resolve();
  root.addEventListener("input", function (event) {
    var moved = event.target;
    if (moved.dataset.client) {
      var ranges = JSON.parse(view.querySelector("[data-cnnx-client]").getAttribute("data-cnnx-client"));
      moved.dataset.value = (ranges[moved.dataset.client] || [])[moved.value];
      clients(); return;
    }
    var key = [];
    root.querySelectorAll("[data-knob]").forEach(function (k) {
      key.push(k.type === "checkbox" ? (k.checked ? 1 : 0) : k.value);
      if (k.dataset.labels) { k.nextElementSibling.textContent = JSON.parse(k.dataset.labels)[k.value]; }
    });
    root.cnnxReady = unpack().then(function (d) {
      var i = d.keys[key.join("|")];
      view.innerHTML = i === undefined ? "<p>This combination was not pre-computed for this page: " +
        "run the notebook to explore it.</p>" : d.views[i].replace(/cnnx-part:(\\d+);/g,
          function (m, n) { return d.parts[+n]; });
      clients();
    }, function () {
      view.innerHTML = "<p>This browser cannot unpack the explorer's states: run the notebook.</p>";
    });
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
