"""autograder.jails: the trusted side's fork server per set of hidden modules.

Oracles: the operating system (``/proc``: which processes run, with which limits and uid;
the host's own files, which show what a jail lacks), the installed packages (their metadata,
their folders on disk) and hand-derived cases. Student processes are driven one request at a
time through :class:`autograder.remote.Jail`, without a judge.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib.metadata
import importlib.util
import os
import re
import signal
import sys
import tempfile
import time

import pytest

from autograder import jails, sandbox
from autograder.hiding import plan as hiding_plan
from autograder.jails import GraderFault, JailServer
from autograder.remote import AnswerDied
from autograder.sandbox import Limits, Slot, sandbox_uid

from ._machinery import ROOT, descendants, is_running, needs_bwrap, tags, wait_until, with_marker
from .conftest import TEST_LIMITS

pytestmark = needs_bwrap


@pytest.fixture(scope="module")
def uid():
    with Slot() as slot:                      # a machine-wide slot: no other test kills this uid's processes
        yield sandbox_uid(slot.number)


@pytest.fixture(scope="module")
def no_torch(uid):
    server = JailServer(hiding_plan(["torch"]), TEST_LIMITS, uid, require=True)
    yield server
    server.close()


def run(jail, source: str, seconds: float = 30.0) -> str:
    """Run one cell in a student process; what it printed."""
    jail.deadline = time.monotonic() + seconds
    reply = jail.request({"op": "cell", "source": source, "index": 0})
    out, err, _ = jail.take_output()
    assert reply.get("status") == "ok", (reply, err)
    return out


def once(server: JailServer, source: str, limits: Limits | None = None) -> str:
    """One notebook's worth: spawn, run a cell, close, reap."""
    jail = server.spawn(limits)
    try:
        return run(jail, source)
    finally:
        jail.close()
        server.reap()


def test_a_jail_lacks_the_modules_its_set_hides_and_keeps_the_rest(no_torch):
    folder = importlib.util.find_spec("torch").submodule_search_locations[0]
    assert {"nn", "__init__.py"} <= set(os.listdir(folder))          # on the host: all of PyTorch
    out = once(no_torch, f"import os\nprint(sorted(os.listdir({folder!r})))\n"
                         "try:\n    import torch\nexcept ModuleNotFoundError as err:\n    print('missing', err.name)\n"
                         "import json, numpy\nprint(json.dumps([int(numpy.arange(4).sum())]))")
    listing, missing, rest = out.splitlines()
    assert set(ast.literal_eval(listing)) <= {"__init__.py", "__pycache__"}     # the stub that raises (and its cache)
    assert (missing, rest) == ("missing torch", "[6]")
    jail = no_torch.spawn()
    try:
        assert jail.hidden == ("torch",)              # what forbid() is told this process lacks
    finally:
        jail.close()
        no_torch.reap()


def test_a_jail_that_hides_nothing_has_pytorch(uid):
    server = JailServer(hiding_plan([]), TEST_LIMITS, uid, require=True)
    try:
        out = once(server, "import torch\nprint(torch.__version__, torch.ones(3).sum().item())")
    finally:
        server.close()
    assert out.split() == [importlib.metadata.version("torch"), "3.0"]


@pytest.mark.parametrize("use_bwrap", [True, pytest.param(False, marks=pytest.mark.skipif(
    not ROOT, reason="without root the fallback's students run as the caller: no uid tells their processes apart"))],
    ids=["jail", "fallback"])
def test_close_ends_the_server_and_every_process_its_notebooks_started(tags, uid, use_bwrap):
    warns = contextlib.nullcontext() if use_bwrap else pytest.warns(RuntimeWarning, match="AUTOGRADER FALLBACK")
    with warns:
        server = JailServer(hiding_plan(["torch"]), TEST_LIMITS, uid, use_bwrap=use_bwrap)
    tag = tags()
    try:
        run(server.spawn(), "import os\nif os.fork() == 0:\n    os.setsid()\n"      # a daemon, a session of its own
                            f"    os.execvp('sleep', ['sleep', '{tag}'])")
        assert wait_until(lambda: with_marker(tag))
        inside = descendants(server.proc.pid) | with_marker(tag) | {server.proc.pid}
        assert len(inside) >= (5 if use_bwrap else 3)     # (bubblewrap, its init,) the server, the student, the daemon
    finally:
        server.close()
    assert wait_until(lambda: not any(is_running(p) for p in inside)), "a process of the jail outlived close()"
    assert server.private is None or not os.path.exists(server.private)       # the fallback's working folder


