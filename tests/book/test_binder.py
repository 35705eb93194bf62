"""The Binder and JupyterHub sessions of the launch buttons (binder/), and where they land:
JupyterLab at lab/tree/book/<chapter>.md.

Those sessions run binder/postBuild, whose Jupytext setting makes JupyterLab open a MyST
Markdown chapter as a notebook; without it the chapter opens as text in the file editor
(seen by hand: a jp-FileEditor and no cells). This starts JupyterLab from the course's
environment with the postBuild setting, opens a chapter by the buttons' URL in headless
Chromium and counts the notebook's cells against the chapter's source."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_browser import chromium

pytestmark = [pytest.mark.book, pytest.mark.slow]

CHAPTER = "book/ch03_stride.md"


def postbuild_settings() -> list[list[str]]:
    """The jupytext-config commands of binder/postBuild (the rest of it installs packages)."""
    lines = (ROOT / "binder" / "postBuild").read_text().splitlines()
    commands = [line.split() for line in lines if line.startswith("jupytext-config ")]
    assert commands, "binder/postBuild no longer sets JupyterLab's default viewer for text notebooks"
    return commands


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"), "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings")}
    bin_dir = Path(sys.executable).parent
    for command in postbuild_settings():
        subprocess.run([str(bin_dir / command[0]), *command[1:]], env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp / "lab.log", "w")
    server = subprocess.Popen(
        [str(bin_dir / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={ROOT}"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start in 60 s:\n" + (tmp / "lab.log").read_text()[-3000:])
    assert server.poll() is None, "JupyterLab exited:\n" + (tmp / "lab.log").read_text()[-3000:]
    yield url
    server.terminate()
    server.wait(timeout=30)


def classes(dom: str, name: str) -> int:
    """How many elements carry the CSS class ``name`` (style sheets mention them too)."""
    return len(re.findall(rf'class="[^"]*\b{name}\b[^"]*"', dom))


def test_a_launch_link_opens_the_chapter_as_a_notebook(lab):
    result = chromium("--dump-dom", f"{lab}/lab/tree/{CHAPTER}")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    code_cells = (ROOT / CHAPTER).read_text().count("```{code-cell}")
    assert classes(dom, "jp-NotebookPanel") >= 1, "the chapter did not open as a notebook"
    assert classes(dom, "jp-FileEditor") == 0, "the chapter opened as text, not as a notebook"
    assert classes(dom, "jp-CodeCell") == code_cells
    assert classes(dom, "jp-MarkdownCell") >= 1


def test_binder_installs_the_course_pins_with_the_cpu_build_of_torch():
    lines = [l.strip() for l in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    assert lines == ["--extra-index-url https://download.pytorch.org/whl/cpu", "-r ../requirements.txt"]
    assert "torch==2.13.0" in (ROOT / "binder" / ".." / "requirements.txt").read_text().split()
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == f"python-{sys.version_info.major}.{sys.version_info.minor}"
    postbuild = ROOT / "binder" / "postBuild"
    assert os.access(postbuild, os.X_OK), "repo2docker runs postBuild only when it is executable"
    assert "pip install --no-deps -e ." in postbuild.read_text()
