"""What a jail sees and may do: autograder.sandbox, autograder.hiding, autograder.jails, autograder.zygote.

The student's process lives in a bubblewrap jail forked by the jail's server; these tests
look at it from inside (a probe cell) and check what the next notebook in the same jail
finds, what a part's hidden modules leave on disk, and the documented fallback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from autograder import sandbox
from autograder.hiding import plan as hiding_plan
from autograder.jails import GraderFault, JailServer
from autograder.judge import NO_MODULES, NotebookPlan, grade_cells

from .conftest import TEST_LIMITS

needs_bwrap = pytest.mark.skipif(sandbox.bwrap_path() is None, reason="bubblewrap is not installed")
# a machine-wide slot held while this module's worker lives: two pytest workers (or a grader running
# beside the tests) never share a uid, so one jail's clean-up never kills the other's processes
_SLOT = sandbox.Slot()
UID = sandbox.sandbox_uid(_SLOT.number)


def cells_of(*sources):
    return [{"index": i, "kind": "answer", "grade_id": None, "source": s, "cell_type": "code", "points": 0.0}
            for i, s in enumerate(sources)]


def run(server, sources, limits=TEST_LIMITS, key=NO_MODULES):
    return grade_cells(cells_of(*sources), {"cells": []}, NotebookPlan(set(), {-1: key}), {key: server}, limits)


@pytest.fixture(scope="module")
def jail():
    server = JailServer(hiding_plan(()), TEST_LIMITS, UID, require=True)
    yield server
    server.close()


PROBE = """
import os
print("CWD", sorted(os.listdir(".")))
print("ROOT", sorted(os.listdir("/")))
print("UID", os.getuid())
print("PIDS", len([p for p in os.listdir("/proc") if p.isdigit()]))
print("NOTEBOOKS", os.path.exists({notebooks!r}))
print("ENV", sorted(os.environ))
"""


@needs_bwrap
def test_the_jail_sees_an_empty_folder_and_no_course(jail):
    notebooks = os.path.join(os.path.dirname(sandbox.CNN_CORE), "notebooks")
    [r] = run(jail, [PROBE.format(notebooks=notebooks)])
    assert r.status == "ok", r.evalue
    lines = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    assert lines["CWD"] == "[]"
    assert lines["NOTEBOOKS"] == "False"
    assert "autograder-work" in lines["ROOT"] and "grader" in lines["ROOT"]
    if os.geteuid() == 0:
        assert int(lines["UID"]) >= sandbox.BASE_UID          # never root inside
    assert int(lines["PIDS"]) <= 3                             # bubblewrap's init, the server, this process
    assert "AUTOGRADER" not in lines["ENV"] and "HOME" in lines["ENV"]


@needs_bwrap
def test_the_next_notebook_finds_nothing_the_last_one_left(jail):
    # /tmp is empty, or holds only the folders above the course when the course is under /tmp
    first = run(jail, ["import os\nprint(sorted(os.listdir('/tmp')))\n"
                       "open('left.txt', 'w').write('x')\nopen('/tmp/left.txt', 'w').write('x')\n"
                       "os.makedirs('/tmp/a/b/c')\nopen('/tmp/a/b/c/f', 'w').write('x')\n"
                       "os.chmod('/tmp/a/b/c', 0o500)\nos.chmod('/tmp/a/b', 0o500)\nimport subprocess\n"
                       "subprocess.Popen(['sleep', '300'], start_new_session=True)\nprint('planted')"])
    before, planted = first[0].stdout.strip().splitlines()
    assert planted == "planted", first[0].evalue
    [second] = run(jail, ["import os\nprint(sorted(os.listdir('.')), sorted(os.listdir('/tmp')))\n"
                          "print(len([p for p in os.listdir('/proc') if p.isdigit()]))"])
    listing, pids = second.stdout.strip().splitlines()
    assert listing == f"[] {before}"
    assert int(pids) <= 3, "a process of the last notebook is still running"


@needs_bwrap
def test_a_hidden_module_is_not_in_the_jail_at_all():
    plan = hiding_plan(["torch", "cnn_core.reference", "numpy.pad"])
    server = JailServer(plan, TEST_LIMITS, UID, require=True)
    try:
        import torch
        conv = os.path.join(os.path.dirname(torch.__file__), "nn", "modules", "conv.py")
        source = (f"import os\nprint('FILE', os.path.exists({conv!r}))\n"
                  "try:\n    import torch\nexcept ImportError as err:\n    print('IMPORT', err)\n"
                  "import numpy as np\ntry:\n    np.pad(np.zeros(2), 1)\nexcept ImportError as err:\n    print('PAD', err)\n"
                  "from cnn_core.grading import check_close\nprint('GRADING ok')\n")
        [r] = run(server, [source], key=plan.names)
    finally:
        server.close()
    assert r.status == "ok", r.evalue
    assert "FILE False" in r.stdout
    assert "IMPORT torch is not available in this part of the assignment" in r.stdout
    assert "PAD numpy.pad is not available" in r.stdout
    assert "GRADING ok" in r.stdout                           # what the part allows still imports


@needs_bwrap
def test_a_hidden_package_folder_keeps_nothing_for_the_next_notebook():
    """The empty folder that replaces a forbidden package is read-only, even for a student process
    of the grader's own uid (uid None: a grader that is not root); it was writable there, and what
    one notebook wrote was still there for the next."""
    import torch
    folder = os.path.dirname(torch.__file__)
    plan = hiding_plan(["torch"])
    server = JailServer(plan, TEST_LIMITS, None, require=True)
    try:
        [first] = run(server, [f"import os\ntry:\n    open({folder!r} + '/planted.py', 'w').write('x = 1')\n"
                               f"    print('WROTE')\nexcept OSError as err:\n    print('REFUSED', err.errno)\n"], key=plan.names)
        [second] = run(server, [f"import os\nprint(sorted(os.listdir({folder!r})))"], key=plan.names)
    finally:
        server.close()
    assert first.stdout.strip() == "REFUSED 30", first.stdout + str(first.evalue)      # EROFS
    assert second.stdout.strip() == "['__init__.py']"


def test_fallback_without_bubblewrap_warns_loudly(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.warns(RuntimeWarning, match="AUTOGRADER FALLBACK"):
        server = JailServer(hiding_plan(["torch"]), TEST_LIMITS, UID)
    try:
        [r] = run(server, ["print(6 * 7)\ntry:\n    import torch\nexcept ImportError:\n    print('no torch')"],
                  key=("torch",))
    finally:
        server.close()
    assert r.status == "ok" and r.stdout.split() == ["42", "no", "torch"]


def test_require_sandbox_refuses_the_fallback(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="install_grading_deps"):
        JailServer(hiding_plan(()), TEST_LIMITS, UID, require=True)


def test_a_timeout_kills_the_process_and_the_next_cells_run_in_a_new_one(jail):
    limits = type(TEST_LIMITS)(cell_seconds=1.5, notebook_seconds=60, memory_mb=TEST_LIMITS.memory_mb)
    results = run(jail, ["x = 41", "while True:\n    pass", "print(x + 1)"], limits)
    assert [r.status for r in results] == ["ok", "timeout", "ok"]
    assert results[2].stdout.strip() == "42"                      # x was replayed in the new process


def test_the_notebook_clock_stops_the_run_and_keeps_what_completed(jail):
    limits = type(TEST_LIMITS)(cell_seconds=60, notebook_seconds=8, memory_mb=TEST_LIMITS.memory_mb)
    results = run(jail, ["print(0)", "import time\ntime.sleep(100)", "print(2)"], limits)
    assert [r.status for r in results] == ["ok", "timeout", "timeout"]
    assert results[0].stdout.strip() == "0"
    assert "notebook ran longer" in results[2].evalue


def test_a_server_that_cannot_start_is_a_fault_of_the_grader(monkeypatch):
    monkeypatch.setattr(sandbox, "python_command", lambda: ["/nonexistent/python"])
    start = time.monotonic()
    with pytest.raises(GraderFault, match="did not start"):
        JailServer(hiding_plan(()), TEST_LIMITS, UID)
    assert time.monotonic() - start < 60


@needs_bwrap
def test_a_virtual_environment_behind_a_symlink_works(tmp_path):
    """A .venv that is a symbolic link: the jail must run the interpreter by the path it was
    given. The link is under /tmp (pytest's tmp_path), as a course cloned into /tmp is: the
    jail's own /tmp must stay writable for the student, and emptying it after a notebook
    must leave the environment bound inside it alone, so a second notebook runs too."""
    link = tmp_path / "linked-venv"
    link.symlink_to(os.path.realpath(sys.prefix))
    code = ("import json\nfrom autograder.hiding import plan\nfrom autograder.jails import JailServer\n"
            "from autograder.judge import NotebookPlan, grade_cells\nfrom autograder.sandbox import Limits\n"
            f"s = JailServer(plan(()), Limits(), {UID!r}, require=True)\n"
            "cell = {'index': 0, 'kind': 'answer', 'grade_id': None, 'cell_type': 'code', 'points': 0.0, "
            "'source': 'import os, numpy\\nos.makedirs(\\'/tmp/mine/deep\\')\\nprint(6 * 7)'}\n"
            "for _ in range(2):\n"
            "    r = grade_cells([cell], {'cells': []}, NotebookPlan(set(), {}), {(): s}, Limits())\n"
            "    print(json.dumps([r[0].status, r[0].stdout, r[0].evalue]))\n"
            "s.close()\n")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    out = subprocess.run([str(link / "bin" / "python"), "-c", code], capture_output=True, text=True, env=env,
                         cwd=os.path.dirname(sandbox.CNN_CORE), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert [json.loads(line) for line in out.stdout.strip().splitlines()[-2:]] == [["ok", "42\n", ""]] * 2


def _asking(**times):
    return {"metadata": {"autograder": times}}


def test_an_assignment_can_ask_for_more_time_never_less_and_nothing_else():
    base = sandbox.Limits(cell_seconds=60, notebook_seconds=600, cpu_seconds=900, memory_mb=4096)
    assert base.for_template({"metadata": {}}) == base
    assert base.for_template({}) == base
    longer = base.for_template(_asking(cell_seconds=1200, notebook_seconds=2400))
    assert (longer.cell_seconds, longer.notebook_seconds) == (1200.0, 2400.0)
    assert longer.cpu_seconds == 3600                      # 900 s per 600 s of notebook, four times over
    assert longer.memory_mb == base.memory_mb and longer.disk_mb == base.disk_mb
    assert base.for_template(_asking(cell_seconds=10, notebook_seconds=100)) == base
    assert base.for_template(_asking(memory_mb=10 ** 6, processes=10 ** 4)) == base
    for junk in ("1200", True, None, [1200], float("nan"), -5):
        assert base.for_template(_asking(cell_seconds=junk)) == base, junk
    assert base.for_template({"metadata": {"autograder": "cell_seconds=1200"}}) == base
    capped = base.for_template(_asking(cell_seconds=10 ** 9, notebook_seconds=float("inf")))
    assert capped.cell_seconds == capped.notebook_seconds == sandbox.MAX_ASKED_SECONDS


@needs_bwrap
def test_the_assignments_processor_time_reaches_the_student_process(jail):
    """The jail's server is started with the course's limits; a notebook that asked for more
    time runs in a process with the longer processor-time limit."""
    probe = "import resource\nprint(resource.getrlimit(resource.RLIMIT_CPU)[0])"
    limits = TEST_LIMITS.for_template(_asking(notebook_seconds=TEST_LIMITS.notebook_seconds * 3))
    assert limits.cpu_seconds > TEST_LIMITS.cpu_seconds
    [plain] = run(jail, [probe])
    [longer] = run(jail, [probe], limits=limits)
    assert int(plain.stdout) == TEST_LIMITS.cpu_seconds and int(longer.stdout) == limits.cpu_seconds
