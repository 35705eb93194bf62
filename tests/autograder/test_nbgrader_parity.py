"""nbgrader is the oracle: on nbgrader's own fixture notebooks, the same scores and flags.

Each scenario releases one of the fixture notebooks that ship inside nbgrader's package
(``nbgrader/tests/apps/files``) with nbgrader itself, then grades the same submission twice:
once with ``nbgrader autograde`` (a plain Jupyter kernel), once with this package's ``grade``
(jails, a trusted judge). The gradebooks must agree cell by cell: ``auto_score`` and
``needs_manual_grade``. The scenarios cover plain ``assert`` tests and partial credit
(``test.ipynb``), answers graded by hand, a cell the student added, ``AUTOTEST`` cells
(expanded by nbgrader when it releases), and a source whose own tests fail, which grading
refuses unless told ``--allow-failing-source``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbgrader
import pytest

from autograder.course import Course
from autograder.gradebook import open_gradebook
from autograder.parallel import SourceFails, grade_assignment

from .conftest import TEST_LIMITS

FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"
BIN = str(Path(sys.executable).parent)
pytestmark = pytest.mark.slow


def _nbgrader(root: Path, *args: str) -> None:
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root}",
                           f"--CourseDirectory.db_url=sqlite:///{root / 'gradebook.db'}", "--force"],
                          cwd=root, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def _release(root: Path, source: dict, name: str = "p1") -> dict:
    (root / "source" / "ps1").mkdir(parents=True)
    (root / "source" / "ps1" / f"{name}.ipynb").write_text(json.dumps(source))
    for extra in ("autotests.yml", "jupyter.png"):
        if (FILES / extra).exists():
            shutil.copy(FILES / extra, root / "source" / "ps1" / extra)
    _nbgrader(root, "generate_assignment", "ps1", "--create")
    return json.loads((root / "release" / "ps1" / f"{name}.ipynb").read_text())


def _grades(db: str) -> dict[str, dict[str, tuple]]:
    with open_gradebook(db) as gb:
        out = {}
        for student in gb.students:
            sub = gb.find_submission_notebook("p1", "ps1", student.id)
            out[student.id] = {g.name: (g.auto_score, g.needs_manual_grade) for g in sub.grades}
    return out


def both(tmp_path, source: dict, submissions, *, allow_failing_source: bool = False):
    """(nbgrader's grades, ours) for ``submissions``: {student: notebook or callable(release) -> notebook}."""
    theirs, ours = tmp_path / "nbgrader", tmp_path / "ours"
    release = _release(theirs, source)
    shutil.copytree(theirs, ours)                        # the same release, the same recorded source cells
    for root in (theirs, ours):
        for student, nb in submissions.items():
            nb = nb(release) if callable(nb) else nb
            folder = root / "submitted" / student / "ps1"
            folder.mkdir(parents=True)
            (folder / "p1.ipynb").write_text(json.dumps(nb))
    _nbgrader(theirs, "autograde", "ps1", "--create")
    summary = grade_assignment(Course(ours), "ps1", jobs=2, limits=TEST_LIMITS, progress=False,
                               allow_failing_source=allow_failing_source)
    assert summary.failed == {}
    return _grades(f"sqlite:///{theirs / 'gradebook.db'}"), _grades(f"sqlite:///{ours / 'gradebook.db'}")


def fixture(name: str) -> dict:
    return json.loads((FILES / name).read_text())


def with_added_helper(release: dict) -> dict:
    """The release, answered by a student who put the work into helpers in cells of their own."""
    nb = json.loads(json.dumps(release))
    answers = {"squares": "def squares(n):\n    return _squares_helper(n)\n",
               "sum_of_squares": "def sum_of_squares(n):\n    return sum(squares(n))\n",
               "sum_of_squares_application": "def pyramidal_number(n):\n    return sum_of_squares(n)\n",
               "sum_of_squares_equation": "$\\sum_{i=1}^n i^2$"}
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    helper = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "def _squares_helper(n):\n    if n < 1:\n        raise ValueError('n must be >= 1')\n"
                        "    return [i ** 2 for i in range(1, n + 1)]\n"}
    first = next(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == "squares")
    nb["cells"].insert(first, helper)
    return nb


def partial_credit(source: dict) -> dict:
    """``test.ipynb`` with a test cell whose value is the share of cases right: nbgrader's partial credit."""
    nb = json.loads(json.dumps(source))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "correct_squares":
            cell["source"] = ("cases = [(1, [1]), (2, [1, 4]), (3, [1, 4, 9]), (11, [i * i for i in range(1, 12)])]\n"
                              "sum(squares(n) == want for n, want in cases) / len(cases)\n")
    return nb


def almost(release: dict) -> dict:
    """A student whose squares is right up to 10 only: 3 cases of 4."""
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "squares":
            cell["source"] = "def squares(n):\n    if n < 1:\n        raise ValueError\n" \
                             "    return [i ** 2 for i in range(1, min(n, 10) + 1)]\n"
    return nb


def test_plain_asserts_manual_answers_and_an_added_helper(tmp_path):
    source = partial_credit(fixture("test.ipynb"))
    theirs, ours = both(tmp_path, source, {
        "blank": lambda release: release,
        "solved": source,
        "helper": with_added_helper,
        "almost": almost,
    })
    assert ours == theirs
    assert theirs["almost"]["correct_squares"][0] == 0.75           # the scenario exercises partial credit
    assert theirs["helper"]["sum_of_squares_uses_squares"][0] == 0.5   # `del squares` reaches the student's code
    assert theirs["blank"]["sum_of_squares_equation"] == (0.0, False)  # an unchanged manual answer: 0, no human
    assert theirs["solved"]["sum_of_squares_equation"] == (None, True)  # a written answer: a person grades it


@pytest.mark.parametrize("name", ["autotest-simple.ipynb", "autotest-multi.ipynb", "autotest-hashed.ipynb",
                                  "autotest-hidden.ipynb"])
def test_autotest_cells(tmp_path, name):
    source = fixture(name)
    theirs, ours = both(tmp_path, source, {"blank": lambda release: release, "solved": source})
    assert ours == theirs
    assert all(score == 0 for score, _ in theirs["blank"].values()), "a blank submission scores nothing"
    assert any(score for score, _ in theirs["solved"].values())


def test_a_source_whose_own_tests_fail_needs_the_option(tmp_path):
    source = fixture("test.ipynb")
    for cell in source["cells"]:                         # the instructor's solution now fails one test
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "correct_sum_of_squares":
            cell["source"] = "".join(cell["source"]) + "\nassert sum_of_squares(3) == 15\n"
    with pytest.raises(SourceFails, match="correct_sum_of_squares"):
        both(tmp_path / "refused", source, {"solved": source})
    assert not (tmp_path / "refused" / "ours" / "autograded").exists(), "nothing was graded"
    theirs, ours = both(tmp_path / "allowed", source, {"solved": source}, allow_failing_source=True)
    assert ours == theirs
    assert theirs["solved"]["correct_sum_of_squares"][0] == 0
