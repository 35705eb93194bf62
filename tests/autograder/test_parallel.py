"""autograder.parallel: a whole assignment, solution first, in parallel, faults never stored.

A course holds the tiny assignment of ``_machinery`` (scores derived by hand) and a few
submissions. Oracles: the hand-derived scores; nbgrader's own :class:`~nbgrader.api.Gradebook`
(read directly, not through this package) and its ``parse_utc``; the journal file as written;
and a sequential run (``jobs=1``) against which the parallel run must agree, file for file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import parse_utc

from autograder import parallel
from autograder.course import Course
from autograder.gradebook import open_gradebook, released_sources
from autograder.parallel import SourceFails, check_solution, grade_assignment, missing_result, submitted_path
from autograder.sandbox import Limits

from . import _machinery as tiny
from ._machinery import needs_bwrap

A, NB = tiny.ASSIGNMENT, "double"
OWN = tiny.template(tiny.SMALL, tiny.LARGE)              # t_small 1 point, t_large 2; one jail, without torch
LIMITS = Limits(cell_seconds=20, notebook_seconds=60, memory_mb=3000, processes=48)


@pytest.fixture(scope="module")
def blank_gradebook(tmp_path_factory) -> Path:
    """An empty gradebook, made once (nbgrader runs ``alembic`` to make one): each course gets a copy."""
    path = tmp_path_factory.mktemp("blank") / "gradebook.db"
    with open_gradebook(f"sqlite:///{path}"):
        pass
    return path


@pytest.fixture
def course_with(blank_gradebook):
    return lambda root, template, submissions: make_course(root, template, submissions, blank_gradebook)


def make_course(root: Path, template: dict, submissions: dict, gradebook: Path) -> Course:
    """source/<A>/double.ipynb and submitted/<student>/<A>/<file> (bytes, a notebook, or None: nothing)."""
    (root / "source" / A).mkdir(parents=True)
    shutil.copy(gradebook, root / "gradebook.db")
    (root / "source" / A / f"{NB}.ipynb").write_text(json.dumps(template))
    for student, what in submissions.items():
        name, content = what if isinstance(what, tuple) else (f"{NB}.ipynb", what)
        folder = root / "submitted" / student / A
        folder.mkdir(parents=True)
        if content is not None:
            (folder / name).write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return Course(root)


def stored(course: Course) -> dict[str, dict]:
    """{student: {grade_id: (auto_score, needs_manual_grade)}}, as nbgrader's Gradebook reads them."""
    gb = Gradebook(course.db_url, course_id="default_course")
    try:
        return {sub.student.id: {g.name: (g.auto_score, g.needs_manual_grade) for g in
                                 gb.find_submission_notebook(NB, A, sub.student.id).grades}
                for sub in gb.assignment_submissions(A)}
    finally:
        gb.close()


def next_run(course: Course):
    """(to grade, already done) as the next ``grade`` would find them."""
    with open_gradebook(course.db_url) as gb:
        sources = {NB: released_sources(gb, A, NB)}
    todo, done = parallel.plan(course, A, course.templates(A), sources)
    return sorted(t.key for t in todo), sorted(t.key for t in done)


def journaled(course: Course) -> list[str]:
    path = course.state / f"journal-{A}.jsonl"
    return sorted(json.loads(line)["student"] for line in path.read_text().splitlines()) if path.exists() else []


# ------------------------------------------------------------------ the pieces

def test_check_solution_names_every_automatic_cell_short_of_its_points():
    result = {"points": {"a": 1.0, "b": 2.0, "essay": 1.0, "c": 3.0},
              "scores": {"a": 1.0, "b": 0.5, "essay": None, "c": 0.0},
              "reasons": {"b": "partial credit: 0.5 of 2", "c": "AssertionError: " + "x" * 500}}
    assert check_solution(result) == ["b (partial credit: 0.5 of 2)", f"c (AssertionError: {'x' * 184})"]
    assert check_solution({**result, "scores": {"a": 1.0, "b": 2.0, "essay": None, "c": 3.0}}) == []


