"""The built site as its readers meet it, in a real browser with the internet switched off.

Headless Chromium (Debian's, installed by `make test`), driven over the DevTools protocol
(tests/book/chromium.py), opens every page of the site from a local server while every
other host resolves to nothing, so a page that needed the internet fails here. Each page
is opened at a phone's 390x844 and a desktop's 1366x900, once (``visits``), and the tests
read what that visit recorded:

- no console error, no failed request and no 404; the bytes transferred stay under
  ``PAGE_BUDGET`` (uncompressed: the local server does not compress);
- the math was typeset by the vendored MathJax; every explorer is shown with its knobs;
- every figure has alt text that describes it (not its file name); at 390 px the page does
  not scroll sideways and no figure is shown at less than ``MIN_FIGURE_SCALE`` of its size;
- the menu buttons open the navigation (☰) and the page contents at both widths;
- every knob of every explorer changes what is shown, and the knobs each chapter's text
  names exist (``NAMED_KNOBS``); none of their values is "not pre-computed";
- axe-core (vendored for the tests, book/_vendor/.tests/) finds no violation on five pages;
- search counts the pages it lists; the download menu offers the chapter's .ipynb.

Screenshots of every page at both widths go to _build/screenshots/. About a minute and a
half on two cores.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .conftest import ROOT, toc_files

pytestmark = [pytest.mark.book, pytest.mark.slow]

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = ROOT / "_build" / "screenshots"
AXE = ROOT / "book" / "_vendor" / ".tests" / "axe-core" / "axe.min.js"

if CHROMIUM is None:
    # In CI the set-up installs Chromium, so a missing browser there is a failure, not a skip.
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing in CI: `make test` should have installed it")
    pytest.skip("chromium is not installed (make test installs it when run as root)", allow_module_level=True)

from .chromium import Browser  # noqa: E402

PAGES = toc_files()
PHONE, DESKTOP = (390, 844), (1366, 900)
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
#: the most a chapter page may transfer, everything it loads included (uncompressed)
PAGE_BUDGET = 2_500_000
#: on a phone a figure is shown at no less than this share of its pixel size (course.css: 60%)
MIN_FIGURE_SCALE = 0.55
#: the knobs each chapter's text promises (their labels), per explorer in page order
NAMED_KNOBS = {
    "book/ch02_convolution": [{"image", "kernel", "stride", "padding", "dilation", "output row", "output column"}],
    "book/ch03_stride": [{"input size N", "kernel F", "stride S", "padding P", "dilation D"}],
    "book/ch04_padding": [{"padding", "padding mode", "output row", "output column"}],
    "book/ch08_a_cnn_that_learns": [{"image", "layer"}],
    "book/ch10_regularization": [{"drop rate p", "forward pass", "mode"}],
    "book/ch11_architectures": [{"stack of layers", "layers"}],
}
#: options the text names, which must be offered: (page, knob label, option text)
NAMED_OPTIONS = [
    ("book/ch04_padding", "padding mode", ["zeros", "reflect", "replicate", "circular"]),
    ("book/ch08_a_cnn_that_learns", "layer", ["class scores"]),
    ("book/ch08_a_cnn_that_learns", "image", [f"{d} (a {d})" for d in range(10)]),
    ("book/ch11_architectures", "stack of layers", ["5x5 convs", "dilated 3x3 convs (1, 2, 4)"]),
    ("book/ch02_convolution", "image", ["photo 32x32 (camera)", "letter X (set 000)"]),
]
#: what a view says when a combination of knobs was left out
NOT_SHOWN = ("not pre-computed", "was not pre-computed", "cannot be shown", "cannot unpack")
#: the five pages axe-core checks (see the module docstring above)
AXE_PAGES = ["book/intro", "book/ch02_convolution", "book/ch06_activations", "book/ch11_architectures", "search"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def chromium(*args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    """One headless Chromium run from the command line (used by test_binder.py)."""
    with tempfile.TemporaryDirectory() as profile:
        command = [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-quic", f"--user-data-dir={profile}",
            # the internet is off: every host but the local server resolves to nothing
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=15000", *args,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def tabs(browser):
    return {name: browser.tab(*size, mobile=name == "phone") for name, size in WIDTHS.items()}


# -- one visit per page and width --------------------------------------------------------

#: what a visit reads from the page once it has settled
PAGE_FACTS = """(async function () {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await new Promise(function (r) { setTimeout(r, 150); });
  var article = document.querySelector(".bd-article") || document.body;
  var figures = [];
  article.querySelectorAll("img").forEach(function (img) {
    var r = img.getBoundingClientRect();
    figures.push({alt: img.getAttribute("alt"), src: (img.getAttribute("src") || "").slice(0, 80),
                  natural: img.naturalWidth, shown: r.width, explorer: !!img.closest(".cnn-explorer")});
  });
  return {
    width: document.documentElement.scrollWidth,
    h1: !!document.querySelector("h1"),
    math: document.querySelectorAll("mjx-container").length,
    mathSource: document.querySelectorAll(".math, span.math").length,
    mathErrors: document.querySelectorAll("mjx-merror").length,
    explorers: document.querySelectorAll(".cnn-explorer").length,
    explorerKnobs: [].map.call(document.querySelectorAll(".cnn-explorer"), function (e) {
      return e.querySelectorAll("[data-knob], [data-client]").length; }),
    widgetViews: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
    widgetsRendered: document.querySelectorAll('[class*="widget-"]').length,
    figures: figures,
  };
})()"""


@pytest.fixture(scope="module")
def visits(tabs, server):
    """{(page, width name): {"load": Load, "facts": dict}}, every page at both widths."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, tab in tabs.items():
        for page in PAGES:
            load = tab.open(f"{server}/{page}.html", settle=0.3)
            facts = tab.js(PAGE_FACTS, timeout=60)
            tab.settle(0.3)                     # fonts MathJax asked for while typesetting
            tab.screenshot(SCREENSHOTS / f"{page.replace('/', '_')}_{name}.png")
            out[page, name] = {"load": load, "facts": facts}
    return out


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors_and_within_budget(page, width, visits):
    load = visits[page, width]["load"]
    assert not load.failed, f"{page}: requests failed (the internet is off): {load.failed}"
    assert not load.not_found(), f"{page}: {load.not_found()}"
    assert not load.errors, f"{page} at {width}: console errors: {load.errors}"
    heaviest = ", ".join(f"{n / 1e3:.0f} kB {u.rsplit('/', 1)[-1][:40]}" for n, u in load.by_resource()[:4])
    assert load.transferred <= PAGE_BUDGET, (
        f"{page}: {load.transferred / 1e6:.2f} MB transferred, over the {PAGE_BUDGET / 1e6:.1f} MB budget "
        f"(heaviest: {heaviest})")


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_its_math_widgets_and_explorers(page, visits, site):
    facts = visits[page, "desktop"]["facts"]
    source = (site / f"{page}.html").read_text()
    assert facts["h1"], f"{page}: the page did not render"
    if re.search(r'class="math[^"]*"', source):
        assert facts["math"] > 0, f"{page}: MathJax did not typeset the page's math"
        assert facts["mathErrors"] == 0, f"{page}: MathJax reported an error"
    views = source.count('type="application/vnd.jupyter.widget-view+json"')
    assert facts["widgetsRendered"] >= views, f"{page}: {views} widget(s) embedded, fewer rendered"
    explorers = source.count('class="cnn-explorer"')
    assert facts["explorers"] == explorers, f"{page}: an explorer did not render"
    assert all(n > 0 for n in facts["explorerKnobs"][:explorers] if n is not None) or not explorers


