"""The gradebook on PostgreSQL: several graders at once share it, through nbgrader's URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from autograder.gradebook import open_gradebook, scores

from . import _hostile
from .conftest import TEST_LIMITS, make_course

A = _hostile.ASSIGNMENT


def _submit(course, n: int) -> dict[str, float]:
    expected = {}
    for i in range(n):
        right = i % 2 == 0
        folder = course.submitted(f"s{i}", A)
        folder.mkdir(parents=True)
        nb = _hostile.notebook({} if right else {"flip_choice": 'flip_answer = "c"\n'})
        (folder / f"{A}.ipynb").write_text(json.dumps(nb))
        expected[f"s{i}"] = _hostile.TOTAL if right else _hostile.score_without("flip_choice")
    return expected


def test_two_instructors_grade_into_one_postgresql_gradebook(tmp_path, postgres):
    url = postgres.create_database("two_graders")
    course = make_course(tmp_path / "course")
    expected = _submit(course, 4)
    env = dict(os.environ, PYTHONPATH=str(_hostile.ROOT))
    # two grader processes at the same time, each with its own students, one shared gradebook
    procs = [subprocess.Popen([sys.executable, "-m", "autograder", "grade", A, "--course", str(course.root),
                               "--db", url, "--jobs", "1", "--no-progress", "--student", a, "--student", b,
                               "--cell-timeout", str(TEST_LIMITS.cell_seconds)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for a, b in (("s0", "s1"), ("s2", "s3"))]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "graded 2, already done 0, failed 0" in out
    with open_gradebook(url) as gb:
        got = {s: sum(scores(gb, A, s, A).values()) for s in expected}
    assert got == expected
    assert not (course.root / "gradebook.db").exists()          # nothing went to the SQLite default
