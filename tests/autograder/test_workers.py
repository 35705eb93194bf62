"""autograder.workers: the parent's handle on a grading worker process, and the set-up message.

A :class:`WorkerProcess` grades a tiny assignment whose scores are derived by hand
(``_machinery``). Its template's test cells are trusted code, so a test may kill or stop its
own worker (``os.getppid()`` of the judge) when the answer is a chosen value: a worker that
dies or hangs on one notebook, exactly as a crash of the grader would. Oracles: the
hand-derived scores, JSON (the set-up message is plain data), and the operating system:
the slot's lock in ``/proc/locks``, ``/proc`` for the processes, ``fstat`` for this process's
own files.
"""

from __future__ import annotations

import json
import os
import signal

import pytest

from autograder import workers
from autograder.jails import GraderFault
from autograder.sandbox import Limits, Slot
from autograder.workers import WorkerProcess, setup_message

from . import _machinery as tiny
from ._machinery import ROOT, descendants, is_running, needs_bwrap, wait_until

pytestmark = needs_bwrap

LIMITS = Limits(cell_seconds=20, notebook_seconds=60, memory_mb=3000, processes=48)
OWN = tiny.template(tiny.SMALL, tiny.LARGE)                   # t_small 1, t_large 2; one jail, without torch
CRASH = tiny.template(tiny.SMALL, tiny.KILLS_ITS_WORKER)      # the worker dies when double(1) is 99
HANG = tiny.template(tiny.SMALL, tiny.graded(                 # ... and stops answering when it is 77
    "t_hang", 1, "if double(1) == 77:\n    import os, signal\n    os.kill(os.getppid(), signal.SIGSTOP)\n"))
TEMPLATES = {"own": OWN, "crash": CRASH, "hang": HANG}
UID_PROBE = "import os\nprint('UID', os.getuid())\ndef double(x):\n    return 2 * x\n"


def data(nb: dict) -> bytes:
    return json.dumps(nb).encode()


def we_hold(number: int) -> bool:
    """Does this process hold the ``flock`` of slot ``number`` (``/proc/locks``; another process may
    take the slot the moment we free it, so "free" means "not ours")?"""
    inode = os.stat(f"/tmp/autograder-slots/{number}.lock").st_ino
    for line in open("/proc/locks"):
        fields = line.split()
        if fields[1] == "FLOCK" and int(fields[4]) == os.getpid() and int(fields[5].split(":")[2]) == inode:
            return True
    return False


@pytest.fixture(scope="module")
def worker():
    one = WorkerProcess(setup_message(TEMPLATES, {}, LIMITS, require_sandbox=True))
    yield one
    one.close()


def test_the_setup_message_is_plain_data_every_worker_can_be_sent():
    sources = {"own": {"t_small": "assert double(2) == 4\n"}}
    message = setup_message(TEMPLATES, sources, LIMITS, use_bwrap=True, require_sandbox=True)
    assert json.loads(json.dumps(message)) == message           # it travels as JSON, to local and Dask workers
    assert message["op"] == "setup" and "uid" not in message     # each worker adds the uid of its own slot
    assert (message["templates"], message["sources"]) == (TEMPLATES, sources)
    assert Limits(**message["limits"]) == LIMITS
    assert (message["use_bwrap"], message["require_sandbox"]) == (True, True)


def test_grade_returns_the_notebooks_result(worker):
    assert worker.grade("own", None)["result"]["scores"] == {"t_small": 1.0, "t_large": 2.0}
    assert worker.grade("own", data(tiny.submission(OWN, "return x + 2")))["result"]["scores"] == \
        {"t_small": 1.0, "t_large": 0.0}


def test_a_worker_holds_a_machine_wide_slot_and_its_students_run_as_that_slots_uid(worker):
    number = worker.slot.number
    assert we_hold(number), "the slot's lock file is not held"
    result = worker.grade("own", data(tiny.submission(OWN, source=UID_PROBE)))["result"]
    assert result["scores"] == {"t_small": 1.0, "t_large": 2.0}
    [probe] = [c for c in result["cells"] if c["grade_id"] == "double"]
    uid = int(probe["stdout"].split()[1])
    assert uid == (62000 + number if ROOT else os.getuid())      # README: students run as 62000 + slot