FILE_NAME = re.compile(r"(^|/)[^ ]*\.(png|jpe?g|webp|gif|svg)$|_images/", re.I)


@pytest.mark.parametrize("page", PAGES)
def test_every_figure_is_described_not_named_by_its_file(page, visits):
    for fig in visits[page, "desktop"]["facts"]["figures"]:
        alt = (fig["alt"] or "").strip()
        if fig["explorer"] and not alt:
            continue                            # a picture inside a labelled explorer drawing
        assert alt, f"{page}: a figure without alt text ({fig['src']})"
        assert not FILE_NAME.search(alt), f"{page}: alt text is a file name: {alt!r}"
        assert len(alt) >= 10 or fig["explorer"], f"{page}: alt text too short to describe a figure: {alt!r}"


@pytest.mark.parametrize("page", PAGES)
def test_phone_width_does_not_scroll_sideways_and_figures_stay_readable(page, visits):
    facts = visits[page, "phone"]["facts"]
    assert facts["width"] <= PHONE[0], f"{page}: the page is {facts['width']} px wide at {PHONE[0]} px"
    for fig in facts["figures"]:
        if fig["explorer"] or not fig["natural"] or fig["natural"] <= PHONE[0]:
            continue
        scale = fig["shown"] / fig["natural"]
        assert scale >= MIN_FIGURE_SCALE, (
            f"{page}: a {fig['natural']} px figure is shown {fig['shown']:.0f} px wide ({scale:.0%}) on a "
            f"phone; its text is unreadable below {MIN_FIGURE_SCALE:.0%}")


