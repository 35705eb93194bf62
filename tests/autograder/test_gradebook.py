"""autograder.gradebook: what the grader writes into nbgrader's gradebook, read back with nbgrader's API.

The oracles: ``nbgrader generate_assignment`` itself, run on nbgrader's own fixture notebooks
(``nbgrader/tests/apps/files``), for the assignment, notebooks, graded and solution cells and
the recorded sources; nbgrader's :class:`~nbgrader.api.Gradebook` reading back scores, flags,
totals and lateness; nbgrader's rule for ``needs_manual_grade`` (``SaveAutoGrades``) and
hand-derived scores and times for the rest.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbgrader
import pytest
from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
from sqlalchemy.exc import IntegrityError

from autograder import gradebook
from autograder.course import Course
from autograder.gradebook import (database_url, ensure_assignment, open_gradebook, released_sources, scores,
                                  write_result)

FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"
BIN = str(Path(sys.executable).parent)
FIXTURES = {"p1": "test.ipynb", "p2": "test-hidden-tests.ipynb", "p3": "autotest-simple.ipynb"}


def url(path) -> str:
    return f"sqlite:///{path}"


def cells_of(db: str, assignment: str = "ps1") -> dict:
    """{notebook: (grade cells as (name, max_score, cell_type), solution cell names)} as nbgrader reads them."""
    gb = Gradebook(db)
    try:
        return {nb.name: ({(c.name, c.max_score, c.cell_type) for c in nb.grade_cells},
                          {c.name for c in nb.solution_cells})
                for nb in gb.find_assignment(assignment).notebooks}
    finally:
        gb.close()


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A course whose ps1 (three of nbgrader's fixture notebooks) nbgrader itself released."""
    root = tmp_path_factory.mktemp("released")
    src = root / "source" / "ps1"
    src.mkdir(parents=True)
    for name, fixture in FIXTURES.items():
        shutil.copy(FILES / fixture, src / f"{name}.ipynb")
    shutil.copy(FILES / "autotests.yml", src)
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "ps1", "--create", "--force",
                           f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url={url(root / 'gradebook.db')}"],
                          cwd=root, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return root


@pytest.fixture
def released_db(released, tmp_path):
    """A copy of nbgrader's gradebook of the release, for one test to change."""
    shutil.copy(released / "gradebook.db", tmp_path / "gradebook.db")
    return url(tmp_path / "gradebook.db")


def source_cells(nb_file: Path) -> dict[str, str]:
    nb = json.loads(nb_file.read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]
            if "nbgrader" in c["metadata"]}


# a small template for write_result: two tests, a code answer graded by hand, a plain answer
def cell(source, cell_type="code", **nbgrader):
    return {"cell_type": cell_type, "metadata": {"nbgrader": nbgrader}, "source": source}


TEMPLATE = {"cells": [cell("x = 1", grade_id="ans", solution=True),
                      cell("assert x", grade_id="t1", grade=True, points=2),
                      cell("assert x", grade_id="t2", grade=True, points=1),
                      cell("def f(): ...", grade_id="m", grade=True, solution=True, points=3)]}


@pytest.fixture(scope="module")
def empty_file(tmp_path_factory):
    """A new, empty gradebook (nbgrader asks ``alembic`` for its schema version once: seconds)."""
    path = tmp_path_factory.mktemp("empty") / "gradebook.db"
    with open_gradebook(url(path)):
        pass
    return path


@pytest.fixture
def empty_db(empty_file, tmp_path):
    """A copy of the empty gradebook, for one test."""
    shutil.copy(empty_file, tmp_path / "gradebook.db")
    return url(tmp_path / "gradebook.db")


@pytest.fixture
def gb(empty_db):
    """The gradebook of ps1 with one notebook, ``nb`` (TEMPLATE), open."""
    with open_gradebook(empty_db) as gb:
        ensure_assignment(gb, "ps1", {"nb": TEMPLATE})
        yield gb


def result(**scores_) -> dict:
    return {"scores": scores_, "notes": [], "flags": []}


# --- the assignment, as nbgrader records it ---------------------------------------------------------

def test_ensure_assignment_records_the_cells_nbgrader_records_at_release(released, empty_db):
    with open_gradebook(empty_db) as gb:
        ensure_assignment(gb, "ps1", Course(released).templates("ps1"))
    theirs = cells_of(url(released / "gradebook.db"))
    assert set(theirs) == set(FIXTURES)
    assert cells_of(empty_db) == theirs
    assert ("sum_of_squares_equation", 1.0, "markdown") in theirs["p1"][0]      # a written answer, by hand