def test_spawn_runs_each_notebook_under_the_limits_it_is_given(no_torch, uid):
    probe = ("import os, resource\nfor r in ('AS', 'CPU', 'FSIZE', 'CORE', 'NPROC'):\n"
             "    print(r, *resource.getrlimit(getattr(resource, 'RLIMIT_' + r)))\nprint('UID', os.getuid())")
    asked = Limits(memory_mb=1500, cpu_seconds=77, file_mb=3, processes=20)
    got = dict(line.split(" ", 1) for line in once(no_torch, probe, asked).splitlines())
    assert got["AS"] == f"{1500 * 2**20} {1500 * 2**20}"
    assert got["CPU"] == "77 82"                                  # 5 s of grace before SIGKILL
    assert got["FSIZE"] == f"{3 * 2**20} {3 * 2**20}"
    assert got["CORE"] == "0 0"
    if ROOT:
        assert got["NPROC"] == "20 20"
        assert int(got["UID"]) == uid != 0
    default = dict(line.split(" ", 1) for line in once(no_torch, probe).splitlines())
    assert default["AS"].split()[0] == str(TEST_LIMITS.memory_mb * 2**20)    # the server's own limits


def test_output_past_the_notebooks_limit_is_cut(no_torch):
    jail = no_torch.spawn(dataclasses.replace(TEST_LIMITS, output_bytes=10))
    try:
        jail.deadline = time.monotonic() + 30
        assert jail.request({"op": "cell", "source": "print('x' * 50)", "index": 0})["status"] == "ok"
        assert jail.take_output() == ("x" * 10, "", True)
    finally:
        jail.close()
        no_torch.reap()


def test_a_student_process_that_dies_leaves_the_server_serving_the_next(no_torch):
    jail = no_torch.spawn()
    jail.deadline = time.monotonic() + 30
    with pytest.raises(AnswerDied):
        jail.request({"op": "cell", "source": "import os\nos._exit(3)", "index": 0})
    jail.close()
    no_torch.reap()
    assert no_torch.alive()
    assert once(no_torch, "print(6 * 7)") == "42\n"


def test_a_dead_server_is_not_alive_and_spawning_from_it_is_a_fault_of_the_grader(uid):
    server = JailServer(hiding_plan(["torch"]), TEST_LIMITS, uid, require=True)
    try:
        assert server.alive()
        inside = descendants(server.proc.pid)
        os.killpg(server.proc.pid, signal.SIGKILL)
        assert wait_until(lambda: not any(is_running(p) for p in inside))
        assert not server.alive()
        with pytest.raises(GraderFault, match="the sandbox's server"):
            server.spawn()
    finally:
        server.close()


@pytest.mark.parametrize("use_bwrap", [True, False], ids=["jail", "fallback"])
@pytest.mark.parametrize("says, fault", [("", "the sandbox's server did not start (no answer)"),
                                         ("hello", "the sandbox's server sent b'hello'")], ids=["hangs", "babbles"])
def test_a_server_that_hangs_or_babbles_at_start_is_a_fault_and_is_not_left_running(tags, monkeypatch, tmp_path,
                                                                                      use_bwrap, says, fault):
    tag = tags()
    script = "import os, socket, time\n"          # a stand-in for the server: says this, then never answers
    if says:
        script += ("socket.socket(fileno=int(os.environ['AUTOGRADER_CONTROL_FD']))"
                   f".sendall({says!r}.encode() + b'\\n')\n")
    script += f"time.sleep({tag})\n"
    monkeypatch.setattr(jails, "STARTUP_SECONDS", 5.0)
    monkeypatch.setattr(sandbox, "python_command", lambda: [sys.executable, "-I", "-c", script])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))       # where the fallback makes its private folder
    warns = contextlib.nullcontext() if use_bwrap else pytest.warns(RuntimeWarning, match="AUTOGRADER FALLBACK")
    start = time.monotonic()
    with warns, pytest.raises(GraderFault, match=re.escape(fault)):
        JailServer(hiding_plan(["torch"]), TEST_LIMITS, None, use_bwrap=use_bwrap)
    assert time.monotonic() - start < 30
    assert wait_until(lambda: not with_marker(tag)), "the server that failed to start is still running"
    assert list(tmp_path.iterdir()) == [], "the fallback's private folder was left behind"


def test_a_server_that_can_still_import_a_module_it_hides_is_refused(uid):
    leaky = hiding_plan(["torch"])
    leaky = dataclasses.replace(leaky, names=("json", "torch"), hidden=("json", "torch"))    # json: not masked
    before = descendants(os.getpid())
    with pytest.raises(GraderFault, match="still imports json, which it must hide") as refused:
        JailServer(leaky, TEST_LIMITS, uid, require=True)
    # the error (and its traceback, which holds the half-made server) is still held here, as a caller would
    assert wait_until(lambda: descendants(os.getpid()) <= before), f"the refused jail still runs ({refused.value})"
