"""autograder.report: the instructor's class summary of an assignment (reports/<assignment>/).

A small course (two notebooks, four graded cells worth 8 points, four students) is filled in
with nbgrader's own API, not this package's gradebook module; the tables are checked against
sums, means and counts worked out by hand and against nbgrader's own totals
(``SubmittedAssignment.score``); the plot is read back from the figure drawn and as a PNG;
the needs-a-human list comes from grading verdicts written by hand.
"""

from __future__ import annotations

import csv
import json
import shutil
import warnings
from pathlib import Path

import matplotlib.figure
import matplotlib.image
import pytest
from nbgrader.api import Gradebook

from autograder.course import Course
from autograder.gradebook import open_gradebook
from autograder.report import class_scores, needs_a_human, report

from ._cells import code, md, notebook


NB1 = notebook([code("x = 1", grade_id="ans", solution=True),
                code("assert x", grade_id="t1", grade=True, points=2),
                code("assert x", grade_id="t2", grade=True, points=1)])
NB2 = notebook([md("# Part 2"), code("assert y", grade_id="t3", grade=True, points=3),
                md("Explain.", grade_id="essay", grade=True, solution=True, points=2)])
POINTS = {"nb1": {"t1": 2, "t2": 1}, "nb2": {"t3": 3, "essay": 2}}

# auto_score of each cell; carl submitted but was never graded; dan's nb2 is in the gradebook, unscored
AUTO = {"amy": {"t1": 2.0, "t2": 1.0, "t3": 3.0, "essay": None},
        "bob": {"t1": 0.0, "t2": 0.5, "t3": 3.0, "essay": 0.0},
        "dan": {"t1": 2.0, "t2": 0.0, "t3": None, "essay": None}}

LONG = "ran out of time after 60 s " + "x" * 300
VERDICTS = {   # (student, notebook): the grading.json the grader left; missing: the grader failed on it
    ("amy", "nb1"): {"notes": [], "flags": [], "reasons": {}},
    ("amy", "nb2"): {"notes": [], "flags": [], "reasons": {"essay": "graded by hand"}},
    ("bob", "nb1"): {"notes": ["test cell 't1' was edited (the instructor's copy ran)"], "flags": ["timeout"],
                     "reasons": {"t1": LONG, "t2": "expected 1, got 0.5"}},
    ("bob", "nb2"): {"notes": [], "flags": [], "reasons": {"t3": "the kernel died (signal 9)"}},
    ("dan", "nb1"): {"notes": [], "flags": [], "reasons": {}},
}


@pytest.fixture(scope="module")
def gradebook_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "gradebook.db"
    with open_gradebook(f"sqlite:///{path}") as gb:         # nbgrader's Gradebook; `alembic` put on PATH
        gb.add_assignment("ps1")
        for name, cells in POINTS.items():
            gb.add_notebook(name, "ps1")
            for gid, points in cells.items():
                gb.add_grade_cell(gid, name, "ps1", max_score=points,
                                  cell_type="markdown" if gid == "essay" else "code")
        for student, auto in AUTO.items():
            gb.add_student(student)
            with warnings.catch_warnings():        # nbgrader's add_submission trips SQLAlchemy's autoflush notes
                warnings.simplefilter("ignore")
                gb.add_submission("ps1", student)
            for gid, score in auto.items():
                gb.find_grade(gid, "nb1" if gid in POINTS["nb1"] else "nb2", "ps1", student).auto_score = score
        gb.add_student("carl")
        gb.db.commit()
    return path


@pytest.fixture
def course(tmp_path, gradebook_file) -> Course:
    root = tmp_path / "course"
    for name, nb in (("nb1", NB1), ("nb2", NB2)):
        (root / "source" / "ps1").mkdir(parents=True, exist_ok=True)
        (root / "source" / "ps1" / f"{name}.ipynb").write_text(json.dumps(nb))
    for student in ("amy", "bob", "carl", "dan"):
        (root / "submitted" / student / "ps1").mkdir(parents=True)
    for (student, name), verdict in VERDICTS.items():
        folder = root / "autograded" / student / "ps1"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.grading.json").write_text(json.dumps({"scores": {}, **verdict}))
    shutil.copy(gradebook_file, root / "gradebook.db")
    return Course(root)


