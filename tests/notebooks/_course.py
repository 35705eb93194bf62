"""Run nbgrader itself on one assignment in a throw-away course directory.

Shared by the notebook tests: make the course (``nbgrader_config.py`` with the course root
and a gradebook), copy the assignment's source notebook (and data, never the ``.py``
sources, which hold the solutions) into ``source/``, run ``nbgrader generate_assignment``,
place a submission, run ``nbgrader autograde`` and read the scores from the gradebook.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NBGRADER = [sys.executable, "-m", "nbgrader"]
STUDENT = "student"
sys.path.insert(0, str(NOTEBOOKS))
import build_sources  # noqa: E402  (notebooks/build_sources.py)

# nbgrader's gradebook calls the `alembic` command: it must be found next to this Python
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

ASSIGNMENTS = [p.name for p in build_sources.assignments()]


def source_notebook(assignment: str) -> dict:
    return json.loads((NOTEBOOKS / assignment / f"{assignment}.ipynb").read_text())


def graded_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]


def cell_timeout(assignment: str) -> int:
    """nbgrader's ``Execute.timeout`` for an assignment: 120 s, or the longer time the
    notebook's metadata asks the course's grader for (the capstone trains a network)."""
    asked = source_notebook(assignment)["metadata"].get("autograder", {}).get("cell_seconds", 0)
    return int(max(120, asked))


def max_score(assignment: str) -> float:
    return float(sum(c["metadata"]["nbgrader"]["points"] for c in graded_cells(source_notebook(assignment))))


class Course:
    """A course directory under ``root`` holding one assignment."""

    def __init__(self, root: Path, assignment: str, *, copy_of: Path | None = None):
        self.root, self.assignment = root, assignment
        self.db = root / "gradebook.db"
        if copy_of is not None:                       # an already generated course
            shutil.copytree(copy_of, root, dirs_exist_ok=True)
            self._write_config()
            return
        root.mkdir(parents=True, exist_ok=True)
        self._write_config()
        src = root / "source" / assignment
        src.mkdir(parents=True)
        shutil.copy(NOTEBOOKS / assignment / f"{assignment}.ipynb", src)
        if (NOTEBOOKS / assignment / "data").is_dir():
            shutil.copytree(NOTEBOOKS / assignment / "data", src / "data")

    def _write_config(self) -> None:
        root = self.root
        (root / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"c.CourseDirectory.root = {str(root)!r}\n"
            f"c.CourseDirectory.db_url = {('sqlite:///' + str(self.db))!r}\n"
            "c.CourseDirectory.course_id = 'cnn-course'\n"
            f"c.Execute.timeout = {cell_timeout(self.assignment)}\n")

    def nbgrader(self, command: str, **options) -> None:
        """Run an nbgrader command through its Python API (``nbgrader.apps.NbGraderAPI``),
        in this process: the same converters as the command line, without starting a new
        Python for each call."""
        from nbgrader.apps import NbGraderAPI
        from traitlets.config import Config

        config = Config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = "sqlite:///" + str(self.db)
        config.CourseDirectory.course_id = "cnn-course"
        config.Execute.timeout = cell_timeout(self.assignment)
        result = getattr(NbGraderAPI(config=config), command)(self.assignment, force=True, **options)
        if not result["success"]:
            raise AssertionError(f"nbgrader {command} failed:\n{result.get('error')}\n{result.get('log')}")

    def nbgrader_cli(self, *args: str) -> subprocess.CompletedProcess:
        """The same through the command line (``python -m nbgrader ...``), as an instructor runs it."""
        proc = subprocess.run([*NBGRADER, *args, "--force"], cwd=self.root, capture_output=True, text=True,
                              timeout=600 + 2 * cell_timeout(self.assignment))
        if proc.returncode:
            raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def generate(self) -> dict:
        """Run ``nbgrader generate_assignment``; return the released notebook."""
        self.nbgrader("generate_assignment")
        return json.loads((self.release_path).read_text())

    @property
    def release_path(self) -> Path:
        return self.root / "release" / self.assignment / f"{self.assignment}.ipynb"

    def submit(self, nb: dict) -> None:
        folder = self.root / "submitted" / STUDENT / self.assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{self.assignment}.ipynb").write_text(json.dumps(nb))

    def autograde(self) -> dict[str, float]:
        """Run ``nbgrader autograde``; return {grade_id: score} of the graded cells, from the gradebook."""
        self.nbgrader("autograde", student_id=STUDENT, create=True)
        from nbgrader.api import Gradebook

        with Gradebook("sqlite:///" + str(self.db)) as gb:
            nb = gb.find_submission_notebook(self.assignment, self.assignment, STUDENT)
            return {g.name: float(g.score) for g in nb.grades}

    def graded_notebook(self) -> dict:
        path = self.root / "autograded" / STUDENT / self.assignment / f"{self.assignment}.ipynb"
        return json.loads(path.read_text())


# --------------------------------------------------------------------------------------
# the prepared wrong submission
# --------------------------------------------------------------------------------------
def wrong_submission(assignment: str) -> tuple[dict[str, str], set[str]]:
    """({grade_id: answer-cell source}, expected failing grade_ids) of ``wrong_submission.py``."""
    text = (NOTEBOOKS / assignment / "wrong_submission.py").read_text()
    m = re.search(r"^# expected_failures: (.*)$", text, re.M)
    if not m:
        raise AssertionError(f"{assignment}/wrong_submission.py needs a '# expected_failures: id, id' line")
    cells = build_sources.parse(text)
    if any(c.get("kind") != "solution" for c in cells):
        raise AssertionError(f"{assignment}/wrong_submission.py may only hold 'solution' cells")
    return {c["id"]: c["source"] for c in cells}, {s.strip() for s in m.group(1).split(",")}


def apply_answers(nb: dict, answers: dict[str, str]) -> dict:
    """A copy of ``nb`` with the answer cells named in ``answers`` replaced."""
    nb = json.loads(json.dumps(nb))
    found = set()
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell["source"] = answers[meta["grade_id"]]
            found.add(meta["grade_id"])
    missing = set(answers) - found
    if missing:
        raise AssertionError(f"wrong submission names answer cells that do not exist: {sorted(missing)}")
    return nb


# --------------------------------------------------------------------------------------
# generate once per assignment, shared by the tests of its variants (and xdist workers)
# --------------------------------------------------------------------------------------
def generated_course(shared: Path, root: Path, assignment: str) -> tuple[Course, dict]:
    """A fresh course in ``root`` whose assignment is already generated, and its release.

    ``nbgrader generate_assignment`` runs once per assignment per test session: the first
    test to need it generates into ``shared`` (under a file lock), the others copy the
    result (source, release and gradebook).
    """
    import fcntl

    cache = shared / f"generated-{assignment}"
    with open(shared / f"generated-{assignment}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / "generated.ok").exists():
            shutil.rmtree(cache, ignore_errors=True)
            Course(cache, assignment).generate()
            (cache / "generated.ok").write_text("ok")
    course = Course(root, assignment, copy_of=cache)
    return course, json.loads(course.release_path.read_text())