def test_ensure_assignment_on_a_released_gradebook_keeps_what_nbgrader_recorded(released, released_db):
    def recorded():
        gb = Gradebook(released_db)
        try:
            return {nb.name: sorted((c.name, c.cell_type, c.locked, c.source, c.checksum) for c in nb.source_cells)
                    for nb in gb.find_assignment("ps1").notebooks}
        finally:
            gb.close()

    before, cells_before = recorded(), cells_of(released_db)
    with open_gradebook(released_db) as gb:
        ensure_assignment(gb, "ps1", Course(released).templates("ps1"))
    assert recorded() == before and cells_of(released_db) == cells_before


def test_ensure_assignment_twice_keeps_one_row_a_cell_and_takes_the_new_points(empty_db):
    changed = json.loads(json.dumps(TEMPLATE))
    changed["cells"][1]["metadata"]["nbgrader"]["points"] = 5
    with open_gradebook(empty_db) as gb:
        ensure_assignment(gb, "ps1", {"nb": TEMPLATE})
        ensure_assignment(gb, "ps1", {"nb": changed})
    assert cells_of(empty_db) == {"nb": ({("t1", 5.0, "code"), ("t2", 1.0, "code"), ("m", 3.0, "code")}, {"ans", "m"})}


# --- sources nbgrader recorded at release -----------------------------------------------------------

def test_released_sources_are_the_test_and_locked_code_cells_hidden_tests_included(released):
    with open_gradebook(url(released / "gradebook.db")) as gb:
        got = released_sources(gb, "ps1", "p2")
    source = source_cells(released / "source" / "ps1" / "p2.ipynb")
    tests = ["correct_squares", "squares_invalid_input", "correct_sum_of_squares", "sum_of_squares_uses_squares"]
    assert got == {gid: source[gid] for gid in tests}                 # no answer cell, no markdown cell
    assert "### BEGIN HIDDEN TESTS" in got["correct_squares"]
    assert "### BEGIN HIDDEN TESTS" not in source_cells(released / "release" / "ps1" / "p2.ipynb")["correct_squares"]


def test_released_sources_leave_out_answers_graded_by_hand(released):
    with open_gradebook(url(released / "gradebook.db")) as gb:
        got = released_sources(gb, "ps1", "p1")
    assert sorted(got) == ["correct_squares", "correct_sum_of_squares", "squares_invalid_input",
                           "sum_of_squares_uses_squares"]            # not sum_of_squares_application (code, by hand)


def test_released_sources_hold_autotest_lines_as_nbgrader_expanded_them(released):
    with open_gradebook(url(released / "gradebook.db")) as gb:
        got = released_sources(gb, "ps1", "p3")
    expanded = source_cells(released / "release" / "ps1" / "p3.ipynb")["test_simple"]
    assert got == {"test_simple": expanded}
    assert "AUTOTEST" not in expanded and "assert" in expanded


def test_released_sources_of_a_notebook_never_released_are_empty(released, gb):
    assert released_sources(gb, "ps1", "nb") == {}                    # known to the gradebook, never released
    with open_gradebook(url(released / "gradebook.db")) as released_gb:
        assert released_sources(released_gb, "ps1", "no_such_notebook") == {}
        assert released_sources(released_gb, "ps9", "p1") == {}


# --- scores, flags and times of a graded notebook ---------------------------------------------------

def test_scores_go_to_nbgrader_auto_score_and_nbgrader_adds_them_up(gb):
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=0.5, m=None))
    grades = {g: gb.find_grade(g, "nb", "ps1", "bob").auto_score for g in ("t1", "t2", "m")}
    assert grades == {"t1": 2.0, "t2": 0.5, "m": None}
    assert gb.find_submission_notebook("nb", "ps1", "bob").score == 2.5       # nbgrader's own sum
    assert gb.find_submission("ps1", "bob").max_score == 6.0
    assert scores(gb, "ps1", "bob", "nb") == grades


def test_needs_manual_grade_follows_nbgrader_rule(gb):
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=0, m=None))
    flags = {g: gb.find_grade(g, "nb", "ps1", "bob").needs_manual_grade for g in ("t1", "t2", "m")}
    assert flags == {"t1": False, "t2": False, "m": True}                 # no automatic score: a person grades


def test_a_regrade_keeps_a_persons_score_marked_for_a_person(gb):
    write_result(gb, "ps1", "bob", "nb", result(t1=0, t2=1, m=None))
    gb.find_grade("t1", "nb", "ps1", "bob").manual_score = 1.5           # the instructor overrides
    gb.db.commit()
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=1, m=None))
    t1 = gb.find_grade("t1", "nb", "ps1", "bob")
    assert (t1.auto_score, t1.manual_score, t1.needs_manual_grade, t1.score) == (2.0, 1.5, True, 1.5)


