"""The command line end to end: release, collect (an LMS zip), grade, feedback, export, report."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from autograder.cli import main

from . import _hostile
from .conftest import TEST_LIMITS, make_course

A = _hostile.ASSIGNMENT


def _lms_zip(path, release: dict) -> dict[str, float]:
    """A Canvas/Moodle-style download; returns {student: expected total} (derived from the points)."""
    right = json.dumps(_hostile.notebook({})).encode()
    no_conv = json.dumps(_hostile.notebook({"conv2d": _hostile.CONV_ZEROS})).encode()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"alice_1001_5001_{A}.ipynb", right)                                 # Canvas
        zf.writestr(f"bob_LATE_1002_5002_{A}-1.ipynb", no_conv)                          # Canvas resubmission
        zf.writestr(f"Carol Jones_1003_assignsubmission_file_/{A} (1).ipynb", json.dumps(release))  # Moodle
        info = zipfile.ZipInfo(f"dave/{A}.ipynb", date_time=(2024, 1, 1, 0, 0, 0))
        zf.writestr(info, right)                                                            # an older copy
        info = zipfile.ZipInfo(f"dave/Copy of {A}.ipynb", date_time=(2024, 1, 2, 0, 0, 0))
        zf.writestr(info, no_conv)                                                          # the newest: graded
        zf.writestr("dave/notes.txt", "not a notebook")
        zf.writestr("__MACOSX/._junk.ipynb", "junk")
    # students are kept apart by the LMS's ids: name and user (Canvas) or participant (Moodle) number
    return {"alice_1001": _hostile.TOTAL, "bob_1002": _hostile.score_without("conv2d"), "Carol_Jones_1003": 0.0,
            "dave": _hostile.score_without("conv2d")}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("cli-course"))


def _args(course, *extra):
    return [*extra, "--course", str(course.root)]


def test_release_collect_grade_feedback_export_report(course, capsys):
    root = course.root
    # release: nbgrader's student version, no solution, no hidden test
    assert main(_args(course, "release", A)) == 0
    release = json.loads((root / "release" / A / f"{A}.ipynb").read_text())
    text = json.dumps(release)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text and "np.tensordot" not in text

    # collect: renamed files, several notebooks per student, names from three LMS layouts
    expected = _lms_zip(root / "downloads.zip", release)
    assert main(_args(course, "collect", A, str(root / "downloads.zip"))) == 0
    assert sorted(p.name for p in (root / "submitted").iterdir()) == sorted(expected)
    for student in expected:      # the notebook, and the zip's date of it as nbgrader's timestamp.txt
        assert sorted(p.name for p in (root / "submitted" / student / A).iterdir()) == [f"{A}.ipynb", "timestamp.txt"]

    # grade
    code = main(_args(course, "grade", A, "--jobs", "2", "--no-progress", "--require-sandbox",
                      "--cell-timeout", str(TEST_LIMITS.cell_seconds), "--memory-mb", str(TEST_LIMITS.memory_mb)))
    assert code == 0
    assert "graded 4, already done 0, failed 0" in capsys.readouterr().out

    # export: nbgrader's columns, scores from the gradebook
    out = root / "grades.csv"
    assert main(_args(course, "export", "--to", str(out))) == 0
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert {s: float(rows[s]["score"]) for s in expected} == expected
    assert all(float(r["max_score"]) == _hostile.TOTAL for r in rows.values())

    # feedback: one page per student; hidden tests not shown unless asked
    assert main(_args(course, "feedback", A)) == 0
    page = (root / "feedback" / "bob_1002" / A / f"{A}.html").read_text()
    assert f"Score: {expected['bob_1002']:g} / 16" in page
    assert "a stride larger than the filter skips pixels" not in page and "hidden tests: they ran" in page
    assert main(_args(course, "feedback", A, "--show-hidden")) == 0
    assert "a stride larger than the filter skips pixels" in (root / "feedback" / "bob_1002" / A /
                                                              f"{A}.html").read_text()

    # report: table, plot, and the submissions that need a human (dave's older copy is not one)
    assert main(_args(course, "report", A)) == 0
    rep = root / "reports" / A
    assert (rep / "distribution.png").stat().st_size > 5000
    table = (rep / "questions.md").read_text()
    assert "| conv2d_random | 3 | 0.75 | 1 | 3 | 0 |" in table       # only alice's conv2d is right: 3/4
    with open(rep / "scores.csv") as f:
        totals = {r["student"]: float(r["total"]) for r in csv.DictReader(f)}
    assert totals == expected


def test_grade_twice_regrades_nothing(course, capsys):
    if not (course.root / "submitted").exists():
        pytest.skip("needs the first test's course")
    assert main(_args(course, "grade", A, "--no-progress", "--jobs", "1")) == 0
    assert "graded 0, already done 4, failed 0" in capsys.readouterr().out
