"""Shared pieces of the tests of the grading machinery (jails, zygote, worker, workers, parallel).

A tiny assignment whose scores are derived by hand: one answer, ``double(x)``, and test cells
worth a few points each. Its parts either forbid ``torch`` (answered by a jail without it,
which starts in a fraction of a second) or forbid nothing (a jail with PyTorch preloaded).

Process facts are read from ``/proc``, not from the code under test.
"""

from __future__ import annotations

import copy
import os
import time

import pytest

from autograder import sandbox

from ._cells import code, md as markdown

needs_bwrap = pytest.mark.skipif(sandbox.bwrap_path() is None, reason="bubblewrap is not installed")
ROOT = os.geteuid() == 0

ASSIGNMENT = "ps_tiny"
SOLUTION = "return 2 * x"


def answer(body: str = SOLUTION) -> dict:
    return code(f"def double(x):\n    ### BEGIN SOLUTION\n    {body}\n    ### END SOLUTION\n",
                grade_id="double", solution=True)


def graded(grade_id: str, points: float, source: str, *, own: bool = True) -> dict:
    """A test cell; ``own``: its part forbids torch (``forbid(double, NOT_ALLOWED)`` first)."""
    return code(("forbid(double, NOT_ALLOWED)\n" if own else "") + source, grade_id=grade_id, grade=True,
                points=points)


def template(*tests: dict, solution: str = SOLUTION) -> dict:
    cells = [markdown("# Doubling"),
             code("from cnn_core.grading import forbid\nNOT_ALLOWED = ['torch']\n", grade_id="setup", locked=True),
             answer(solution), *tests]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


# t_small 1 point, t_large 2 points: 2 * x earns 3; x + 2 earns 1 (right at 2 only); x * x earns 1 (likewise)
SMALL = graded("t_small", 1, "assert double(2) == 4\n")
LARGE = graded("t_large", 2, "assert double(50) == 100\n")
# a part that forbids nothing (the jail with PyTorch) and one that forbids torch
PLAIN = graded("t_plain", 1, "assert double(2) == 4\n", own=False)
OWN = graded("t_own", 2, "assert double(3) == 6\n")
# trusted test code that kills its own worker (the judge's parent) when double(1) is 99: a crash of
# the grader on that one notebook, as an out-of-memory kill would be; no student code can do this
KILLS_ITS_WORKER = graded("t_crash", 1, "if double(1) == 99:\n    import os, signal\n"
                                        "    os.kill(os.getppid(), signal.SIGKILL)\n")


def submission(tpl: dict, body: str | None = None, *, source: str | None = None) -> dict:
    """The template answered with ``def double(x): <body>`` (or the answer cell's whole ``source``)."""
    nb = copy.deepcopy(tpl)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "double":
            cell["source"] = source if source is not None else f"def double(x):\n    {body}\n"
    return nb


# ------------------------------------------------------------------ processes, from /proc

def state(pid: int) -> str | None:
    """The process's state letter (R, S, Z, ...), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def is_running(pid: int) -> bool:
    return state(pid) not in (None, "Z", "X")


def parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def descendants(root: int) -> set[int]:
    """The running processes below ``root`` (children, their children, ...)."""
    parents = {int(p): parent_of(int(p)) for p in os.listdir("/proc") if p.isdigit()}
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                found.add(child)
                todo.append(child)
    return {p for p in found if is_running(p)}


def with_marker(marker: str) -> set[int]:
    """The running processes whose command line holds ``marker``."""
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read() and is_running(int(pid)):
                    found.add(int(pid))
        except OSError:
            continue
    return found


def wait_until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def marker() -> str:
    """A number no other process on the machine has on its command line (``sleep <marker>``)."""
    return f"4242.{os.getpid()}{time.monotonic_ns() % 10**9:09d}"


@pytest.fixture
def tags():
    """``tags()``: a new marker; at the end, any process still carrying one is killed (so a test
    that fails leaves nothing running)."""
    made = []

    def new() -> str:
        made.append(marker())
        return made[-1]

    yield new
    for tag in made:
        for pid in with_marker(tag):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
