"""The gradebook: nbgrader's own (``nbgrader.api.Gradebook``), through its SQLAlchemy URL.

``sqlite:///<course>/gradebook.db`` by default; ``postgresql://user@host/db`` when several
instructors (or several machines, :mod:`autograder.distributed`) share one. Only the
grader's parent process calls this module: code under test never sees the database.

Scores go where nbgrader puts them (``Grade.auto_score`` of each graded cell), so nbgrader's
formgrader, ``nbgrader export`` and this package's ``export`` all read the same numbers. A
notebook with notes or tampering flags is marked ``flagged`` (nbgrader's "needs a human").
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from . import rebuild
from .course import DEFAULT_COURSE_ID


def _alembic_on_path() -> None:
    """nbgrader calls the ``alembic`` command of this environment when it creates a database:
    put this environment's ``bin`` on ``PATH`` (once, and only when a gradebook is opened)."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def database_url(db_url: str) -> str:
    """The SQLAlchemy URL to open: ``postgresql://`` means the PostgreSQL driver this course
    installs (psycopg2; SQLAlchemy 2.1 would otherwise look for psycopg 3)."""
    if db_url.startswith("postgresql://") or db_url.startswith("postgres://"):
        return "postgresql+psycopg2://" + db_url.split("://", 1)[1]
    return db_url


@contextmanager
def open_gradebook(db_url: str, course_id: str = DEFAULT_COURSE_ID):
    """nbgrader's Gradebook (course_id: nbgrader.api's default; PostgreSQL needs a non-empty one)."""
    from nbgrader.api import Gradebook

    _alembic_on_path()

    db_url = database_url(db_url)
    if db_url.startswith("postgresql"):
        gb = _create_serialised(Gradebook, db_url, course_id)
    else:
        gb = Gradebook(db_url, course_id=course_id)
    try:
        yield gb
    finally:
        gb.close()


def _create_serialised(Gradebook, db_url: str, course_id: str):
    """nbgrader creates its tables on first use; two graders doing it at once would collide.

    A PostgreSQL advisory lock lets one create them while the other waits.
    """
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            try:
                return Gradebook(db_url, course_id=course_id)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
    finally:
        engine.dispose()


ADVISORY_KEY = 0x6E626772  # "nbgr"


def ensure_assignment(gb, assignment: str, templates: dict[str, dict], attempts: int = 5) -> None:
    """Create (or update) the assignment, its notebooks and graded cells, as nbgrader would.

    Two graders starting at once on a shared (PostgreSQL) gradebook may both try to create
    the same rows: the loser rolls back and tries again, and then finds them.
    """
    _with_retries(gb, lambda: _ensure_assignment(gb, assignment, templates), attempts)


def _with_retries(gb, write, attempts: int) -> None:
    """Run ``write()``; if another grader on the same gradebook created the same rows at the
    same moment (an integrity error), roll back and try again, a little later each time."""
    from sqlalchemy.exc import IntegrityError

    from nbgrader.api import InvalidEntry

    for attempt in range(attempts):
        try:
            write()
            return
        except (IntegrityError, InvalidEntry):
            gb.db.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _ensure_assignment(gb, assignment: str, templates: dict[str, dict]) -> None:
    gb.update_or_create_assignment(assignment)
    for name, template in templates.items():
        gb.update_or_create_notebook(name, assignment)
        for cell in template["cells"]:
            meta = rebuild.nbgrader_meta(cell)
            gid = meta.get("grade_id")
            if not gid:
                continue
            if meta.get("grade"):
                gb.update_or_create_grade_cell(gid, name, assignment, max_score=rebuild.points_of(meta),
                                               cell_type=cell.get("cell_type", "code"))
            if meta.get("solution"):
                gb.update_or_create_solution_cell(gid, name, assignment)


def released_sources(gb, assignment: str, notebook: str) -> dict[str, str]:
    """{grade_id: source} of the test and locked code cells nbgrader recorded when it released
    the assignment (hidden tests and expanded AUTOTEST lines included); {} if never released."""
    from nbgrader.api import MissingEntry

    try:
        nb = gb.find_notebook(notebook, assignment)
    except MissingEntry:
        return {}
    solutions = {c.name for c in nb.solution_cells}
    graded = {c.name for c in nb.grade_cells}
    return {c.name: c.source for c in nb.source_cells
            if c.cell_type == "code" and c.name not in solutions and (c.name in graded or c.locked)}


def write_result(gb, assignment: str, student: str, notebook: str, result: dict, attempts: int = 5,
                 timestamp: str | None = None) -> None:
    """Store one graded notebook's scores; commit. result: see :func:`autograder.worker.grade_notebook`.

    Retried after a rollback when another grader created the same student at the same moment.
    """
    _with_retries(gb, lambda: _write_result(gb, assignment, student, notebook, result, timestamp), attempts)


def _write_result(gb, assignment: str, student: str, notebook: str, result: dict, timestamp: str | None) -> None:
    from nbgrader.api import MissingEntry
    from nbgrader.utils import parse_utc

    gb.update_or_create_student(student)
    try:
        gb.find_submission(assignment, student)
    except MissingEntry:
        with warnings.catch_warnings():      # nbgrader's own add_submission trips SQLAlchemy's autoflush notes
            warnings.simplefilter("ignore")
            gb.add_submission(assignment, student)
    if timestamp:
        try:
            gb.find_submission(assignment, student).timestamp = parse_utc(timestamp)
        except (ValueError, TypeError, OverflowError):
            pass                                   # an unreadable timestamp.txt: no late penalty to apply
    for gid, score in result["scores"].items():
        grade = gb.find_grade(gid, notebook, assignment, student)
        grade.auto_score = None if score is None else float(score)
        # nbgrader's rule (SaveAutoGrades): a person must look when there is no automatic score
        # (an answer graded by hand) or a person already gave one
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
    nb = gb.find_submission_notebook(notebook, assignment, student)
    nb.flagged = bool(result.get("flags") or result.get("notes"))
    gb.db.commit()


def scores(gb, assignment: str, student: str, notebook: str) -> dict[str, float | None]:
    """{grade_id: auto_score} of one submitted notebook."""
    nb = gb.find_submission_notebook(notebook, assignment, student)
    return {g.name: (None if g.auto_score is None else float(g.auto_score)) for g in nb.grades}
