"""Rebuilding a submission: only answer cells' source comes from the student, by grade_id."""

from __future__ import annotations

import json

from autograder.rebuild import load_submission, rebuild, strip_hidden

from . import _hostile


def _answers(built):
    return {c["grade_id"]: c["source"] for c in built.cells if c["kind"] == "answer"}


def test_test_cells_come_from_the_template_whatever_the_student_did():
    template = _hostile.template()
    nb = _hostile.notebook({"conv2d": "def conv2d(*a):\n    return 0\n"})
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["source"] = "print('edited')"
    built = rebuild(template, nb)
    tests = [c for c in built.cells if c["kind"] == "tests"]
    originals = [("".join(c["source"])) for c in template["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert [c["source"] for c in tests] == originals
    assert _answers(built)["conv2d"] == "def conv2d(*a):\n    return 0\n"
    assert any("edited" in n for n in built.notes)


def test_missing_answer_runs_empty_never_the_solution():
    template = _hostile.template()
    nb = _hostile.notebook({})
    nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "conv2d"]
    built = rebuild(template, nb)
    assert _answers(built)["conv2d"] == ""
    assert any("'conv2d' is missing" in n for n in built.notes)


def test_unreadable_files_rebuild_with_empty_answers():
    for data in (b"", b"   \n", b"{not json", b"[1, 2]", json.dumps({"cells": "x"}).encode()):
        nb, problem = load_submission(data)
        assert nb is None and problem
        built = rebuild(_hostile.template(), nb)
        assert set(_answers(built).values()) == {""}


def test_strip_hidden_removes_only_the_hidden_block():
    src = "a = 1\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\nb = 2\n"
    assert strip_hidden(src) == "a = 1\nb = 2\n"