def scores_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(text: str):
    return None if text == "" else float(text)


# --- scores.csv -----------------------------------------------------------------------------------------

def test_scores_csv_has_a_row_per_student_and_a_column_per_graded_cell_in_template_order(course):
    rows = scores_csv(report(course, "ps1") / "scores.csv")
    assert list(rows[0]) == ["student", "t1", "t2", "t3", "essay", "total", "max"]
    got = {r["student"]: [number(r[k]) for k in ("t1", "t2", "t3", "essay", "total", "max")] for r in rows}
    assert got == {"amy": [2.0, 1.0, 3.0, None, 6.0, 8.0],
                   "bob": [0.0, 0.5, 3.0, 0.0, 3.5, 8.0],
                   "carl": [None, None, None, None, 0.0, 8.0],          # submitted, never graded
                   "dan": [2.0, 0.0, None, None, 2.0, 8.0]}
    assert [r["student"] for r in rows] == ["amy", "bob", "carl", "dan"]


def test_the_totals_are_nbgraders_totals(course):
    totals = {r["student"]: float(r["total"]) for r in scores_csv(report(course, "ps1") / "scores.csv")}
    gb = Gradebook(course.db_url)
    try:
        assert {s: gb.find_submission("ps1", s).score for s in AUTO} == {s: totals[s] for s in AUTO}
        assert gb.find_assignment("ps1").max_score == 8.0
    finally:
        gb.close()


def test_a_score_given_by_a_person_counts_as_nbgrader_counts_it(course):
    gb = Gradebook(course.db_url)
    try:
        gb.find_grade("essay", "nb2", "ps1", "amy").manual_score = 1.5       # graded by hand in formgrader
        gb.find_grade("t1", "nb1", "ps1", "bob").manual_score = 1.0          # a person overrides the grader
        gb.db.commit()
        nbgrader_totals = {s: gb.find_submission("ps1", s).score for s in ("amy", "bob")}
    finally:
        gb.close()
    assert nbgrader_totals == {"amy": 7.5, "bob": 4.5}
    table = class_scores(course, "ps1")
    assert (table["amy"]["essay"], table["bob"]["t1"]) == (1.5, 1.0)
    totals = {r["student"]: float(r["total"]) for r in scores_csv(report(course, "ps1") / "scores.csv")}
    assert {s: totals[s] for s in nbgrader_totals} == nbgrader_totals


def test_class_scores_mark_what_nobody_scored_as_none(course):
    table = class_scores(course, "ps1")
    assert table["carl"] == {"t1": None, "t2": None, "t3": None, "essay": None}
    assert table["dan"] == {"t1": 2.0, "t2": 0.0, "t3": None, "essay": None}


# --- questions.md -------------------------------------------------------------------------------------

def test_questions_table_worked_out_by_hand(course):
    lines = (report(course, "ps1") / "questions.md").read_text().splitlines()
    assert lines[0] == "# ps1: 4 submissions"
    assert lines[2:] == [
        "| graded cell | points | mean | full marks | zero | not graded |",
        "|---|---|---|---|---|---|",
        "| t1 | 2 | 1.33 | 2 | 1 | 1 |",          # 2, 0, -, 2
        "| t2 | 1 | 0.50 | 1 | 1 | 1 |",          # 1, 0.5, -, 0
        "| t3 | 3 | 3.00 | 2 | 0 | 2 |",          # 3, 3, -, -
        "| essay | 2 | 0.00 | 0 | 1 | 3 |",       # -, 0, -, -
    ]


# --- needs_a_human.md ---------------------------------------------------------------------------------

