"""autograder.feedback: the student's HTML page of a graded notebook.

The page is read back with the standard library's HTML parser (what a browser would show as
text, which tags it would build). The oracles: nbgrader's own ``ClearHiddenTests`` and
``ClearSolutions`` preprocessors, run on nbgrader's fixture notebooks, for what a student must
never see (hidden tests, the instructor's solution); a small template and grading result whose
scores, order and messages are worked out by hand; plain file-system facts for the pages written.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import nbgrader
import pytest
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

from autograder.course import Course
from autograder.feedback import feedback, render

from ._cells import code, md

FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"


class Page(HTMLParser):
    """A rendered page as a browser sees it: its tags, its text, and each cell's text and ``<pre>`` blocks."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.cells, self.texts, self.depth, self.closed, self.in_pre = [], [], [], 0, 0, False
        self.feed(html)
        self.close()
        self.text = "".join(self.texts)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "div":
            if self.depth == 0:
                self.cells.append({"class": dict(attrs).get("class", "").split(), "text": "", "pre": []})
            self.depth += 1
        if tag == "pre" and self.depth:
            self.in_pre = True
            self.cells[-1]["pre"].append("")

    def handle_endtag(self, tag):
        self.in_pre = self.in_pre and tag != "pre"
        if tag == "div":
            self.depth -= 1
            self.closed += 1

    def handle_data(self, data):
        self.texts.append(data)
        if self.depth:
            self.cells[-1]["text"] += data
        if self.in_pre:
            self.cells[-1]["pre"][-1] += data

    def cell(self, starting: str) -> dict:
        [found] = [c for c in self.cells if c["text"].startswith(starting)]
        return found


TEMPLATE = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    md("# Part 1\n\nWrite `f`."),                                                                           # 0
    code("SEED = 1\n### BEGIN HIDDEN TESTS\nSECRET_INPUT = 42\n### END HIDDEN TESTS\n",
         grade_id="setup", locked=True),                                                                    # 1
    code("def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION", grade_id="f", solution=True),
    code("assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(41) == 42  # the hidden check\n### END HIDDEN TESTS\n",
         grade_id="t_ok", grade=True, points=2),                                                           # 3
    code("assert f(0) == 1", grade_id="t_bad", grade=True, points=3),                                      # 4
    code("check_partial(f)", grade_id="t_partial", grade=True, points=1),                                  # 5
    md("Model answer: a kernel slides over the image.", grade_id="essay", grade=True, solution=True, points=2),
    code("def g():\n    return 'the instructor g'", grade_id="g", grade=True, solution=True, points=4),    # 7
]}


def run(index, status="ok", **fields):
    return {"index": index, "kind": "x", "grade_id": None, "status": status, **fields}


RESULT = {
    "answers": {"f": "def f(x):\n    return x", "essay": "My *own* essay <script>alert('essay')</script>",
                "g": "def g():\n    return '</pre><script>alert(1)</script>'"},
    "added": ["print('helper <b>bold</b>')"],
    "cells": [run(1), run(2, stdout="f defined <i>\n"), run(None, stdout="helper <b>bold</b>\n"), run(3),
              run(4, "error", ename="AssertionError", evalue="f(0) returned 0, expected 1",
                  traceback="Traceback (most recent call last):\n  in the traceback line\nAssertionError"),
              run(5), run(7, "manual")],
    "scores": {"t_ok": 2.0, "t_bad": 0.0, "t_partial": 0.5, "essay": None, "g": None},
    "points": {"t_ok": 2.0, "t_bad": 3.0, "t_partial": 1.0, "essay": 2.0, "g": 4.0},
    "reasons": {"t_bad": "f(0) returned 0, expected 1 <for x=0>"},
    "notes": ["test cell 't_bad' was edited (the instructor's copy ran) <&>"],
    "flags": [],
}


def page(show_hidden=False, result=RESULT, template=TEMPLATE, title="ps1 / nb: bob <1>") -> Page:
    return Page(render(template, result, title, show_hidden=show_hidden))


# --- scores -----------------------------------------------------------------------------------------

def test_the_score_line_adds_the_scores_out_of_the_points_of_the_graded_cells():
    assert "Score: 2.5 / 12" in page().text                   # 2 + 0 + 0.5 of 2 + 3 + 1 + 2 + 4


def test_each_test_cell_shows_its_score_and_whether_it_earned_every_point():
    p = page()
    assert p.cell("t_ok: 2 / 2")["class"] == ["cell", "ok"]
    assert p.cell("t_bad: 0 / 3")["class"] == ["cell", "bad"]
    assert p.cell("t_partial: 0.5 / 1")["class"] == ["cell", "bad"]
    assert p.cell("g: to be graded by hand / 4")["class"] == ["cell"]


