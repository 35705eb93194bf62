"""A grading run killed with ``kill -9`` resumes: nothing finished is regraded, no grade is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from autograder.gradebook import open_gradebook, scores

from . import _hostile
from .conftest import TEST_LIMITS, make_course

A = _hostile.ASSIGNMENT


def _grade_cmd(root):
    return [sys.executable, "-m", "autograder", "grade", A, "--course", str(root), "--jobs", "1", "--no-progress",
            "--cell-timeout", str(TEST_LIMITS.cell_seconds), "--memory-mb", str(TEST_LIMITS.memory_mb)]


def _journal_lines(root) -> int:
    path = root / ".autograder" / f"journal-{A}.jsonl"
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def _ours(root) -> list[str]:
    """The grading workers of this course's run still alive (they run in the course folder; their
    jails die with them: bubblewrap's --die-with-parent)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd") == str(root) and \
                    b"autograder.worker" in open(f"/proc/{pid}/cmdline", "rb").read():
                found.append(pid)
        except OSError:
            continue
    return found


def test_kill_minus_9_then_resume(tmp_path):
    course = make_course(tmp_path / "course")
    expected = {}
    n = 24
    for i in range(n):
        right = i % 2 == 0
        folder = course.submitted(f"s{i}", A)
        folder.mkdir(parents=True)
        nb = _hostile.notebook({} if right else {"conv2d": _hostile.CONV_ZEROS})
        (folder / f"{A}.ipynb").write_text(json.dumps(nb))
        expected[f"s{i}"] = _hostile.TOTAL if right else _hostile.score_without("conv2d")

    scratch = tmp_path / "tmp"                 # the run's own temporary folder: other tests running
    scratch.mkdir()                            # at the same time make theirs elsewhere
    env = dict(os.environ, PYTHONPATH=str(_hostile.ROOT), TMPDIR=str(scratch))
    proc = subprocess.Popen(_grade_cmd(course.root), cwd=course.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 150
    while _journal_lines(course.root) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = _journal_lines(course.root)
    assert 2 <= finished < n, "the run should have been killed part way"

    # the killed run leaves no worker, jail or working folder behind
    deadline = time.monotonic() + 60
    while _ours(course.root) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _ours(course.root) == []
    assert sorted(os.listdir(scratch)) == []

    # nothing finished was lost: the journaled students are in the gradebook
    done = [json.loads(line)["student"] for line in
            (course.root / ".autograder" / f"journal-{A}.jsonl").read_bytes().splitlines()]
    with open_gradebook(course.db_url) as gb:
        for student in done:
            assert sum(scores(gb, A, student, A).values()) == expected[student]

    rerun = subprocess.run(_grade_cmd(course.root), cwd=course.root, env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"graded {n - finished}, already done {finished}, failed 0" in rerun.stdout
    with open_gradebook(course.db_url) as gb:
        got = {s: sum(scores(gb, A, s, A).values()) for s in expected}
    assert got == expected
