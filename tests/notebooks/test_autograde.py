"""Every assignment through nbgrader itself: full marks, zero, and the exact partial score.

One test per assignment and variant, so ``pytest -n auto`` spreads them over the cores.
"""

from __future__ import annotations

import json

import pytest

from ._course import (ASSIGNMENTS, Course, apply_answers, generated_course, graded_cells, max_score, source_notebook,
                      wrong_submission)


# nbgrader's own gradebook code triggers these SQLAlchemy warnings; they are not ours
pytestmark = pytest.mark.filterwarnings("ignore:Object of type .* not in session")


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory, worker_id):
    """A folder shared by all xdist workers of this session (for the generated courses)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def _points(assignment: str) -> dict[str, float]:
    return {c["metadata"]["nbgrader"]["grade_id"]: float(c["metadata"]["nbgrader"]["points"])
            for c in graded_cells(source_notebook(assignment))}


def _failed_cells(scores: dict[str, float], points: dict[str, float]) -> set[str]:
    return {g for g, s in scores.items() if s < points[g]}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks(tmp_path, shared_dir, assignment):
    course, _ = generated_course(shared_dir, tmp_path / "course", assignment)
    course.submit(source_notebook(assignment))
    scores = course.autograde()
    points = _points(assignment)
    assert set(scores) == set(points)
    assert _failed_cells(scores, points) == set(), _errors(course)
    assert sum(scores.values()) == max_score(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_is_clean_and_scores_zero_unanswered(tmp_path, shared_dir, assignment):
    course, release = generated_course(shared_dir, tmp_path / "course", assignment)
    _check_release_is_clean(release, source_notebook(assignment))
    course.submit(release)
    scores = course.autograde()                    # the run itself must not crash
    assert set(scores) == set(_points(assignment))
    assert {g: s for g, s in scores.items() if s} == {}, _errors(course)
    # every graded cell failed on its own (an error in it), not because the run stopped
    graded = course.graded_notebook()
    for cell in graded_cells(graded):
        outputs = cell.get("outputs", [])
        assert any(o.get("output_type") == "error" for o in outputs), cell["metadata"]["nbgrader"]["grade_id"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_wrong_submission_scores_exact_partial_marks(tmp_path, shared_dir, assignment):
    answers, expected_failures = wrong_submission(assignment)
    points = _points(assignment)
    assert expected_failures <= set(points), "expected_failures names unknown test cells"
    course, _ = generated_course(shared_dir, tmp_path / "course", assignment)
    course.submit(apply_answers(source_notebook(assignment), answers))
    scores = course.autograde()
    assert _failed_cells(scores, points) == expected_failures, _errors(course)
    expected_score = max_score(assignment) - sum(points[g] for g in expected_failures)
    assert 0 < sum(scores.values()) == expected_score < max_score(assignment)


def _check_release_is_clean(release: dict, source: dict) -> None:
    """No solution and no hidden test in the release; answer cells are stubs."""
    text = json.dumps(release)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    hidden, visible = set(), set()
    for cell in source["cells"]:
        inside = False
        for line in cell["source"].splitlines():
            marker = line.strip()
            if marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif marker in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            else:
                (hidden if inside else visible).add(line)
    released = _released_lines(release)
    for line in hidden - visible:              # lines that only a solution or a hidden test has
        if len(line.strip()) > 12:
            assert line not in released, f"leaked into the release: {line!r}"
    # the answer cells are stubs that raise NotImplementedError
    for cell in release["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            assert "raise NotImplementedError()" in "".join(cell["source"])


def _released_lines(nb: dict) -> set[str]:
    return {line for cell in nb["cells"] for line in "".join(cell["source"]).splitlines()}


def _errors(course: Course) -> str:
    """The error outputs of the graded notebook, for a readable failure."""
    try:
        nb = course.graded_notebook()
    except FileNotFoundError:
        return "(no graded notebook)"
    lines = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "?")
                lines.append(f"[{gid}] {out['ename']}: {out['evalue'][:400]}")
    return "\n".join(lines)


def test_command_line_release_matches_the_api_release(tmp_path, shared_dir):
    """What an instructor types (``nbgrader generate_assignment``) gives the same release."""
    assignment = "ch02_convolution"
    _, api_release = generated_course(shared_dir, tmp_path / "api", assignment)
    course = Course(tmp_path / "cli", assignment)
    course.nbgrader_cli("generate_assignment", assignment)
    cli_release = json.loads(course.release_path.read_text())
    assert cli_release["cells"] == api_release["cells"]
