"""autograder.course: the folders of an nbgrader course, checked against nbgrader's own layout.

nbgrader's :class:`~nbgrader.coursedir.CourseDirectory` is the oracle for the paths and the
default gradebook URL; the templates are read as nbgrader reads them (sources as one string).
"""

from __future__ import annotations

import dataclasses
import inspect
import json

import pytest
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

from autograder.course import DEFAULT_COURSE_ID, Course

from ._cells import code


def nbgrader_dir(root) -> CourseDirectory:
    return CourseDirectory(root=str(root))


def write_nb(path, cells):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_step_folders_are_where_nbgrader_puts_them(tmp_path):
    course, nbg = Course(tmp_path), nbgrader_dir(tmp_path)
    assert str(course.submitted("bob", "ps1")) == nbg.format_path(nbg.submitted_directory, "bob", "ps1")
    assert str(course.autograded("bob", "ps1")) == nbg.format_path(nbg.autograded_directory, "bob", "ps1")
    assert str(course.feedback("bob", "ps1")) == nbg.format_path(nbg.feedback_directory, "bob", "ps1")
    assert course.source("ps1") == tmp_path / nbg.source_directory / "ps1"
    assert course.release("ps1") == tmp_path / nbg.release_directory / "ps1"


def test_default_gradebook_url_is_nbgrader_default(tmp_path):
    assert Course(tmp_path).db_url == nbgrader_dir(tmp_path).db_url


def test_default_course_id_is_nbgrader_api_default():
    assert DEFAULT_COURSE_ID == inspect.signature(Gradebook.__init__).parameters["course_id"].default


def test_relative_root_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    course = Course("course")
    assert course.root == tmp_path / "course" and course.root.is_absolute()
    assert course.db_url == f"sqlite:///{tmp_path}/course/gradebook.db"


def test_postgresql_url_gets_the_psycopg2_driver(tmp_path):
    assert Course(tmp_path, "postgresql://u:p@h/db").db_url == "postgresql+psycopg2://u:p@h/db"
    assert Course(tmp_path, "postgres://h/db").db_url == "postgresql+psycopg2://h/db"


def test_other_gradebook_urls_are_kept_as_given(tmp_path):
    assert Course(tmp_path, "sqlite:////elsewhere/gb.db").db_url == "sqlite:////elsewhere/gb.db"


def test_state_folder_is_dot_autograder(tmp_path):
    assert Course(tmp_path).state == tmp_path / ".autograder"


def test_course_is_immutable(tmp_path):
    with pytest.raises(dataclasses.FrozenInstanceError):
        Course(tmp_path).root = tmp_path / "other"


def test_students_are_those_who_submitted_this_assignment_sorted(tmp_path):
    for student, assignment in [("zoe", "ps1"), ("amy", "ps1"), ("bob", "ps2")]:
        (tmp_path / "submitted" / student / assignment).mkdir(parents=True)
    (tmp_path / "submitted" / "carl").mkdir()                    # nothing handed in
    (tmp_path / "submitted" / "dan").mkdir()
    (tmp_path / "submitted" / "dan" / "ps1").write_text("")     # a file, not a folder
    course = Course(tmp_path)
    assert course.students("ps1") == ["amy", "zoe"]
    assert course.students("ps2") == ["bob"]
    assert course.students("ps3") == []


def test_no_submitted_folder_means_no_students(tmp_path):
    assert Course(tmp_path).students("ps1") == []


def test_templates_are_keyed_by_notebook_name_and_sources_joined(tmp_path):
    src = tmp_path / "source" / "ps1"
    write_nb(src / "b.ipynb", [code(["x = 1\n", "y = 2"], grade_id="a1", solution=True)])
    write_nb(src / "a.ipynb", [{"cell_type": "markdown", "metadata": {}, "source": ["# T", "itle"]}])
    (src / "notes.txt").write_text("not a notebook")
    templates = Course(tmp_path).templates("ps1")
    assert list(templates) == ["a", "b"]
    assert templates["b"]["cells"][0]["source"] == "x = 1\ny = 2"
    assert templates["b"]["cells"][0]["metadata"]["nbgrader"] == {"grade_id": "a1", "solution": True}
    assert templates["a"]["cells"][0]["source"] == "# Title"


def test_templates_are_plain_json_data(tmp_path):
    write_nb(tmp_path / "source" / "ps1" / "n.ipynb", [code("1")])
    nb = Course(tmp_path).templates("ps1")["n"]
    assert type(nb) is dict and type(nb["cells"][0]) is dict
    assert json.loads(json.dumps(nb)) == nb


def test_missing_source_folder_says_where_to_put_the_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no source notebook in .*source/ps1: put the instructor's .ipynb"):
        Course(tmp_path).templates("ps1")


def test_source_folder_without_notebooks_is_an_error(tmp_path):
    (tmp_path / "source" / "ps1").mkdir(parents=True)
    (tmp_path / "source" / "ps1" / "ps1.py").write_text("")
    with pytest.raises(FileNotFoundError, match="no source notebook"):
        Course(tmp_path).templates("ps1")