def test_a_second_notebook_joins_the_same_submission(empty_db):
    with open_gradebook(empty_db) as gb:
        ensure_assignment(gb, "ps1", {"nb": TEMPLATE, "nb2": TEMPLATE})
        write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=1, m=None))
        write_result(gb, "ps1", "bob", "nb2", result(t1=1, t2=0, m=None))
        assert [s.id for s in gb.students] == ["bob"]
        assert len(gb.find_assignment("ps1").submissions) == 1
        assert gb.find_submission("ps1", "bob").score == 4.0


def test_timestamp_txt_becomes_nbgraders_submission_time_in_utc(gb):
    stamp = (FILES / "timestamp.txt").read_text().strip()               # "2019-05-30 11:44:01.911849 UTC"
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=1, m=None), timestamp=stamp)
    assert gb.find_submission("ps1", "bob").timestamp == datetime.datetime(2019, 5, 30, 11, 44, 1, 911849)
    write_result(gb, "ps1", "amy", "nb", result(t1=2, t2=1, m=None), timestamp="2024-03-01 14:00:00 Europe/Berlin")
    assert gb.find_submission("ps1", "amy").timestamp == datetime.datetime(2024, 3, 1, 13, 0)


def test_nbgrader_reads_the_lateness_from_the_timestamp(gb):
    gb.update_or_create_assignment("ps1", duedate=datetime.datetime(2024, 3, 1, 12, 0))
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=1, m=None), timestamp="2024-03-01 13:00:00 UTC")
    write_result(gb, "ps1", "amy", "nb", result(t1=2, t2=1, m=None), timestamp="2024-03-01 11:00:00 UTC")
    assert gb.find_submission("ps1", "bob").total_seconds_late == 3600
    assert gb.find_submission("ps1", "amy").total_seconds_late == 0


@pytest.mark.parametrize("stamp", ["yesterday-ish", "2024-13-45 99:00:00 UTC", "9" * 40])
def test_an_unreadable_timestamp_is_ignored_and_the_scores_stored(gb, stamp):
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=1, m=None), timestamp=stamp)
    assert gb.find_submission("ps1", "bob").timestamp is None
    assert gb.find_submission("ps1", "bob").score == 3.0


@pytest.mark.parametrize("extra, flagged", [({}, False), ({"notes": ["test cell 't1' was edited"]}, True),
                                            ({"flags": ["timeout"]}, True)])
def test_a_notebook_with_notes_or_flags_is_flagged_for_a_human(gb, extra, flagged):
    write_result(gb, "ps1", "bob", "nb", {**result(t1=2, t2=1, m=None), **extra})
    assert gb.find_submission_notebook("nb", "ps1", "bob").flagged is flagged


def test_a_clean_regrade_clears_the_flag(gb):
    write_result(gb, "ps1", "bob", "nb", {**result(t1=0, t2=0, m=None), "notes": ["invalid JSON"]})
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=1, m=None))
    assert gb.find_submission_notebook("nb", "ps1", "bob").flagged is False


def test_what_is_written_is_committed_for_other_readers(gb, empty_db):
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=1, m=None))
    other = Gradebook(empty_db)
    try:
        assert other.find_submission("ps1", "bob").score == 3.0
    finally:
        other.close()


# --- bad input: nbgrader's own words, nothing lost --------------------------------------------------

def test_an_unknown_assignment_is_refused_in_nbgraders_words(gb):
    with pytest.raises(MissingEntry, match="No such assignment: ps9"):
        write_result(gb, "ps9", "bob", "nb", result(t1=2))


def test_an_unknown_grade_cell_is_refused_and_the_earlier_scores_stand(gb):
    write_result(gb, "ps1", "bob", "nb", result(t1=2, t2=1, m=None))
    with pytest.raises(MissingEntry, match="No such grade: ps1/nb/zz for bob"):
        write_result(gb, "ps1", "bob", "nb", result(t1=0, zz=1))
    gb.db.rollback()                                                    # as the batch does after a failure
    assert scores(gb, "ps1", "bob", "nb") == {"t1": 2.0, "t2": 1.0, "m": None}


def test_scores_of_a_notebook_never_graded_is_nbgraders_missing_entry(gb):
    with pytest.raises(MissingEntry, match="No such submitted notebook"):
        scores(gb, "ps1", "nobody", "nb")


# --- another grader creating the same rows at the same moment ---------------------------------------

