"""Shared set-up of the autograder tests: a course holding ch02, and the hostile batch graded once.

The batch is graded once per test session even under ``pytest -n auto``: the first worker
grades it into a folder shared by the workers (under a file lock), the others read its
results.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from autograder.course import Course
from autograder.sandbox import Limits

from . import _hostile, _hostile_pooling

# tight limits so the hostile suite stays short; generous enough for a loaded 2-core machine
TEST_LIMITS = Limits(cell_seconds=12, notebook_seconds=120, memory_mb=3000, processes=48, output_bytes=20_000,
                     restarts=3)


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory, worker_id):
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def make_course(root: Path, *suites) -> Course:
    """A course folder with the source notebooks of ch02 (and of the given suites' assignments),
    never their .py, which holds the solution."""
    for suite in (_hostile, *suites):
        src = root / "source" / suite.ASSIGNMENT
        src.mkdir(parents=True, exist_ok=True)
        shutil.copy(suite.TEMPLATE_PATH, src)
    return Course(root)


SUITES = (_hostile, _hostile_pooling)


class _Listener:
    """A TCP server on the host that counts connections (a sandbox must make none)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def _grade_hostile(root: Path) -> dict:
    from autograder.gradebook import open_gradebook, scores
    from autograder.parallel import grade_assignment

    course = make_course(root, *SUITES)
    listener = _Listener()
    out = {"failed": {}, "graded": 0, "scores": {}, "results": {}, "seconds": {}}
    try:
        for suite in SUITES:
            a = suite.ASSIGNMENT
            other = course.submitted("honest_solution", a) / f"{a}.ipynb"
            ctx = {"db": str(root / "gradebook.db"), "source": course.source(a) / other.name,
                   "other": other, "port": listener.port, "limits": TEST_LIMITS}
            cases = suite.cases()
            for case in cases:
                folder = course.submitted(case.name, a)
                folder.mkdir(parents=True)
                (folder / case.filename.replace(_hostile.ASSIGNMENT, a)).write_bytes(case.build(ctx))
            start = time.monotonic()
            summary = grade_assignment(course, a, jobs=2, limits=TEST_LIMITS, progress=False)
            out["seconds"][a] = time.monotonic() - start
            out["failed"].update({f"{a}/" + "/".join(k): v for k, v in summary.failed.items()})
            out["graded"] += len(summary.graded)
            with open_gradebook(course.db_url) as gb:
                for case in cases:
                    out["scores"][f"{a}/{case.name}"] = scores(gb, a, case.name, a)
            for case in cases:
                path = course.autograded(case.name, a) / f"{a}.grading.json"
                out["results"][f"{a}/{case.name}"] = json.loads(path.read_text()) if path.exists() else None
    finally:
        listener.close()
    out["connections"] = listener.connections
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    out["survivors"] = [line for line in ps.splitlines() if "424" in line and "sleep" in line]
    return out


@pytest.fixture(scope="session")
def hostile_batch(shared_dir):
    """The hostile suite graded by :func:`grade_assignment`: scores, results, what leaked."""
    done = shared_dir / "hostile-batch.json"
    with open(shared_dir / "hostile-batch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            root = shared_dir / "hostile-course"
            shutil.rmtree(root, ignore_errors=True)
            done.write_text(json.dumps(_grade_hostile(root), default=str))
    return json.loads(done.read_text())


@pytest.fixture(scope="session")
def postgres():
    """A private PostgreSQL server for this test session (skipped, saying why, without one)."""
    from . import _postgres

    try:
        server = _postgres.Server()
    except FileNotFoundError as err:
        pytest.skip(str(err))
    yield server
    server.stop()