def test_a_notebook_not_handed_in_scores_zero_in_every_graded_cell():
    template = tiny.template(tiny.SMALL, tiny.LARGE)
    template["cells"].append(tiny.markdown("Explain.", grade_id="essay", solution=True, grade=True, points=4))
    result = missing_result(template, "double.ipynb was not submitted")
    assert result["scores"] == {"t_small": 0.0, "t_large": 0.0, "essay": 0.0}
    assert result["points"] == {"t_small": 1.0, "t_large": 2.0, "essay": 4.0}
    assert result["notes"] == ["double.ipynb was not submitted"] and result["manual"] == []


def test_a_renamed_notebook_is_found_only_when_it_cannot_be_another(tmp_path):
    (tmp_path / "double (1).ipynb").write_text("{}")
    assert submitted_path(tmp_path, NB, 1) == tmp_path / "double (1).ipynb"
    assert submitted_path(tmp_path, NB, 2) == tmp_path / "double.ipynb"       # two templates: never guess
    (tmp_path / "other.ipynb").write_text("{}")
    assert submitted_path(tmp_path, NB, 1) == tmp_path / "double.ipynb"       # two candidates: never guess
    (tmp_path / "double.ipynb").write_text("{}")
    assert submitted_path(tmp_path, NB, 1) == tmp_path / "double.ipynb"


# ------------------------------------------------------------------ whole batches

@needs_bwrap
def test_a_failing_solution_stops_grading_and_names_its_cells_unless_allowed(tmp_path, course_with):
    wrong = tiny.template(tiny.SMALL, tiny.LARGE, solution="return 2 * x if x < 10 else 0")
    answers = {"ann": tiny.submission(wrong, "return 2 * x"), "ben": tiny.submission(wrong, "return x + 2")}
    refused = course_with(tmp_path, wrong, answers)
    with pytest.raises(SourceFails) as info:
        grade_assignment(refused, A, jobs=1, limits=LIMITS, progress=False)
    message = str(info.value)
    assert "t_large (AssertionError" in message and "t_small" not in message
    assert "--allow-failing-source" in message
    assert stored(refused) == {} and journaled(refused) == []
    assert not (refused.root / "autograded").exists() and not list(refused.state.glob("solution-*"))

    allowed = refused                            # the same course, graded again, now allowed
    summary = grade_assignment(allowed, A, jobs=1, limits=LIMITS, progress=False, allow_failing_source=True)
    assert list(summary.source_failures) == [NB] and summary.source_failures[NB][0].startswith("t_large (")
    assert sorted(summary.graded) == [("ann", NB), ("ben", NB)]
    assert stored(allowed) == {"ann": {"t_small": (1.0, False), "t_large": (2.0, False)},
                               "ben": {"t_small": (1.0, False), "t_large": (0.0, False)}}
    assert not list(allowed.state.glob("solution-*")), "a failing solution must be checked again next time"


@needs_bwrap
def test_a_fault_of_the_grader_is_reported_never_stored_never_journaled_and_the_next_run_retries_it(tmp_path,
                                                                                                    course_with):
    crash = tiny.template(tiny.SMALL, tiny.LARGE, tiny.KILLS_ITS_WORKER)
    course = course_with(tmp_path, crash, {"ann": tiny.submission(crash, "return 2 * x"),
                                           "ben": tiny.submission(crash, "return x + 2"),
                                           "cat": tiny.submission(crash, "return 99")})   # its worker dies, twice
    summary = grade_assignment(course, A, jobs=2, limits=LIMITS, progress=False)
    assert list(summary.failed) == [("cat", NB)]
    assert "the grading worker exited" in summary.failed[("cat", NB)]
    assert sorted(summary.graded) == [("ann", NB), ("ben", NB)]
    assert stored(course) == {"ann": {"t_small": (1.0, False), "t_large": (2.0, False), "t_crash": (1.0, False)},
                              "ben": {"t_small": (1.0, False), "t_large": (0.0, False), "t_crash": (1.0, False)}}
    gb = Gradebook(course.db_url, course_id="default_course")
    try:
        with pytest.raises(MissingEntry):
            gb.find_submission(A, "cat")
    finally:
        gb.close()
    assert journaled(course) == ["ann", "ben"]
    assert not (course.root / "autograded" / "cat").exists()
    assert next_run(course) == ([("cat", NB)], [("ann", NB), ("ben", NB)])


