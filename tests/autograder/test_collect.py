"""Names from LMS downloads: students and notebooks recognised, nothing written outside the course."""

from __future__ import annotations

import json
import zipfile

import pytest

from autograder.collect import collect, match_template, normalise, student_and_file

from .conftest import make_course


@pytest.mark.parametrize("name", ["ps1.ipynb", "ps1 (1).ipynb", "Copy of PS1.ipynb", "ps1-2.ipynb", "PS1 (12).ipynb"])
def test_renamed_copies_normalise_to_the_template(name):
    assert normalise(name) == "ps1"
    assert match_template(name, ["ps1", "ps2"], only_one=False) == "ps1"


@pytest.mark.parametrize("entry, expected", [
    ("jdoe_1234_98765_ps1.ipynb", ("jdoe", "ps1.ipynb")),
    ("jdoe_LATE_1234_98765_ps1 (1).ipynb", ("jdoe", "ps1 (1).ipynb")),
    ("Jane Doe_4242_assignsubmission_file_/ps1.ipynb", ("Jane_Doe", "ps1.ipynb")),
    ("jdoe/ps1.ipynb", ("jdoe", "ps1.ipynb")),
    ("../../etc/evil/ps1.ipynb", ("evil", "ps1.ipynb")),
    ("__MACOSX/jdoe/._ps1.ipynb", None),
    ("loose.ipynb", None),
])
def test_students_are_found_in_lms_layouts(entry, expected):
    assert student_and_file(entry) == expected


def test_zip_slip_cannot_escape_the_course(tmp_path):
    course = make_course(tmp_path / "course")
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../../outside/ch02_convolution.ipynb", json.dumps({"cells": []}))
        zf.writestr("x/../../..\\..\\up.ipynb", "{}")
    report = collect(course, "ch02_convolution", archive)
    assert not (tmp_path / "outside").exists()
    for student, _ in report.placed:
        assert (course.root / "submitted" / student).resolve().is_relative_to(course.root / "submitted")
