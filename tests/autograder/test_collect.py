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
    ("jdoe_1234_98765_ps1.ipynb", ("jdoe_1234", "ps1.ipynb")),                 # Canvas: name and user id
    ("jdoe_LATE_1234_98765_ps1 (1).ipynb", ("jdoe_1234", "ps1 (1).ipynb")),
    ("Jane Doe_4242_assignsubmission_file_/ps1.ipynb", ("Jane_Doe_4242", "ps1.ipynb")),   # Moodle
    ("José Núñez_77_assignsubmission_file_/ps1.ipynb", ("Jose_Nunez_77", "ps1.ipynb")),
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


def _zip(path, entries):
    """entries: [(name, bytes, date_time or None, unix mode or None)]."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, when, mode in entries:
            info = zipfile.ZipInfo(name, date_time=when or (2026, 11, 30, 23, 59, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def test_two_students_with_one_name_stay_two_students(tmp_path):
    """A Moodle export with two Jane Does (participant ids 11 and 12), and a folder-per-student zip
    whose names read the same once accents are dropped: nobody's work is lost."""
    course = make_course(tmp_path / "course")
    nb = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    first = json.dumps({**nb, "metadata": {"who": "first"}}).encode()
    second = json.dumps({**nb, "metadata": {"who": "second"}}).encode()
    moodle = _zip(tmp_path / "moodle.zip", [
        ("Jane Doe_11_assignsubmission_file_/ch02_convolution.ipynb", first, None, None),
        ("Jane Doe_12_assignsubmission_file_/ch02_convolution.ipynb", second, None, None)])
    report = collect(course, "ch02_convolution", moodle)
    assert sorted(s for s, _ in report.placed) == ["Jane_Doe_11", "Jane_Doe_12"]
    whose = {s: json.loads(course.submitted(s, "ch02_convolution").joinpath("ch02_convolution.ipynb").read_text())
             ["metadata"]["who"] for s, _ in report.placed}
    assert whose == {"Jane_Doe_11": "first", "Jane_Doe_12": "second"}

    folders = _zip(tmp_path / "folders.zip", [("José/ch02_convolution.ipynb", first, None, None),
                                              ("Jose/ch02_convolution.ipynb", second, None, None)])
    report = collect(make_course(tmp_path / "course2"), "ch02_convolution", folders)
    assert len(report.placed) == 2 and report.renamed, "two folders became one student"


def test_a_zip_bomb_is_capped_and_links_are_refused(tmp_path, monkeypatch):
    import autograder.collect as collect_module

    monkeypatch.setattr(collect_module, "MAX_NOTEBOOK_BYTES", 1 << 20)
    course = make_course(tmp_path / "course")
    honest = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    archive = _zip(tmp_path / "bomb.zip", [
        ("bomb/ch02_convolution.ipynb", b"{" + b" " * (8 << 20) + b"}", None, None),   # 8 MiB of spaces, ~8 KB zipped
        ("link/ch02_convolution.ipynb", b"/etc/passwd", None, 0o120777),
        ("honest/ch02_convolution.ipynb", honest, None, None)])
    assert archive.stat().st_size < 100_000
    report = collect(course, "ch02_convolution", archive)
    assert list(report.placed) == [("honest", "ch02_convolution")]
    assert any("bomb" in line and "MiB" in line for line in report.ignored)
    assert any("link" in line and "symbolic link" in line for line in report.ignored)
    assert not (course.root / "submitted" / "bomb").exists()


def test_the_zip_date_becomes_nbgraders_timestamp(tmp_path):
    course = make_course(tmp_path / "course")
    nb = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    archive = _zip(tmp_path / "canvas.zip", [("doejane_LATE_4411_9_ch02_convolution.ipynb", nb,
                                             (2026, 12, 2, 9, 30, 14), None)])   # zip times: 2 s steps
    collect(course, "ch02_convolution", archive)
    stamp = (course.submitted("doejane_4411", "ch02_convolution") / "timestamp.txt").read_text().strip()
    assert stamp == "2026-12-02 09:30:14.000000"
