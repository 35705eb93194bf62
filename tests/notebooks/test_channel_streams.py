"""The grading channel on real assignments: the instructor's run gives the same stream twice.

Issue 9 decides grades by comparing a student's stream with the solution's, so a
solution run must be reproducible line for line, and every graded test cell must report
through the channel. The ``.py`` source of an assignment is plain Python (the instructor
solution with every test, hidden ones included), so it is run directly here, without a
Jupyter kernel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ._course import NOTEBOOKS, graded_cells, source_notebook

SAMPLE = ["ch02_convolution", "ch03_stride", "ch13_different_distributions"]  # ch03: hypothesis


def _stream(assignment: str, path) -> list[dict]:
    env = {**os.environ, "CNN_CORE_GRADING_CHANNEL": str(path)}
    # run from a scratch folder: hypothesis keeps a cache in the working directory
    subprocess.run([sys.executable, str(NOTEBOOKS / assignment / f"{assignment}.py")], cwd=path.parent, env=env,
                   check=True, capture_output=True, timeout=300)
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("assignment", SAMPLE)
def test_solution_stream_is_reproducible_and_complete(tmp_path, assignment):
    first = _stream(assignment, tmp_path / "first.jsonl")
    second = _stream(assignment, tmp_path / "second.jsonl")
    assert first == second, "two runs of the solution recorded different streams"
    assert [e["seq"] for e in first] == list(range(1, len(first) + 1))
    checks = [e for e in first if e["event"] == "check"]
    assert checks and all(e["passed"] for e in checks)
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in graded_cells(source_notebook(assignment))]
    assert [e["grade_id"] for e in first if e["event"] == "part"] == ids
    assert {e["grade_id"] for e in checks} == set(ids), "a graded cell recorded no check"
