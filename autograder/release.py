"""``release``: the student version of an assignment, made by nbgrader itself.

Runs ``nbgrader generate_assignment`` on ``source/<assignment>/`` (solutions and hidden
tests removed, cells locked, checksums computed, the gradebook told about the graded
cells), so the released notebooks are exactly nbgrader's format. A new course needs no set-up:
when ``source/<assignment>/`` is missing, the course's own assignment is copied there from
``notebooks/<assignment>/`` of this repository (its ``.ipynb`` and its ``data/``, never the
``.py`` sources, which hold the solutions).
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .course import DEFAULT_COURSE_ID, Course

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def course_assignments() -> list[str]:
    """The assignments this repository ships (``notebooks/<name>/<name>.ipynb``)."""
    if not NOTEBOOKS.is_dir():
        return []
    return sorted(p.name for p in NOTEBOOKS.iterdir() if (p / f"{p.name}.ipynb").is_file())


def adopt(course: Course, assignment: str) -> Path | None:
    """Copy the course's assignment into ``source/`` when the course has none; the folder copied from."""
    target = course.source(assignment)
    if target.is_dir() and any(target.glob("*.ipynb")):
        return None
    origin = NOTEBOOKS / assignment
    if not (origin / f"{assignment}.ipynb").is_file():
        from .cli import Mistake

        known = course_assignments()
        close = difflib.get_close_matches(assignment, known, n=1)
        hint = f"did you mean {close[0]}?" if close else f"this repository has {', '.join(known) or 'none'}"
        raise Mistake(f"there is no assignment {assignment!r} in {course.source('')} nor in {NOTEBOOKS}: {hint}")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(origin / f"{assignment}.ipynb", target)
    if (origin / "data").is_dir():
        shutil.copytree(origin / "data", target / "data", dirs_exist_ok=True)
    return origin


def release(course: Course, assignment: str, course_id: str = DEFAULT_COURSE_ID) -> tuple[Path | None, Path]:
    """(folder the source was copied from or None, ``release/<assignment>/``).

    Raises RuntimeError with nbgrader's output when nbgrader fails."""
    copied = adopt(course, assignment)
    from .gradebook import database_url

    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", "--create",
           f"--CourseDirectory.root={course.root}", f"--CourseDirectory.db_url={database_url(course.db_url)}",
           f"--CourseDirectory.course_id={course_id}"]
    proc = subprocess.run(cmd, cwd=course.root, capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{proc.stdout}\n{proc.stderr}")
    return copied, course.release(assignment)
