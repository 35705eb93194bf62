"""Every assignment through the course's own grader (``autograder/``), as through nbgrader in
test_autograde.py: the solution earns full marks, the release nothing, and the prepared wrong
submission exactly the points of the cells it does not fail.

The assignment is released by nbgrader (the gradebook holds its source cells), and graded in
jails whose parts hide the modules the assignment forbids.
"""

from __future__ import annotations

import json

import pytest

from autograder.course import Course as AutograderCourse
from autograder.gradebook import open_gradebook, scores
from autograder.parallel import grade_assignment
from autograder.sandbox import Limits

from ._course import ASSIGNMENTS, apply_answers, generated_course, max_score, source_notebook, wrong_submission
from .test_autograde import _failed_cells, _points, shared_dir  # noqa: F401 - the fixture

LIMITS = Limits(cell_seconds=60, notebook_seconds=300)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_release_and_wrong_submission(tmp_path, shared_dir, assignment):  # noqa: F811
    course, release = generated_course(shared_dir, tmp_path / "course", assignment)
    answers, expected_failures = wrong_submission(assignment)
    submissions = {"solution": source_notebook(assignment), "release": release,
                   "wrong": apply_answers(source_notebook(assignment), answers)}
    for student, nb in submissions.items():
        folder = course.root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))
    ours = AutograderCourse(course.root, "sqlite:///" + str(course.db))
    summary = grade_assignment(ours, assignment, jobs=1, limits=LIMITS, progress=False, course_id="cnn-course")
    assert summary.failed == {} and len(summary.graded) == 3
    points = _points(assignment)
    with open_gradebook(ours.db_url, "cnn-course") as gb:
        got = {s: scores(gb, assignment, s, assignment) for s in submissions}
    assert sum(got["solution"].values()) == max_score(assignment)
    assert {g: s for g, s in got["release"].items() if s} == {}
    assert _failed_cells(got["wrong"], points) == expected_failures
