"""`make lab`, the students' command: JupyterLab on their own copies of the assignments.

Run in a fresh copy of the course: the server starts and lists the student versions (made by
nbgrader: no solutions, no hidden tests) in `work/`, the instructor's notebooks are not
touched, and a second `make lab` keeps what the student wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from ..notebooks._course import ASSIGNMENTS
from .conftest import CLEAN_ENV, fresh_copy

pytestmark = [pytest.mark.book, pytest.mark.slow]


def _digest(folder) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab(root, port):
    args = f"--no-browser --port={port} --IdentityProvider.token= --ServerApp.password="
    return subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/.installed", "lab", f"LAB_ARGS={args}"],
                            cwd=root, env=CLEAN_ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _listing(port, path, proc, seconds=240):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode()[-3000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/{path}", timeout=5) as r:
                return json.loads(r.read())
        except OSError:
            time.sleep(1)
    raise AssertionError("JupyterLab did not answer")


def test_make_lab_serves_the_students_own_copies(tmp_path):
    root = fresh_copy(tmp_path / "course")
    instructor = _digest(root / "notebooks")
    assignments = sorted(ASSIGNMENTS)
    port = _free_port()
    proc = _lab(root, port)
    try:
        top = _listing(port, "", proc)
        names = sorted(item["name"] for item in top["content"])
        assert names == assignments and "ch02_convolution" in names, names
        nb = _listing(port, "ch02_convolution/ch02_convolution.ipynb", proc)["content"]
        text = json.dumps(nb)
        assert "raise NotImplementedError" in text and "BEGIN SOLUTION" not in text and "HIDDEN" not in text
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert _digest(root / "notebooks") == instructor, "make lab changed the instructor's notebooks"

    mine = root / "work" / "ch02_convolution" / "ch02_convolution.ipynb"
    mine.write_text(mine.read_text().replace("raise NotImplementedError()", "return 42  # my answer", 1))
    done = subprocess.run([str(root / ".venv" / "bin" / "python"), "scripts/student_workspace.py"], cwd=root,
                          capture_output=True, text=True, env=CLEAN_ENV)
    assert done.returncode == 0 and f"{len(assignments)} of your own kept" in done.stdout
    assert "my answer" in mine.read_text()
