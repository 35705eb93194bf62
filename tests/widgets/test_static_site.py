"""The explorers on a static site: a tiny Jupyter Book (the course's Sphinx settings, the
vendored widget scripts) with one page showing every explorer is built, executed headless,
served on 127.0.0.1, and driven in headless Chromium with no kernel.

Checks: the headless execution stored a meaningful state (the static HTML and the widget
state), every explorer renders, and moving a knob in the browser swaps in the pre-computed
state. Needs Chromium and the vendored scripts (``make vendor``); about 30 seconds.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "book" / "_vendor"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [pytest.mark.slow]

EXPLORERS = [
    ("conv_explorer()", "Y[0,0]"),
    ("output_size_calculator()", "2.33 is not a whole number"),
    ("pooling_explorer()", "max(2, 4, 4, 6) = 6"),
    ("activation_explorer()", "sigmoid(2) = 0.8808"),
    ("normalization_explorer()", "mean after"),
    ("dropout_explorer()", "expected value is kept"),
    ("receptive_field_explorer()", "5x5 region"),
    ("feature_map_explorer()", "feature maps of 28x28"),
    ("transfer_explorer()", "trainable:"),
    ("gpu_work_explorer()", "multiply-adds per byte"),
]

CONFIG = """\
title: widgets
only_build_toc_files: true
execute:
  execute_notebooks: force
  timeout: 300
sphinx:
  config:
    html_static_path: ["_vendor"]
    nb_ipywidgets_js:
      "require.js": {}
      "html-manager/embed-amd.js": {}
    # explorers carry pre-computed states as text/html: prefer them to the widget view
    nb_mime_priority_overrides:
      - ["html", "text/html", 5]
"""

PROBE = """<html><body><iframe id="f" src="page.html" width="1000" height="800"></iframe>
<pre id="out">not run</pre><script>
document.getElementById("f").onload = async function () {
  var d = this.contentDocument, results = [];
  for (const ex of d.querySelectorAll(".cnn-explorer")) {
    var view = ex.querySelector(".cnnx-view"), before = view.innerHTML;
    var knob = ex.querySelector("[data-knob]"), after = null;
    if (knob) {
      if (knob.type === "checkbox") { knob.checked = !knob.checked; }
      else if (knob.tagName === "SELECT") { knob.selectedIndex = knob.options.length - 1; }
      else { knob.value = knob.max; }
      knob.dispatchEvent(new Event("input", {bubbles: true}));
      await ex.cnnxReady;
      after = view.innerHTML;
    }
    results.push({text: before.replace(/<[^>]+>/g, " "), changed: after !== null && after !== before,
                  precomputed: after === null || (after.indexOf("not pre-computed") < 0 &&
                                                  after.indexOf("cannot be shown") < 0)});
  }
  document.getElementById("out").textContent = JSON.stringify(results);
};
</script></body></html>"""


@pytest.fixture(scope="module")
def site():
    if not (VENDOR / "html-manager" / "embed-amd.js").is_file():
        pytest.skip("the widget scripts are not vendored: run `make vendor` first")
    tmp = Path(tempfile.mkdtemp(prefix="cnnx-book-"))
    (tmp / "_vendor").symlink_to(VENDOR)
    (tmp / "_config.yml").write_text(CONFIG)
    (tmp / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: page\n")
    (tmp / "index.md").write_text("# Widgets\n")
    cells = "\n".join(f"```{{code-cell}} ipython3\n{call}\n```\n" for call, _ in EXPLORERS)
    (tmp / "page.md").write_text(textwrap.dedent("""\
        ---
        jupytext: {text_representation: {extension: .md, format_name: myst}}
        kernelspec: {display_name: Python 3, language: python, name: python3}
        ---
        # Explorers

        ```{code-cell} ipython3
        from cnn_core.widgets import *
        ```
        """) + cells)
    # the feature-map explorer loads its trained model from a checkpoint: an untrained one
    # here, so the test does not spend a minute training
    data = tmp / "data"
    subprocess.run([sys.executable, "-c", "import torch; from cnn_core.training import save_checkpoint; "
                    "from cnn_core.widgets.feature_maps import small_cnn; torch.manual_seed(0); "
                    f"save_checkpoint(r'{data}/widgets_small_cnn_mnist5k.pt', small_cnn())"], check=True)
    env = {**os.environ, "CNN_CORE_CHECKPOINTS": str(data)}
    build = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(tmp), "--builder",
                            "html", "--warningiserror"], capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    yield tmp / "_build"
    shutil.rmtree(tmp, ignore_errors=True)


def test_headless_execution_stores_a_meaningful_state(site):
    nb = nbformat.read(site / "jupyter_execute" / "page.ipynb", as_version=4)
    outputs = [c.outputs for c in nb.cells if c.cell_type == "code"][1:]
    assert len(outputs) == len(EXPLORERS)
    for (call, expected), out in zip(EXPLORERS, outputs):
        [display] = [o for o in out if o.output_type == "execute_result"]
        assert "application/vnd.jupyter.widget-view+json" in display.data, call
        assert expected in display.data["text/html"], call
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(expected in str(m["state"].get("value", "")) for m in state.values() for _, expected in EXPLORERS[:1])


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium to render the page")
def test_every_explorer_renders_and_its_knobs_work_without_a_kernel(site):
    html_dir = site / "html"
    page = (html_dir / "page.html").read_text()
    assert not re.search(r'<script[^>]+src="https?://', page), "the page loads a script from the internet"
    (html_dir / "probe.html").write_text(PROBE)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as profile:
            dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                                  "--disable-background-networking", f"--user-data-dir={profile}",
                                  "--virtual-time-budget=8000", "--dump-dom",
                                  f"http://127.0.0.1:{server.server_address[1]}/probe.html"],
                                 capture_output=True, text=True, timeout=120).stdout
    finally:
        server.shutdown()
    results = json.loads(re.search(r'<pre id="out">(.*?)</pre>', dom, re.S).group(1).replace("&amp;", "&")
                         .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"'))
    assert len(results) == len(EXPLORERS)
    for (call, expected), r in zip(EXPLORERS, results):
        assert expected in r["text"].replace("&#x27;", "'"), (call, r["text"][:300])
        assert r["changed"] and r["precomputed"], (call, r)