def test_every_cell_the_score_line_counts_has_its_own_line_written_answers_too():
    """The total's points (2 + 3 + 1 + 2 + 4) are each shown once, by the cell they belong to."""
    p = page()
    essay = p.cell("essay: to be graded by hand / 2")
    assert "My own essay" in essay["text"] and essay["class"] == ["cell", "markdown"]
    shown = [c["text"].split(":")[0] for c in p.cells if " / " in c["text"].split("\n")[0]]
    assert sorted(shown) == sorted(RESULT["points"])


def test_a_cell_that_did_not_score_says_why():
    text = page().cell("t_bad: 0 / 3")["text"]
    assert "f(0) returned 0, expected 1 <for x=0>" in text
    assert "AssertionError: f(0) returned 0, expected 1" in text


def test_the_notes_and_the_title_are_shown_as_text():
    p = page()
    assert "test cell 't_bad' was edited (the instructor's copy ran) <&>" in p.text
    assert p.text.count("ps1 / nb: bob <1>") == 2                               # the title and the heading


# --- what the student wrote ---------------------------------------------------------------------------

def test_the_students_answers_and_added_cells_appear_where_they_ran():
    code_cells = [c["pre"] for c in page().cells if "markdown" not in c["class"]]
    assert code_cells[0] == ["SEED = 1\n"]                                     # the locked cell, hidden part cut
    assert code_cells[1] == ["def f(x):\n    return x", "f defined <i>\n"]    # the answer, then its output
    assert code_cells[2] == ["print('helper <b>bold</b>')", "helper <b>bold</b>\n"]   # the cell the student added
    assert code_cells[3][0].startswith("assert f(1) == 2\n")
    assert code_cells[4] == ["assert f(0) == 1", "AssertionError: f(0) returned 0, expected 1"]
    assert len(code_cells) == 7


def test_markdown_is_rendered_and_raw_html_in_it_is_only_text():
    p = page()
    assert "h1" in p.tags and "em" in p.tags                                     # "# Part 1", "*own*"
    assert "My own essay <script>alert('essay')</script>" in p.text


def test_nothing_a_student_wrote_becomes_markup():
    p = page(show_hidden=True)
    assert "script" not in p.tags and "b" not in p.tags and "i" not in p.tags
    assert "return '</pre><script>alert(1)</script>'" in p.text
    assert p.closed == p.tags.count("div")                                     # every cell's box is closed


def test_the_page_is_a_whole_html_document():
    html = render(TEMPLATE, RESULT, "t")
    assert html.startswith("<!doctype html><meta charset='utf-8'><title>t</title>")


# --- what a student must not see -----------------------------------------------------------------

def test_hidden_tests_are_a_placeholder_unless_the_instructor_asks():
    hidden = page().cell("t_ok: 2 / 2")["text"]
    assert "assert f(1) == 2" in hidden and "hidden tests: they ran, their source is not shown" in hidden
    assert "the hidden check" not in page().text and "SECRET_INPUT" not in page().text
    shown = page(show_hidden=True)
    assert "assert f(41) == 42  # the hidden check" in shown.text and "SECRET_INPUT = 42" in shown.text


def test_tracebacks_are_shown_only_to_the_instructor():
    assert "in the traceback line" not in page().text
    assert "in the traceback line" in page(show_hidden=True).text


def nbgrader_fixture(name: str) -> dict:
    """One of nbgrader's fixture notebooks as the grader reads a template (sources as one string)."""
    return json.loads(json.dumps(nbformat.read(str(FILES / name), as_version=4)))


def removed_lines(name: str, preprocessor) -> set[str]:
    """The lines nbgrader's own preprocessor takes out of the fixture notebook."""
    before = nbformat.read(str(FILES / name), as_version=4)
    after, _ = preprocessor.preprocess(nbformat.read(str(FILES / name), as_version=4), {"language": "python"})
    kept = {line.strip() for c in after.cells for line in c.source.splitlines()}
    return {line.strip() for c in before.cells for line in c.source.splitlines()} - kept - {""}