def test_needs_a_human_lists_notes_flags_timeouts_deaths_and_what_was_not_graded(course):
    text = (report(course, "ps1") / "needs_a_human.md").read_text()
    assert text.splitlines() == [
        "# ps1: submissions that need a human", "",
        "- **bob** / nb1: test cell 't1' was edited (the instructor's copy ran)",
        "- **bob** / nb1: suspicious code: timeout",
        "- **bob** / nb1: t1: " + LONG[:200],                              # cut at 200 characters
        "- **carl** / nb1: not graded (the grader failed on it; see its log)",
        "- **bob** / nb2: t3: the kernel died (signal 9)",
        "- **carl** / nb2: not graded (the grader failed on it; see its log)",
        "- **dan** / nb2: not graded (the grader failed on it; see its log)",
    ]
    assert "expected 1, got 0.5" not in text and "graded by hand" not in text   # plain failures are not listed


def test_nobody_needing_a_human_says_none(course):
    for student in ("bob", "carl", "dan"):
        shutil.rmtree(course.submitted(student, "ps1").parent)
    assert needs_a_human(course, "ps1") == []
    text = (report(course, "ps1") / "needs_a_human.md").read_text()
    assert text == "# ps1: submissions that need a human\n\nNone.\n"


# --- distribution.png ---------------------------------------------------------------------------------

@pytest.fixture
def drawn(monkeypatch):
    """The figures ``report`` saves, kept for the test to read."""
    figures = []
    save = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda fig, *a, **k: (figures.append(fig), save(fig, *a, **k))[1])
    return figures


def test_the_plot_has_a_panel_per_graded_cell_and_one_for_the_total(course, drawn):
    out = report(course, "ps1")
    [fig] = drawn
    panels = {ax.get_title(): ax for ax in fig.axes if ax.axison}
    assert list(panels) == ["t1 (2)", "t2 (1)", "t3 (3)", "essay (2)", "total"]
    bars = {title: {t.get_text(): p.get_height() for t, p in zip(ax.get_xticklabels(), ax.patches)}
            for title, ax in panels.items() if title != "total"}
    assert bars == {"t1 (2)": {"0": 2, "2": 2},                       # not graded counts as 0
                    "t2 (1)": {"0": 2, "0.5": 1, "1": 1},
                    "t3 (3)": {"0": 2, "3": 2},
                    "essay (2)": {"0": 4, "2": 0}}
    assert sum(p.get_height() for p in panels["total"].patches) == 4   # one per student
    assert (out / "distribution.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(out / "distribution.png")
    assert image.shape[1] > image.shape[0] > 100


def test_zero_and_full_marks_are_on_every_scale_even_when_nobody_got_them(course, drawn):
    for student in ("carl", "dan"):
        shutil.rmtree(course.submitted(student, "ps1").parent)
    report(course, "ps1")
    [fig] = drawn
    t3 = next(ax for ax in fig.axes if ax.get_title() == "t3 (3)")
    assert {t.get_text(): p.get_height() for t, p in zip(t3.get_xticklabels(), t3.patches)} == {"0": 0, "3": 2}


# --- where it goes; bad input ---------------------------------------------------------------------------

def test_the_report_goes_to_reports_assignment_or_where_asked(course, tmp_path):
    assert report(course, "ps1") == course.root / "reports" / "ps1"
    assert sorted(p.name for p in (course.root / "reports" / "ps1").iterdir()) == [
        "distribution.png", "needs_a_human.md", "questions.md", "scores.csv"]
    elsewhere = report(course, "ps1", tmp_path / "out" / "deep")
    assert elsewhere == tmp_path / "out" / "deep" and (elsewhere / "scores.csv").is_file()


def test_a_second_report_replaces_the_first(course):
    report(course, "ps1")
    shutil.rmtree(course.submitted("dan", "ps1").parent)
    rows = scores_csv(report(course, "ps1") / "scores.csv")
    assert [r["student"] for r in rows] == ["amy", "bob", "carl"]


def test_an_unknown_assignment_says_where_the_source_should_be(course):
    with pytest.raises(FileNotFoundError, match=r"no source notebook in .*source/ps9: put the instructor's .ipynb"):
        report(course, "ps9")
    assert not (course.root / "reports" / "ps9").exists()                 # not even an empty folder
