"""What a jail sees and may do, and the documented fallback when bubblewrap is missing."""

from __future__ import annotations

import os

import pytest

from autograder import sandbox
from autograder.execute import run_cells

from .conftest import TEST_LIMITS

needs_bwrap = pytest.mark.skipif(sandbox.bwrap_path() is None, reason="bubblewrap is not installed")

PROBE = """
import os, socket
print("CWD", sorted(os.listdir(".")))
print("ROOT", sorted(os.listdir("/")))
print("UID", os.getuid())
print("PIDS", len([p for p in os.listdir("/proc") if p.isdigit()]))
print("NOTEBOOKS", os.path.exists({notebooks!r}))
print("ENV", sorted(os.environ))
"""


@needs_bwrap
def test_the_jail_sees_an_empty_folder_and_no_course(tmp_path):
    notebooks = os.path.join(os.path.dirname(sandbox.CNN_CORE), "notebooks")
    [r] = run_cells([{"index": 0, "kind": "answer", "grade_id": None, "source": PROBE.format(notebooks=notebooks)}],
                    TEST_LIMITS, require_sandbox=True)
    assert r.status == "ok", r.evalue
    lines = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    assert lines["CWD"] == "[]"
    assert lines["NOTEBOOKS"] == "False"
    assert "root" in lines["ROOT"] and "work" in lines["ROOT"]
    if os.geteuid() == 0:
        assert int(lines["UID"]) >= sandbox.BASE_UID          # never root inside
    assert int(lines["PIDS"]) <= 3                             # its own PID namespace
    assert "CNN_CORE_GRADING_CHANNEL" in lines["ENV"] and "HOME" in lines["ENV"]


def test_fallback_without_bubblewrap_warns_loudly(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.warns(RuntimeWarning, match="AUTOGRADER FALLBACK"):
        [r] = run_cells([{"index": 0, "kind": "answer", "grade_id": None, "source": "print(6 * 7)"}], TEST_LIMITS)
    assert r.status == "ok" and r.stdout.strip() == "42"


def test_require_sandbox_refuses_the_fallback(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="install_grading_deps"):
        run_cells([{"index": 0, "kind": "answer", "grade_id": None, "source": "pass"}], TEST_LIMITS,
                  require_sandbox=True)


def test_a_timeout_kills_the_jail_and_the_next_cells_run_in_a_new_one():
    limits = type(TEST_LIMITS)(cell_seconds=1.5, notebook_seconds=60, memory_mb=TEST_LIMITS.memory_mb)
    cells = [{"index": 0, "kind": "answer", "grade_id": None, "source": "x = 41"},
             {"index": 1, "kind": "answer", "grade_id": None, "source": "while True:\n    pass"},
             {"index": 2, "kind": "answer", "grade_id": None, "source": "print(x + 1)"}]
    results = run_cells(cells, limits)
    assert [r.status for r in results] == ["ok", "timeout", "ok"]
    assert results[2].stdout.strip() == "42"                      # x was replayed in the new jail


def test_the_notebook_clock_stops_the_run_and_keeps_what_completed():
    limits = type(TEST_LIMITS)(cell_seconds=60, notebook_seconds=12, memory_mb=TEST_LIMITS.memory_mb)
    cells = [{"index": 0, "kind": "answer", "grade_id": None, "source": "print(0)"},
             {"index": 1, "kind": "answer", "grade_id": None, "source": "import time\ntime.sleep(100)"},
             {"index": 2, "kind": "answer", "grade_id": None, "source": "print(2)"}]
    results = run_cells(cells, limits)
    assert [r.status for r in results] == ["ok", "timeout", "skipped"]
    assert results[0].stdout.strip() == "0"
    assert "notebook ran longer" in results[2].evalue
