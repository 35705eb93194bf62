"""``release``: the student version of an assignment, made by nbgrader itself.

Runs ``nbgrader generate_assignment`` on ``source/<assignment>/`` (solutions and hidden
tests removed, cells locked, checksums computed, the gradebook told about the graded
cells), so the released notebooks are exactly nbgrader's format. A new course needs no set-up:
when ``source/<assignment>/`` is missing, the course's own assignment is copied there from
``notebooks/<assignment>/`` of this repository (its ``.ipynb`` and its ``data/``, never the
``.py`` sources, which hold the solutions).

nbgrader writes into a scratch folder beside ``release/``, which replaces
``release/<assignment>/`` only once nbgrader has succeeded: a release that fails (a source
nbgrader cannot read) leaves the earlier release as it was, says why in one sentence, and keeps
nbgrader's whole output in ``.autograder/release-<assignment>.log``.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from cnn_core._files import write_text_atomic

from .cli import Mistake
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
        known = course_assignments()
        close = difflib.get_close_matches(assignment, known, n=1)
        hint = f"did you mean {close[0]}?" if close else f"this repository has {', '.join(known) or 'none'}"
        raise Mistake(f"there is no assignment {assignment!r} in {course.source('')} nor in {NOTEBOOKS}: {hint}")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(origin / f"{assignment}.ipynb", target)
    if (origin / "data").is_dir():
        shutil.copytree(origin / "data", target / "data", dirs_exist_ok=True)
    return origin


class ReleaseFailed(Mistake):
    """nbgrader could not make the student version (the earlier release is kept)."""


def release(course: Course, assignment: str, course_id: str = DEFAULT_COURSE_ID) -> tuple[Path | None, Path]:
    """(folder the source was copied from or None, ``release/<assignment>/``).

    Raises :class:`ReleaseFailed` with nbgrader's reason when nbgrader fails."""
    copied = adopt(course, assignment)
    from .gradebook import database_url

    scratch = course.root / f".release-{assignment}-{os.getpid()}"
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", "--create",
           f"--CourseDirectory.root={course.root}", f"--CourseDirectory.db_url={database_url(course.db_url)}",
           f"--CourseDirectory.course_id={course_id}", f"--CourseDirectory.release_directory={scratch.name}"]
    target = course.release(assignment)
    try:
        proc = subprocess.run(cmd, cwd=course.root, capture_output=True, text=True, env=env, timeout=600)
        if proc.returncode or not (scratch / assignment).is_dir():
            raise _failure(course, assignment, proc.stdout + proc.stderr, kept=target.is_dir())
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.with_name(f".{assignment}.old-{os.getpid()}")
        if target.exists():
            target.rename(old)
        (scratch / assignment).rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return copied, target


def _failure(course: Course, assignment: str, output: str, *, kept: bool) -> ReleaseFailed:
    """One sentence: nbgrader's reason (the last exception its traceback names) and the notebook."""
    log = course.root / ".autograder" / f"release-{assignment}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(log, output)
    lines = [line.strip() for line in output.splitlines()]
    reasons = [line for line in lines if re.match(r"^[\w.]*(Error|Exception|Exit)\b.*?:", line)]
    converting = [line.rsplit(" ", 1)[-1] for line in lines if "Converting notebook" in line]
    reason = reasons[-1] if reasons else (lines[-1] if lines else "no output")
    where = f" (in {Path(converting[-1]).name})" if converting else ""
    what = (f"the earlier release in {course.release(assignment)} is kept as it was" if kept
            else "nothing was released")
    return ReleaseFailed(f"nbgrader could not release {assignment}{where}: {reason[:300]}; {what}. "
                         f"nbgrader's whole output is in {log}")