def test_a_worker_that_dies_on_every_try_is_a_fault_and_the_next_notebook_gets_a_new_one(worker, tmp_path):
    first = worker.proc.pid
    reply = worker.grade("crash", data(tiny.submission(CRASH, "return 99")))
    assert reply == {"fault": "the grading worker exited (could not grade crash.ipynb; status -9)"}   # -9: SIGKILL
    assert not is_running(first)
    mine = [open(tmp_path / f"mine-{i}", "w") for i in range(20)]   # take the file numbers freed since
    inodes = [os.fstat(f.fileno()).st_ino for f in mine]
    try:
        reply = worker.grade("own", None)
        # each number still names this process's own file, never closed (or reused) by the worker's handle
        assert [os.fstat(f.fileno()).st_ino for f in mine] == inodes
    finally:
        for f in mine:
            try:
                f.close()
            except OSError:
                pass
    assert reply["result"]["scores"] == {"t_small": 1.0, "t_large": 2.0}
    assert is_running(worker.proc.pid) and worker.proc.pid != first


def test_a_worker_that_stops_answering_is_a_fault_after_the_notebooks_time(worker, monkeypatch):
    monkeypatch.setattr(worker, "limits", Limits(notebook_seconds=2))
    monkeypatch.setattr(workers, "MARGIN_SECONDS", 1)
    reply = worker.grade("hang", data(tiny.submission(HANG, "return 77")))
    assert reply == {"fault": "the grading worker did not grade hang.ipynb in 4 s"}
    assert not is_running(worker.proc.pid), "the stopped worker was not killed"


def test_a_worker_killed_between_notebooks_is_restarted_and_close_ends_it_and_frees_its_slot():
    one = WorkerProcess(setup_message({"own": OWN}, {}, LIMITS, require_sandbox=True))
    try:
        first, number = one.proc.pid, one.slot.number
        os.killpg(first, signal.SIGKILL)
        assert wait_until(lambda: not is_running(first))
        assert one.grade("own", data(tiny.submission(OWN, "return 2 * x")))["result"]["scores"] == \
            {"t_small": 1.0, "t_large": 2.0}
        second = one.proc.pid
        running = descendants(second) | {second}
        assert second != first and len(running) >= 3        # the worker, its jail (bubblewrap, the server)
    finally:
        one.close()
    assert wait_until(lambda: not any(is_running(p) for p in running)), "close() left a process running"
    assert not we_hold(number)


@pytest.fixture
def taken(monkeypatch):
    """The slots the workers of a test take."""
    slots = []

    class Recorded(Slot):
        def __init__(self):
            super().__init__()
            slots.append(self)

    monkeypatch.setattr(workers, "Slot", Recorded)
    return slots


def test_a_worker_that_cannot_start_is_a_fault_in_plain_words_and_gives_its_slot_back(taken):
    bad = tiny.template(tiny.graded("t_bad", 1, "forbid(double, modules())\n", own=False))
    before = descendants(os.getpid())
    with pytest.raises(GraderFault, match=r"^ValueError: forbid\(\)'s list of modules must be a literal"):
        WorkerProcess(setup_message({"bad": bad}, {}, LIMITS))
    [slot] = taken
    assert not we_hold(slot.number)
    assert wait_until(lambda: descendants(os.getpid()) <= before)


def test_a_worker_that_does_not_start_in_time_is_a_fault_and_is_not_left_running(taken, monkeypatch):
    monkeypatch.setattr(workers, "STARTUP_SECONDS", 0.05)       # far less than Python needs to import the grader
    before = descendants(os.getpid())
    with pytest.raises(GraderFault, match=r"^the grading worker did not start in 0\.1 s$") as refused:
        WorkerProcess(setup_message({"own": OWN}, {}, LIMITS, require_sandbox=True))
    # the error (and the half-made handle in its traceback) is still held here, as a caller would hold it
    assert wait_until(lambda: descendants(os.getpid()) <= before), f"the late worker is still running ({refused})"
    [slot] = taken
    assert not we_hold(slot.number)