class Racing:
    """A gradebook whose first ``losses`` calls of ``method`` lose a race (nbgrader's InvalidEntry or
    SQLAlchemy's IntegrityError), as when another grader created the same row an instant before."""

    def __init__(self, gb, method, losses, error):
        self.gb, self.method, self.losses, self.error, self.calls, self.rollbacks = gb, method, losses, error, 0, 0
        self.db = Session(self, gb.db)

    def __getattr__(self, name):
        attr = getattr(self.gb, name)
        if name != self.method:
            return attr

        def call(*args, **kwargs):
            self.calls += 1
            if self.calls <= self.losses:
                raise self.error
            return attr(*args, **kwargs)
        return call


class Session:
    """The real SQLAlchemy session, counting rollbacks."""

    def __init__(self, owner, db):
        self.owner, self.real = owner, db

    def rollback(self):
        self.owner.rollbacks += 1
        self.real.rollback()

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr(gradebook.time, "sleep", lambda s: None)


@pytest.mark.parametrize("error", [InvalidEntry("UNIQUE constraint failed"),
                                   IntegrityError("INSERT", {}, Exception("duplicate key"))])
def test_a_grader_that_loses_a_race_rolls_back_and_tries_again(empty_db, no_sleep, error):
    with open_gradebook(empty_db) as real:
        racing = Racing(real, "update_or_create_student", 2, error)
        ensure_assignment(real, "ps1", {"nb": TEMPLATE})
        write_result(racing, "ps1", "bob", "nb", result(t1=2, t2=1, m=None))
    assert (racing.calls, racing.rollbacks) == (3, 2)
    gb = Gradebook(empty_db)
    try:
        assert gb.find_submission("ps1", "bob").score == 3.0
    finally:
        gb.close()


def test_ensure_assignment_retries_too(empty_db, no_sleep):
    with open_gradebook(empty_db) as real:
        ensure_assignment(Racing(real, "update_or_create_assignment", 1, InvalidEntry("taken")), "ps1",
                          {"nb": TEMPLATE})
    assert set(cells_of(empty_db)) == {"nb"}


def test_after_the_last_attempt_the_error_is_raised(empty_db, no_sleep):
    with open_gradebook(empty_db) as real:
        racing = Racing(real, "update_or_create_assignment", 99, InvalidEntry("taken"))
        with pytest.raises(InvalidEntry, match="taken"):
            ensure_assignment(racing, "ps1", {"nb": TEMPLATE}, attempts=3)
    assert (racing.calls, racing.rollbacks) == (3, 3)


def test_other_errors_are_not_retried(empty_db, no_sleep):
    with open_gradebook(empty_db) as real:
        racing = Racing(real, "update_or_create_assignment", 99, OSError("disk full"))
        with pytest.raises(OSError, match="disk full"):
            ensure_assignment(racing, "ps1", {"nb": TEMPLATE})
    assert (racing.calls, racing.rollbacks) == (1, 0)


# --- opening the gradebook ----------------------------------------------------------------------------

def test_a_new_gradebook_is_created_without_this_environment_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")           # nbgrader calls `alembic`: only this env has it
    with open_gradebook(url(tmp_path / "gradebook.db")) as gb:
        gb.add_student("bob")
    with sqlite3.connect(tmp_path / "gradebook.db") as conn:
        assert len(conn.execute("SELECT version_num FROM alembic_version").fetchall()) == 1
        assert conn.execute("SELECT id FROM student").fetchall() == [("bob",)]
    assert os.environ["PATH"].split(os.pathsep).count(BIN) == 1
    with open_gradebook(url(tmp_path / "gradebook.db")):
        pass
    assert os.environ["PATH"].split(os.pathsep).count(BIN) == 1         # put there once


def test_rows_carry_the_course_id_given(empty_db):
    with open_gradebook(empty_db, "cnn101") as gb:
        ensure_assignment(gb, "ps1", {"nb": TEMPLATE})
    nbg = Gradebook(empty_db, course_id="cnn101")
    try:
        assert nbg.find_assignment("ps1").course_id == "cnn101"
    finally:
        nbg.close()


def test_the_gradebook_is_closed_even_when_the_block_fails(empty_db, monkeypatch):
    closed = []
    original = Gradebook.close
    monkeypatch.setattr(Gradebook, "close", lambda self: (closed.append(self), original(self)))
    with pytest.raises(RuntimeError, match="boom"):
        with open_gradebook(empty_db) as gb:
            raise RuntimeError("boom")
    assert closed == [gb]


def test_a_url_that_names_its_driver_is_kept():
    assert database_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert database_url("postgresql+pg8000://u@h/db") == "postgresql+pg8000://u@h/db"
    assert database_url("sqlite:///gradebook.db") == "sqlite:///gradebook.db"