HELPER = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
          "source": "def _twice(x):\n    return x + x\n"}


def with_helper() -> dict:
    nb = tiny.submission(OWN, "return _twice(x)")
    nb["cells"].insert(2, HELPER)                # after the locked set-up cell, before the answer
    return nb


SUBMISSIONS = {                                  # student: (what they handed in, the score derived by hand)
    "right": (tiny.submission(OWN, "return 2 * x"), {"t_small": 1.0, "t_large": 2.0}),
    "plus_two": (tiny.submission(OWN, "return x + 2"), {"t_small": 1.0, "t_large": 0.0}),
    "square": (tiny.submission(OWN, "return x * x"), {"t_small": 1.0, "t_large": 0.0}),
    "raises": (tiny.submission(OWN, "raise ValueError('no')"), {"t_small": 0.0, "t_large": 0.0}),
    "syntax": (tiny.submission(OWN, source="def double(x)\n    return 2 * x\n"), {"t_small": 0.0, "t_large": 0.0}),
    "helper": (with_helper(), {"t_small": 1.0, "t_large": 2.0}),
    "renamed": (("double (1).ipynb", tiny.submission(OWN, "return 2 * x")), {"t_small": 1.0, "t_large": 2.0}),
    "garbage": (b"{", {"t_small": 0.0, "t_large": 0.0}),
    "missing": (None, {"t_small": 0.0, "t_large": 0.0}),
}


def on_disk(course: Course) -> dict[str, object]:
    """Every file grading wrote for the students, with the timings (which differ run to run) left out."""
    found = {}
    for path in sorted((course.root / "autograded").rglob("*")):
        if path.is_file():
            content = json.loads(path.read_text())
            if path.name.endswith(".grading.json"):
                content.pop("seconds")
                for cell in content["cells"]:
                    cell.pop("seconds")
            found[str(path.relative_to(course.root))] = content
    return found


@needs_bwrap
def test_a_parallel_run_stores_exactly_what_a_sequential_run_stores(tmp_path, course_with):
    sequential = course_with(tmp_path / "sequential", OWN, {s: what for s, (what, _) in SUBMISSIONS.items()})
    (sequential.submitted("right", A) / "timestamp.txt").write_text("2024-05-01 12:00:00.000000 UTC")
    shutil.copytree(sequential.root, tmp_path / "parallel")
    par = Course(tmp_path / "parallel")
    one = grade_assignment(sequential, A, jobs=1, limits=LIMITS, progress=False)
    two = grade_assignment(par, A, jobs=2, limits=LIMITS, progress=False)
    assert one.failed == two.failed == {}
    assert sorted(one.graded) == sorted(two.graded) == sorted((s, NB) for s in SUBMISSIONS)

    expected = {s: {gid: (score, False) for gid, score in scores.items()} for s, (_, scores) in SUBMISSIONS.items()}
    assert stored(sequential) == expected
    assert stored(par) == expected
    assert on_disk(par) == on_disk(sequential)
    assert len(on_disk(par)) == 2 * len(SUBMISSIONS)                      # a notebook and its verdict each
    assert journaled(par) == journaled(sequential) == sorted(SUBMISSIONS)
    for course in (sequential, par):
        gb = Gradebook(course.db_url, course_id="default_course")
        try:
            assert gb.find_submission(A, "right").timestamp == parse_utc("2024-05-01 12:00:00.000000 UTC")
        finally:
            gb.close()
        [cache] = course.state.glob("solution-*.json")
        assert json.loads(cache.read_text())["scores"] == {"t_small": 1.0, "t_large": 2.0}
    notes = json.loads((par.autograded("renamed", A) / f"{NB}.grading.json").read_text())["notes"]
    assert "graded 'double (1).ipynb' as double.ipynb (renamed)" in notes

    # the next run grades only what changed since
    (par.submitted("square", A) / f"{NB}.ipynb").write_text(json.dumps(tiny.submission(OWN, "return 2 * x")))
    todo, done = next_run(par)
    assert todo == [("square", NB)] and len(done) == len(SUBMISSIONS) - 1
