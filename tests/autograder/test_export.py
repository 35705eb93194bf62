"""autograder.export: the gradebook as CSV, checked against ``nbgrader export``'s own CSV plugin.

A small SQLite gradebook is filled with nbgrader's API (two assignments, three students, a
late penalty, a flagged notebook); nbgrader's :class:`CsvExportPlugin` writing the same
gradebook is the oracle for the eleven columns the two share.
"""

from __future__ import annotations

import csv
import datetime
import io
import shutil

import pytest
from nbgrader.plugins.export import CsvExportPlugin

from autograder.export import COLUMNS, export_csv
from autograder.gradebook import open_gradebook

NBGRADER_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                    "raw_score", "late_submission_penalty", "score", "max_score"]


def grade(gb, assignment, student, auto_score, cell="t1"):
    g = gb.find_grade(cell, "nb", assignment, student)
    g.auto_score = auto_score
    g.needs_manual_grade = False              # as nbgrader's autograde leaves a graded test cell
    gb.db.commit()


@pytest.fixture(scope="module")
def gradebook_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "gradebook.db"
    url = f"sqlite:///{path}"
    with open_gradebook(url) as gb:
        for name, due in [("ps2", None), ("ps1", datetime.datetime(2024, 3, 1, 12, 0))]:
            gb.add_assignment(name, duedate=due)
            gb.add_notebook("nb", name)
            gb.add_grade_cell("t1", "nb", name, max_score=3, cell_type="code")
            gb.add_grade_cell("t2", "nb", name, max_score=1, cell_type="code")
        gb.add_student("zoe", first_name="Zoe", last_name="Z", email="zoe@example.org")
        gb.add_student("amy", first_name="Amy", last_name="A")
        gb.add_student("bob")
        gb.add_submission("ps1", "amy", timestamp=datetime.datetime(2024, 3, 1, 13, 0))
        grade(gb, "ps1", "amy", 3.0)
        grade(gb, "ps1", "amy", 1.0, "t2")
        gb.find_submission_notebook("nb", "ps1", "amy").late_submission_penalty = 1.5
        gb.add_submission("ps1", "zoe", timestamp=datetime.datetime(2024, 2, 28, 9, 30))
        grade(gb, "ps1", "zoe", 2.0)
        grade(gb, "ps1", "zoe", 0.0, "t2")
        gb.add_submission("ps2", "bob")
        grade(gb, "ps2", "bob", 1.0)
        grade(gb, "ps2", "bob", 1.0, "t2")
        gb.find_submission_notebook("nb", "ps2", "bob").flagged = True
        gb.db.commit()
    return path


@pytest.fixture
def db_url(gradebook_file, tmp_path):
    """A copy of the module's gradebook, for one test to change."""
    shutil.copy(gradebook_file, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path / 'gradebook.db'}"


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def nbgrader_rows(db_url, tmp_path):
    dest = tmp_path / "nbgrader.csv"
    with open_gradebook(db_url) as gb:
        CsvExportPlugin(to=str(dest)).export(gb)
    return rows(dest.read_text())


def key(row):
    return row["assignment"], row["student_id"]


def test_header_is_nbgrader_columns_then_needs_review(db_url):
    text, _ = export_csv(db_url)
    assert text.splitlines()[0] == ",".join(NBGRADER_COLUMNS + ["needs_review"])
    assert COLUMNS == NBGRADER_COLUMNS + ["needs_review"]


def test_rows_match_nbgrader_export(db_url, tmp_path):
    ours = {key(r): {k: r[k] for k in NBGRADER_COLUMNS} for r in rows(export_csv(db_url)[0])}
    theirs = {key(r): r for r in nbgrader_rows(db_url, tmp_path)}
    assert ours == theirs and len(ours) == 6                    # every assignment x every student


def test_rows_are_sorted_by_assignment_then_student(db_url):
    assert [key(r) for r in rows(export_csv(db_url)[0])] == [
        ("ps1", "amy"), ("ps1", "bob"), ("ps1", "zoe"), ("ps2", "amy"), ("ps2", "bob"), ("ps2", "zoe")]


def test_scores_and_penalty_worked_out_by_hand(db_url):
    by = {key(r): r for r in rows(export_csv(db_url)[0])}
    amy = by["ps1", "amy"]
    assert (amy["raw_score"], amy["late_submission_penalty"], amy["score"], amy["max_score"]) == ("4.0", "1.5", "2.5", "4.0")
    assert amy["timestamp"] == "2024-03-01 13:00:00" and amy["duedate"] == "2024-03-01 12:00:00"
    assert (by["ps1", "zoe"]["score"], by["ps1", "zoe"]["email"]) == ("2.0", "zoe@example.org")
    assert by["ps2", "bob"]["duedate"] == "" and by["ps2", "bob"]["last_name"] == ""


def test_a_missing_submission_scores_zero_out_of_the_assignments_max(db_url):
    row = {key(r): r for r in rows(export_csv(db_url)[0])}["ps1", "bob"]
    assert (row["timestamp"], row["raw_score"], row["score"], row["max_score"], row["needs_review"]) == \
        ("", "0.0", "0.0", "4.0", "False")


def test_needs_review_marks_flagged_and_ungraded_submissions(db_url):
    with open_gradebook(db_url) as gb:
        gb.find_grade("t1", "nb", "ps1", "zoe").needs_manual_grade = True
        gb.db.commit()
    flags = {key(r): r["needs_review"] for r in rows(export_csv(db_url)[0])}
    assert flags == {("ps1", "amy"): "False", ("ps1", "bob"): "False", ("ps1", "zoe"): "True",
                     ("ps2", "amy"): "False", ("ps2", "bob"): "True", ("ps2", "zoe"): "False"}


def test_the_count_is_of_rows_with_a_submission(db_url):
    assert export_csv(db_url)[1] == 3


def test_an_empty_gradebook_exports_only_the_header(tmp_path):
    text, graded = export_csv(f"sqlite:///{tmp_path / 'empty.db'}")
    assert text.splitlines() == [",".join(COLUMNS)] and graded == 0


def test_a_penalty_larger_than_the_score_gives_zero_as_nbgrader_does(db_url, tmp_path):
    with open_gradebook(db_url) as gb:
        gb.find_submission_notebook("nb", "ps1", "zoe").late_submission_penalty = 5.0
        gb.db.commit()
    ours = {key(r): r["score"] for r in rows(export_csv(db_url)[0])}
    theirs = {key(r): r["score"] for r in nbgrader_rows(db_url, tmp_path)}
    assert theirs["ps1", "zoe"] == "0.0"
    assert ours["ps1", "zoe"] == "0.0"
