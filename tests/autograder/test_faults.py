"""A fault of the grader is never a student's score: it is reported, `grade` exits non-zero,
and the next run grades what was not graded.

The fault here is the one instructors meet: a bubblewrap that cannot make its namespaces
(a kernel or container that forbids them). It is a fake `bwrap` first on the PATH that
fails as the real one then does.
"""

from __future__ import annotations

import json
import os

from autograder.cli import main
from autograder.gradebook import open_gradebook, scores

from . import _hostile
from .conftest import make_course

A = _hostile.ASSIGNMENT

BROKEN_BWRAP = "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n"


def test_a_sandbox_that_cannot_start_records_nothing_and_the_rerun_grades(tmp_path, monkeypatch, capsys):
    course = make_course(tmp_path / "course")
    for student, answers in (("ann", {}), ("ben", {"conv2d": _hostile.CONV_ZEROS})):
        folder = course.submitted(student, A)
        folder.mkdir(parents=True)
        (folder / f"{A}.ipynb").write_text(json.dumps(_hostile.notebook(answers)))
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text(BROKEN_BWRAP)
    (fake / "bwrap").chmod(0o755)
    args = [A, "--course", str(course.root), "--no-progress", "--jobs", "1", "--cell-timeout", "20"]

    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert main(["grade", *args]) == 1
    err = capsys.readouterr().err
    assert "No permissions to creating new namespace" in err and "Traceback" not in err
    with open_gradebook(course.db_url) as gb:
        assert not _has(gb, "ann") and not _has(gb, "ben"), "a fault of the grader was stored as a score"
    assert not (course.state / f"journal-{A}.jsonl").exists(), "a fault was journaled as done"
    assert not (course.root / "autograded").exists()

    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != str(fake)))
    assert main(["grade", *args]) == 0
    assert "graded 2, already done 0, failed 0" in capsys.readouterr().out
    with open_gradebook(course.db_url) as gb:
        assert sum(scores(gb, A, "ann", A).values()) == _hostile.TOTAL
        assert sum(scores(gb, A, "ben", A).values()) == _hostile.score_without("conv2d")


def _has(gb, student) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_submission(A, student)
        return True
    except MissingEntry:
        return False