def graded(template: dict, answers: dict, ids=None) -> dict:
    """A grading result of ``template``: every graded cell (or those in ``ids``) scored, tests 0,
    answers graded by hand None."""
    meta = [c["metadata"]["nbgrader"] for c in template["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    points = {m["grade_id"]: float(m["points"]) for m in meta}
    manual = {m["grade_id"] for m in meta if m.get("solution")}
    ids = points if ids is None else ids
    return {"answers": answers, "cells": [], "points": points,
            "scores": {g: None if g in manual else 0.0 for g in ids}}


def test_no_line_of_nbgraders_hidden_tests_reaches_the_page():
    template = nbgrader_fixture("test-hidden-tests.ipynb")
    hidden = removed_lines("test-hidden-tests.ipynb", ClearHiddenTests())
    assert len(hidden) == 6                                          # 2 cells: 2 asserts and the markers each
    text = page(result=graded(template, {}), template=template).text
    assert not [line for line in hidden if line in text]
    shown = page(show_hidden=True, result=graded(template, {}), template=template).text
    assert all(line in shown for line in hidden)


def test_an_unchanged_release_shows_none_of_nbgraders_solution_lines():
    template = nbgrader_fixture("test.ipynb")
    release, _ = ClearSolutions().preprocess(nbformat.read(str(FILES / "test.ipynb"), as_version=4),
                                             {"language": "python"})
    answers = {c.metadata.nbgrader["grade_id"]: c.source for c in release.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    solution = removed_lines("test.ipynb", ClearSolutions())
    text = page(result=graded(template, answers), template=template).text
    assert "YOUR ANSWER HERE" in text and not [line for line in solution if line in text]


@pytest.mark.parametrize("ids", [None, ["correct_squares", "squares_invalid_input", "correct_sum_of_squares",
                                        "sum_of_squares_uses_squares"]], ids=["every cell scored", "tests only"])
def test_a_result_without_the_answer_of_a_cell_shows_none_of_the_solution(ids):
    # a result from before the template gained these answer cells, or that lacks their answers:
    # the template's text of an answer cell is the instructor's solution (a written answer included)
    template = nbgrader_fixture("test.ipynb")
    solution = removed_lines("test.ipynb", ClearSolutions())
    for show_hidden in (False, True):
        text = page(show_hidden=show_hidden, result=graded(template, {}, ids), template=template).text
        assert not [line for line in solution if line in text]


# --- the pages on disk --------------------------------------------------------------------------------

def write_nb(path: Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))


@pytest.fixture
def course(tmp_path) -> Course:
    """ps1 of two notebooks; amy graded in both, bob in nb1 only, carl submitted but not graded."""
    for name in ("nb1", "nb2"):
        write_nb(tmp_path / "source" / "ps1" / f"{name}.ipynb", TEMPLATE)
    for student in ("amy", "bob", "carl"):
        (tmp_path / "submitted" / student / "ps1").mkdir(parents=True)
    for student, name in [("amy", "nb1"), ("amy", "nb2"), ("bob", "nb1")]:
        path = tmp_path / "autograded" / student / "ps1" / f"{name}.grading.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(RESULT))
    return Course(tmp_path)


def test_one_page_per_graded_student_and_notebook(course):
    pages = feedback(course, "ps1")
    root = course.root / "feedback"
    on_disk = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert on_disk == ["amy/ps1/nb1.html", "amy/ps1/nb2.html", "bob/ps1/nb1.html"]
    assert sorted(p.relative_to(root).as_posix() for p in pages) == on_disk
    assert Page((root / "amy" / "ps1" / "nb2.html").read_text()).text.startswith("ps1 / nb2: amy")


def test_a_second_run_replaces_the_pages_and_leaves_nothing_else(course):
    feedback(course, "ps1")
    path = course.autograded("bob", "ps1") / "nb1.grading.json"
    path.write_text(json.dumps({**RESULT, "scores": {**RESULT["scores"], "t_bad": 3.0}}))
    feedback(course, "ps1", show_hidden=True)
    text = Page((course.feedback("bob", "ps1") / "nb1.html").read_text()).text
    assert "Score: 5.5 / 12" in text and "the hidden check" in text
    assert sorted(p.name for p in course.feedback("bob", "ps1").iterdir()) == ["nb1.html"]


def test_no_student_graded_yet_means_no_pages(course):
    for path in (course.root / "autograded").rglob("*.grading.json"):
        path.unlink()
    assert feedback(course, "ps1") == []
    assert not (course.root / "feedback").exists()


def test_an_unknown_assignment_says_where_the_source_should_be_and_writes_nothing(course):
    with pytest.raises(FileNotFoundError, match=r"no source notebook in .*source/ps9: put the instructor's .ipynb"):
        feedback(course, "ps9")
    assert not (course.root / "feedback").exists()