# -- the menu buttons ---------------------------------------------------------------------

ON_SCREEN = """(function (sel) {
  var e = document.querySelector(sel); if (!e) { return null; }
  var r = e.getBoundingClientRect(), s = getComputedStyle(e);
  return s.visibility !== "hidden" && s.display !== "none" && r.width > 50 && r.right > 10
    && r.left < innerWidth - 10;
})"""


def _on_screen(tab, selector: str):
    return tab.js(f"{ON_SCREEN}({json.dumps(selector)})")


def _visible(tab, selector: str) -> bool:
    return bool(tab.js(f"""(function () {{ return [].some.call(document.querySelectorAll({json.dumps(selector)}),
        function (e) {{ var r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }}); }})()"""))


def _toggle(tab, button: str, target: str, want: bool, shot: str) -> None:
    tab.click(button)
    deadline = time.monotonic() + 3
    while _on_screen(tab, target) != want and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.4)                             # the sidebar slides in
    tab.screenshot(SCREENSHOTS / f"toggle_{shot}.png")
    assert _on_screen(tab, target) == want, f"{button} did not {'open' if want else 'close'} {target}"


@pytest.mark.parametrize("width", WIDTHS)
def test_menu_buttons_open_the_navigation_and_the_page_contents(width, tabs, server, visits):
    tab = tabs[width]
    page = f"{server}/book/ch05_convolution_over_volume.html"
    tab.open(page, settle=0.3)
    primary, secondary = ".bd-sidebar-primary", ".bd-sidebar-secondary"
    if width == "phone":
        assert not _on_screen(tab, primary) and not _on_screen(tab, secondary)
        _toggle(tab, "button.primary-toggle", primary, True, f"{width}_chapters")
        links = tab.js(f"document.querySelectorAll('{primary} a.reference.internal').length")
        assert links >= len(PAGES) - 1, "the navigation does not list the chapters"
        tab.open(page, settle=0.3)
        _toggle(tab, "button.secondary-toggle", secondary, True, f"{width}_contents")
        assert tab.js(f"document.querySelectorAll('{secondary} nav a').length") >= 3
    else:
        assert _on_screen(tab, primary), "at 1366 px the chapters are listed beside the page"
        _toggle(tab, "button.primary-toggle", primary, False, f"{width}_chapters_closed")
        _toggle(tab, "button.primary-toggle", primary, True, f"{width}_chapters")
        if _visible(tab, "button.secondary-toggle"):
            _toggle(tab, "button.secondary-toggle", secondary, True, f"{width}_contents")
        else:
            assert _on_screen(tab, secondary), "at 1366 px the page contents are shown beside the page"
    assert not tab.load.errors, tab.load.errors


# -- the explorers ------------------------------------------------------------------------

