"""autograder.worker: one trusted grading process, its jails, and a forked judge per notebook.

A :class:`Worker` is built here, in the test process, for a tiny assignment whose scores are
derived by hand (``_machinery``); its judges are forks of this process. The message protocol
is driven over its real pipes (``python -m autograder.worker``). Oracles: the hand-derived
scores, the installed packages (which jail has PyTorch), and the operating system (``/proc``:
which processes a killed jail or judge leaves).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import autograder
from autograder import worker as worker_module
from autograder.jails import GraderFault
from autograder.sandbox import Limits, Slot, sandbox_uid
from autograder.worker import Worker
from autograder.workers import setup_message

from . import _machinery as tiny
from ._machinery import descendants, is_running, needs_bwrap, wait_until

pytestmark = needs_bwrap

LIMITS = Limits(cell_seconds=20, notebook_seconds=60, memory_mb=3000, processes=48)
PARTS = tiny.template(tiny.PLAIN, tiny.OWN)              # t_plain (1): any jail; t_own (2): the jail without torch
STUCK = tiny.template(tiny.SMALL, tiny.graded(           # a test that the judge's own clock cannot stop
    "t_stuck", 2, "import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\ntime.sleep(60)\n"))
USES_TORCH = "import torch\n    return int(torch.tensor(x) * 2)"


@pytest.fixture(scope="module")
def worker():
    with Slot() as slot:
        setup = setup_message({"parts": PARTS, "stuck": STUCK}, {}, LIMITS, require_sandbox=True)
        one = Worker({**setup, "uid": sandbox_uid(slot.number)})
        yield one
        one.close()


def data(nb: dict) -> bytes:
    return json.dumps(nb).encode()


def test_one_jail_per_module_set_and_each_part_is_answered_by_its_own(worker):
    assert worker.sets == [(), ("torch",)]
    assert {key: server.plan.hidden for key, server in worker.servers.items()} == {(): (), ("torch",): ("torch",)}
    right = worker.grade("parts", data(tiny.submission(PARTS, "return 2 * x")))["result"]
    assert right["scores"] == {"t_plain": 1.0, "t_own": 2.0}
    # an answer that needs PyTorch: right where PyTorch is, 0 in the part that forbids it
    torchy = worker.grade("parts", data(tiny.submission(PARTS, USES_TORCH)))["result"]
    assert torchy["scores"] == {"t_plain": 1.0, "t_own": 0.0}
    assert "torch is not available in this part of the assignment" in torchy["reasons"]["t_own"]


def test_the_solution_is_graded_from_the_template_and_a_broken_file_is_a_students_zero(worker):
    assert worker.grade("parts", None)["result"]["scores"] == {"t_plain": 1.0, "t_own": 2.0}
    broken = worker.grade("parts", b"\x00 not a notebook")["result"]          # a result, not a fault
    assert broken["scores"] == {"t_plain": 0.0, "t_own": 0.0}
    assert any("not valid notebook JSON" in note for note in broken["notes"])


def test_a_dead_jail_is_replaced_before_the_next_notebook(worker):
    old = worker.servers[("torch",)]
    inside = descendants(old.proc.pid)
    os.killpg(old.proc.pid, signal.SIGKILL)
    assert wait_until(lambda: not any(is_running(p) for p in inside))
    reply = worker.grade("parts", data(tiny.submission(PARTS, "return 2 * x")))
    assert reply["result"]["scores"] == {"t_plain": 1.0, "t_own": 2.0}
    new = worker.servers[("torch",)]
    assert new is not old and is_running(new.proc.pid) and new.plan.hidden == ("torch",)


def _dies(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_judge_that_dies_is_a_fault_never_a_score(worker, monkeypatch):
    monkeypatch.setattr(worker_module, "grade_notebook", _dies)      # the judge, a fork, dies mid-notebook
    reply = worker.grade("parts", data(tiny.submission(PARTS, "return 2 * x")))
    assert reply == {"fault": "the judge of parts.ipynb stopped unexpectedly (status 9)"}    # 9: killed by SIGKILL
    monkeypatch.undo()
    assert worker.grade("parts", None)["result"]["scores"] == {"t_plain": 1.0, "t_own": 2.0}


@pytest.mark.parametrize("error, fault", [
    (ZeroDivisionError("boom"), "the grader failed on parts.ipynb: ZeroDivisionError: boom"),
    (GraderFault("the sandbox's server is gone"), "the sandbox's server is gone"),
], ids=["a bug of the grader", "a fault of its sandbox"])
def test_a_judge_that_fails_reports_a_fault_in_plain_words(worker, monkeypatch, error, fault):
    def fails(*args, **kwargs):
        raise error

    monkeypatch.setattr(worker_module, "grade_cells", fails)
    reply = worker.grade("parts", data(tiny.submission(PARTS, "return 2 * x")))
    assert list(reply) == ["fault"] and reply["fault"].startswith(fault)


def test_a_judge_past_the_notebooks_time_is_killed_and_keeps_what_finished(worker, monkeypatch):
    monkeypatch.setattr(worker, "limits", dataclasses.replace(worker.limits, notebook_seconds=5))
    monkeypatch.setattr(worker_module, "MARGIN_SECONDS", 1)
    before = descendants(os.getpid())
    start = time.monotonic()
    result = worker.grade("stuck", data(tiny.submission(STUCK, "return 2 * x")))["result"]
    assert 6 <= time.monotonic() - start < 30
    assert result["scores"] == {"t_small": 1.0, "t_stuck": 0.0}
    assert result["flags"] == ["timeout"]
    assert "the notebook ran out of time; the cells that had not finished score 0" in result["notes"]
    stuck = [c for c in result["cells"] if c["grade_id"] == "t_stuck"]
    assert [(c["status"], c["evalue"]) for c in stuck] == [("timeout", "the notebook ran longer than 5 s")]
    assert wait_until(lambda: descendants(os.getpid()) <= before), "the killed judge is still running"


# ------------------------------------------------------------------ the message protocol

OWN_ONLY = tiny.template(tiny.SMALL, tiny.LARGE)         # one jail, without torch: quick to start


class Process:
    """``python -m autograder.worker`` on its real pipes: requests on stdin, replies on its fd."""

    def __init__(self):
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, pass_fds=(write_fd,), start_new_session=True,
                                     env={**os.environ, "AUTOGRADER_REPLY_FD": str(write_fd)},
                                     cwd=Path(autograder.__file__).resolve().parents[1])
        os.close(write_fd)
        self.replies = os.fdopen(read_fd, "rb")

    def ask(self, message: dict, seconds: float = 120) -> dict:
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()
        assert select.select([self.replies], [], [], seconds)[0], f"no reply to {message['op']}"
        return json.loads(self.replies.readline())

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.replies.close()


@pytest.fixture
def process():
    started = []

    def start() -> Process:
        started.append(Process())
        return started[-1]

    yield start
    for one in started:
        one.close()


def test_the_protocol_setup_grade_and_stop(process):
    one = process()
    assert one.ask(setup_message({"own": OWN_ONLY}, {}, LIMITS, require_sandbox=True)) == {"ready": True,
                                                                                          "sets": [["torch"]]}
    jails = descendants(one.proc.pid)
    assert jails, "the worker started its jail ahead of need"
    solution = one.ask({"op": "grade", "notebook": "own", "data": None})
    assert solution["result"]["scores"] == {"t_small": 1.0, "t_large": 2.0}
    answer = base64.b64encode(data(tiny.submission(OWN_ONLY, "return x + 2"))).decode()
    assert one.ask({"op": "grade", "notebook": "own", "data": answer})["result"]["scores"] == \
        {"t_small": 1.0, "t_large": 0.0}
    one.proc.stdin.write(b'{"op": "stop"}\n')
    one.proc.stdin.flush()
    assert one.proc.wait(30) == 0
    assert wait_until(lambda: not any(is_running(p) for p in jails)), "a jail outlived its worker"


def test_a_setup_that_fails_is_a_fault_in_plain_words(process):
    bad = tiny.template(tiny.graded("t_bad", 1, "forbid(double, modules())\n", own=False))
    one = process()
    reply = one.ask(setup_message({"bad": bad}, {}, LIMITS))
    assert list(reply) == ["fault"]
    assert reply["fault"].startswith("ValueError: forbid()'s list of modules must be a literal, or a name a locked "
                                     "cell assigns a literal to: modules()")
    assert one.proc.wait(30) == 1
