"""The built site in a real browser, with the internet switched off.

Headless Chromium (Debian's, installed by `make test`) opens every page of the site from
a local server while resolving every other host to nothing, so a page that needed the
internet would fail here. For each page it checks the math was typeset by the vendored
MathJax, that every widget the page embeds was rendered and every explorer shown with its
knobs (turning them is tested in tests/widgets/test_static_site.py), and it saves a
screenshot to _build/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from .conftest import ROOT, toc_files

pytestmark = [pytest.mark.book, pytest.mark.slow]

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = ROOT / "_build" / "screenshots"

if CHROMIUM is None:
    # In CI the set-up installs Chromium, so a missing browser there is a failure, not a skip.
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing in CI: `make test` should have installed it")
    pytest.skip("chromium is not installed (make test installs it when run as root)", allow_module_level=True)


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


def rendered_dom(url: str) -> str:
    result = chromium("--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("page", toc_files())
def test_page_renders_offline_with_math_and_widgets(page, site, server):
    source_html = (site / f"{page}.html").read_text()
    dom = rendered_dom(f"{server}/{page}.html")

    assert "<h1" in dom and "</html>" in dom, f"{page}: the page did not render"

    # Math: every page whose HTML carries TeX (\( ... \) or \[ ... \]) must come out typeset.
    has_math = bool(re.search(r'class="math[^"]*"', source_html))
    if has_math:
        typeset = dom.count("<mjx-container")
        assert typeset > 0, f"{page}: MathJax did not typeset the page's math"
        assert "<mjx-merror" not in dom, f"{page}: MathJax reported an error"

    # Widgets: every embedded widget view must have been rendered by the widget manager.
    views = source_html.count('type="application/vnd.jupyter.widget-view+json"')
    if views:
        rendered = len(re.findall(r'class="[^"]*\bwidget-', dom))
        assert rendered >= views, f"{page}: {views} widget(s) embedded, {rendered} rendered"

    # Explorers (cnn_core.widgets): the static site shows their pre-computed view, with knobs.
    explorers = source_html.count('class="cnn-explorer"')
    if explorers:
        assert dom.count('class="cnn-explorer"') >= explorers, f"{page}: an explorer did not render"
        assert "<input" in dom or "<select" in dom, f"{page}: the explorers lost their knobs"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / (page.replace("/", "_") + ".png")
    result = chromium("--window-size=1280,2400", f"--screenshot={shot}", f"{server}/{page}.html")
    assert result.returncode == 0 and shot.stat().st_size > 10_000, f"{page}: no screenshot"