#: turns every knob of every explorer through its values (at most 8 of them, spread), and
#: reports for each knob the labels, the option texts, how many different views it showed,
#: and the views that said a combination was left out
DRIVE = """(async function (notShown) {
  var report = [];
  for (const ex of document.querySelectorAll(".cnn-explorer")) {
    var view = ex.querySelector(".cnnx-view"), knobs = [];
    for (const k of ex.querySelectorAll("[data-knob], [data-client]")) {
      var label = k.closest("label") ? k.closest("label").firstChild.textContent.trim() : "";
      var n = k.tagName === "SELECT" ? k.options.length : (k.type === "checkbox" ? 2 : +k.max + 1);
      var picks = [], seen = {}, missing = [], original = k.type === "checkbox" ? k.checked : k.value;
      for (var i = 0; i < Math.min(n, 8); i++) { picks.push(Math.round(i * (n - 1) / Math.max(Math.min(n, 8) - 1, 1))); }
      for (const v of picks) {
        if (k.type === "checkbox") { k.checked = !!v; } else { k.value = String(v); }
        k.dispatchEvent(new Event("input", {bubbles: true}));
        await ex.cnnxReady;
        seen[view.innerHTML] = true;
        var text = view.textContent;
        notShown.forEach(function (w) { if (text.indexOf(w) >= 0) { missing.push(label + "=" + v + ": " + text.slice(0, 120)); } });
      }
      if (k.type === "checkbox") { k.checked = original; } else { k.value = original; }
      k.dispatchEvent(new Event("input", {bubbles: true}));
      await ex.cnnxReady;
      knobs.push({label: label, client: !!k.dataset.client, values: n, views: Object.keys(seen).length,
                  missing: missing, options: k.tagName === "SELECT" ? [].map.call(k.options, function (o) {
                    return o.textContent; }) : []});
    }
    report.push(knobs);
  }
  return report;
})"""


@pytest.fixture(scope="module")
def explorer_reports(tabs, server, visits):
    """{page: [[knob report, ...] per explorer]} for the pages with explorers (desktop), and
    {page: console errors while the knobs turned}."""
    tab, out, errors = tabs["desktop"], {}, {}
    for page in PAGES:
        if not visits[page, "desktop"]["facts"]["explorers"]:
            continue
        tab.open(f"{server}/{page}.html", settle=0.3)
        out[page] = tab.js(f"{DRIVE}({json.dumps(list(NOT_SHOWN))})", timeout=120)
        errors[page] = list(tab.load.errors)
    out["errors"] = errors
    return out


def test_every_knob_of_every_explorer_changes_what_is_shown(explorer_reports):
    errors = {page: e for page, e in explorer_reports["errors"].items() if e}
    assert not errors, f"console errors while turning the knobs: {errors}"
    assert len(explorer_reports) - 1 >= 12, sorted(explorer_reports)
    for page, explorers in explorer_reports.items():
        if page == "errors":
            continue
        for n, knobs in enumerate(explorers):
            for knob in knobs:
                where = f"{page}, explorer {n + 1}, knob {knob['label']!r}"
                assert not knob["missing"], f"{where}: {knob['missing'][:3]}"
                if knob["values"] > 1:
                    assert knob["views"] > 1, f"{where}: turning it through {knob['values']} values changed nothing"


@pytest.mark.parametrize("page", sorted(NAMED_KNOBS))
def test_the_knobs_the_text_names_exist(page, explorer_reports):
    explorers = explorer_reports[page]
    for n, named in enumerate(NAMED_KNOBS[page]):
        labels = {k["label"] for k in explorers[n]}
        assert named <= labels, f"{page}, explorer {n + 1}: the text names {sorted(named - labels)}; it has {labels}"


@pytest.mark.parametrize("page, label, options", NAMED_OPTIONS, ids=[f"{p[5:9]}-{k}" for p, k, _ in NAMED_OPTIONS])
def test_the_options_the_text_names_are_offered(page, label, options, explorer_reports):
    offered = [o for knobs in explorer_reports[page] for k in knobs if k["label"] == label for o in k["options"]]
    assert set(options) <= set(offered), f"{page}: {label} offers {offered}"


