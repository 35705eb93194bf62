"""README.md's "Grading a class", word for word, on a new course; and the mistakes a new
instructor makes, each answered by one sentence and a non-zero exit status.

The commands are copied out of README.md by this test (so the two cannot drift), with
COURSE and downloads.zip replaced by a new folder and an LMS zip of three students.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import zipfile

import pytest

from . import _hostile

ROOT = _hostile.ROOT

pytestmark = pytest.mark.slow
A = _hostile.ASSIGNMENT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Grading a class"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def run(command: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(shlex.split(command), cwd=cwd, capture_output=True, text=True, timeout=900)


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def test_the_readme_grades_a_new_course_from_an_lms_zip(tmp_path):
    course, downloads = tmp_path / "COURSE", tmp_path / "downloads.zip"
    right = json.dumps(_hostile.notebook({}))
    _zip(downloads, [(f"ann_11_1_{A}.ipynb", right),
                     (f"Ben Ode_12_assignsubmission_file_/{A}.ipynb",
                      json.dumps(_hostile.notebook({"conv2d": _hostile.CONV_ZEROS}))),
                     (f"cat/{A} (1).ipynb", right)])
    commands = readme_commands()
    assert [c.split()[3] for c in commands] == ["release", "collect", "grade", "feedback", "export", "report"]
    for command in commands:
        command = command.replace("COURSE", str(course)).replace("downloads.zip", str(downloads))
        command = command.replace("grades.csv", str(tmp_path / "grades.csv"))
        done = run(command, ROOT)
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        assert "Traceback" not in done.stdout + done.stderr, command
    rows = (tmp_path / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("assignment,duedate,timestamp,student_id")
    students = [r.split(",")[3] for r in rows[1:]]
    assert students == sorted(students) == ["Ben_Ode_12", "ann_11", "cat"]
    assert all(r.split(",")[2] for r in rows[1:]), "every row has the submission's time"
    assert (course / "reports" / A / "distribution.png").is_file()
    assert (course / "feedback" / "ann_11" / A / f"{A}.html").is_file()


MISTAKES = [
    ("a misspelt assignment", "grade ch02_convolutoin --course {course}", "did you mean ch02_convolution"),
    ("a misspelt course folder", "grade ch02_convolution --course {course}E", "there is no course folder"),
    ("a report for a misspelt assignment", "report ch02_convolutin --course {course}", "did you mean ch02_convolution"),
    ("export without --course", "export", "is not a course folder"),
    ("export from a misspelt course", "export --course {course}EE", "there is no course folder"),
    ("a zip with no notebook", "collect ch02_convolution {empty_zip} --course {course}", "holds no notebook"),
    ("grading before collecting", "grade ch02_convolution --course {course}", "no submissions of ch02_convolution"),
    ("a missing zip", "collect ch02_convolution {tmp}/nowhere.zip --course {course}", "there is no file"),
    ("releasing an assignment that does not exist", "release ch99_nothing --course {course}",
     "there is no assignment 'ch99_nothing'"),
]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mistakes")
    course = tmp / "course"
    done = run(f"{ROOT}/.venv/bin/python -m autograder release {A} --course {course}", tmp)
    assert done.returncode == 0, done.stderr
    _zip(tmp / "empty.zip", [("readme.txt", "no notebooks here")])
    return tmp, course


@pytest.mark.parametrize("what, args, sentence", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_mistake_gets_one_sentence_and_a_non_zero_exit(released, what, args, sentence):
    tmp, course = released
    args = args.format(course=course, empty_zip=tmp / "empty.zip", tmp=tmp)
    before = sorted(p.relative_to(tmp) for p in tmp.rglob("*"))
    done = run(f"{ROOT}/.venv/bin/python -m autograder {args}", tmp)
    out = done.stdout + done.stderr
    assert done.returncode != 0, f"{what}: exit 0\n{out}"
    assert sentence in out, f"{what}:\n{out}"
    assert "Traceback" not in out, f"{what}:\n{out}"
    assert len([line for line in done.stderr.splitlines() if line.startswith("autograder:")]) == 1
    after = sorted(p.relative_to(tmp) for p in tmp.rglob("*"))
    assert after == before, f"{what} left files behind: {set(after) - set(before)}"