def test_the_window_moves_and_the_photograph_is_drawn(tabs, server):
    """ch02: pick the photograph, move the window: the arithmetic shown follows the window."""
    tab = tabs["desktop"]
    tab.open(f"{server}/book/ch02_convolution.html", settle=0.3)
    shown = tab.js("""(async function () {
      var ex = document.querySelector(".cnn-explorer"), view = ex.querySelector(".cnnx-view");
      function visibleLine() { return [].filter.call(view.querySelectorAll("p[data-cnnx-when]"),
        function (p) { return p.style.display !== "none"; }).map(function (p) { return p.textContent; }); }
      var before = visibleLine();
      var col = ex.querySelector('[data-client="col"]'); col.value = "2";
      col.dispatchEvent(new Event("input", {bubbles: true})); await ex.cnnxReady;
      var moved = visibleLine();
      var image = ex.querySelector('[data-knob="image"]');
      image.selectedIndex = [].findIndex.call(image.options, function (o) { return o.textContent.indexOf("photo") === 0; });
      image.dispatchEvent(new Event("input", {bubbles: true})); await ex.cnnxReady;
      return {before: before, moved: moved, photo: view.querySelectorAll("img").length, after: visibleLine(),
              col: col.nextElementSibling.textContent};
    })()""")
    assert shown["before"][0].startswith("Y[0,0] = (2x1) + (4x2)") and len(shown["before"]) == 1
    assert shown["moved"][0].startswith("Y[0,2] =") and len(shown["moved"]) == 1
    assert shown["photo"] == 2 and shown["after"][0].startswith("Y[0,") and "pixels under the red window" in shown["after"][0]


def test_every_stack_at_every_depth_shows_a_receptive_field(tabs, server):
    """ch11: the stacks the text names ("5x5 convs", "dilated (1, 2, 4)") at every depth."""
    tab = tabs["desktop"]
    tab.open(f"{server}/book/ch11_architectures.html", settle=0.3)
    shown = tab.js("""(async function () {
      var ex = document.querySelector(".cnn-explorer"), view = ex.querySelector(".cnnx-view"), out = [];
      var stack = ex.querySelector('[data-knob="stack"]'), depth = ex.querySelector('[data-knob="depth"]');
      for (var s = 0; s < stack.options.length; s++) {
        for (var d = 0; d <= +depth.max; d++) {
          stack.selectedIndex = s; depth.value = String(d);
          depth.dispatchEvent(new Event("input", {bubbles: true})); await ex.cnnxReady;
          out.push([stack.options[s].textContent, d + 1, view.textContent]);
        }
      }
      return out;
    })()""")
    assert len(shown) >= 6 * 4
    for stack, depth, text in shown:
        assert "region of the input" in text and not any(w in text for w in NOT_SHOWN), (stack, depth, text[:200])


# -- accessibility, search, downloads -------------------------------------------------------

@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not vendored: run `make vendor`")
@pytest.mark.parametrize("page", AXE_PAGES)
def test_axe_finds_no_violation(page, tabs, server):
    violations = {}
    for width, tab in tabs.items():
        if width == "phone" and page not in ("book/ch06_activations", "book/ch11_architectures"):
            continue
        tab.open(f"{server}/{page}.html", settle=0.3)
        tab.js("window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise.then(() => 1) : 1")
        tab.js(AXE.read_text() + ";0")
        found = tab.js("axe.run(document, {resultTypes: ['violations'], rules: "
                       "{'label-content-name-mismatch': {enabled: true}}}).then(r => r.violations.map(v => "
                       "[v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))]))", timeout=120)
        if found:
            violations[width] = found
    assert not violations, f"{page}: {violations}"


def test_search_counts_the_pages_it_lists(tabs, server):
    tab = tabs["desktop"]
    tab.open(f"{server}/search.html?q=batch+normalization", settle=0.3)
    summary = tab.wait_for("(document.querySelector('.search-summary') || {}).textContent", timeout=20)
    listed = tab.js("[...document.querySelectorAll('ul.search li a')].map(a => a.getAttribute('href'))")
    pages = {href.split("#")[0] for href in listed}
    found = int(re.search(r"found (\d+) page", summary).group(1))
    assert found == len(listed) == len(pages) >= 5, (summary, listed)
    assert not tab.load.errors, tab.load.errors


def test_download_menu_offers_the_chapter_notebook(tabs, server, site):
    tab = tabs["desktop"]
    tab.open(f"{server}/book/ch03_stride.html", settle=0.3)
    hrefs = tab.js("[...document.querySelectorAll('.dropdown-download-buttons .dropdown-item')].map(a => "
                   "[a.textContent.trim(), a.getAttribute('href')])")
    offered = dict(hrefs)
    assert {".ipynb", ".md", ".pdf"} <= set(offered), hrefs
    notebook = json.loads((site / "book" / offered[".ipynb"]).read_text())
    assert notebook["nbformat"] == 4 and len(notebook["cells"]) > 5
