"""autograder.store: the graded notebook (template + answers + outputs) and its verdict on disk.

The notebook layout is derived by hand from a small template and grading result; nbformat's
own v4 schema checks that what is written is a notebook nbgrader and Jupyter can open.
"""

from __future__ import annotations

import copy
import json

import nbformat
import pytest

from autograder import store

from ._cells import code, md, notebook as _notebook


def notebook(cells):
    return _notebook(cells, nbformat_minor=4)


TEMPLATE = notebook([
    md("# Intro"),                                                                   # 0
    code("import math", grade_id="imports", locked=True),                            # 1
    code("x = 1  # solution", grade_id="ans", solution=True),                        # 2
    code("assert x == 1", grade_id="t1", grade=True, points=2),                      # 3
    code("print('release scratch')"),                                                # 4: not nbgrader's
    md("Write here", grade_id="essay", solution=True, grade=True, points=1),         # 5
])


def run(index, status="ok", **fields):
    return {"index": index, "kind": "x", "grade_id": None, "status": status, **fields}


RESULT = {
    "answers": {"ans": "x = 2", "essay": "My essay"},
    "added": ["def helper(): pass", "y = 3"],
    "cells": [run(None, stdout="top\n"), run(1), run(2, stdout="hi\n"), run(None),
              run(3, "error", ename="AssertionError", evalue="", traceback="Traceback\n  line\nAssertionError")],
    "scores": {"t1": 0.0},
}


def test_cells_follow_the_template_with_answers_and_added_cells_in_place():
    nb = store.graded_notebook(TEMPLATE, RESULT)
    assert [(c["cell_type"], c["source"]) for c in nb["cells"]] == [
        ("code", "def helper(): pass"),          # added before the first template cell
        ("markdown", "# Intro"),
        ("code", "import math"),
        ("code", "x = 2"),                       # the student's answer, not the solution
        ("code", "y = 3"),                       # added after the answer cell
        ("code", "assert x == 1"),
        ("markdown", "My essay"),                # a written answer replaces the prompt
    ]


def test_the_releases_own_unlocked_code_cells_are_dropped():
    sources = [c["source"] for c in store.graded_notebook(TEMPLATE, RESULT)["cells"]]
    assert "print('release scratch')" not in sources


def test_outputs_are_nbgrader_stream_and_error_outputs():
    cells = store.graded_notebook(TEMPLATE, RESULT)["cells"]
    assert cells[0]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "top\n"}]
    assert cells[2]["outputs"] == [] and cells[4]["outputs"] == []
    assert cells[3]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
    assert cells[5]["outputs"] == [{"output_type": "error", "ename": "AssertionError", "evalue": "",
                                    "traceback": ["Traceback", "  line", "AssertionError"]}]
    assert all(c.get("execution_count") is None for c in cells if c["cell_type"] == "code")
    assert "outputs" not in cells[1] and "outputs" not in cells[6]


def test_graded_notebook_validates_against_the_nbformat_schema():
    nbformat.validate(nbformat.from_dict(store.graded_notebook(TEMPLATE, RESULT)))


def test_the_template_is_not_changed():
    before = copy.deepcopy(TEMPLATE)
    store.graded_notebook(TEMPLATE, RESULT)
    assert TEMPLATE == before


def test_missing_answer_keeps_the_template_source_and_missing_run_has_no_outputs():
    template = notebook([code("x = 1", grade_id="ans", solution=True)])
    template["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "stale"}]
    template["cells"][0]["execution_count"] = 7
    nb = store.graded_notebook(template, {})
    assert nb["cells"] == [{**code("x = 1", grade_id="ans", solution=True)}]


def test_truncated_stdout_is_marked_and_stderr_is_kept():
    template = notebook([code("", grade_id="ans", solution=True)])
    nb = store.graded_notebook(template, {"cells": [run(0, stdout="aaa", stderr="warn", truncated=True)]})
    assert nb["cells"][0]["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "aaa\n[output truncated]\n"},
        {"output_type": "stream", "name": "stderr", "text": "warn"}]


@pytest.mark.parametrize("status", ["ok", "skipped", "manual"])
def test_statuses_that_are_not_failures_have_no_error_output(status):
    template = notebook([code("", grade_id="t", grade=True, points=1)])
    assert store.graded_notebook(template, {"cells": [run(0, status)]})["cells"][0]["outputs"] == []


def test_a_timeout_without_exception_name_is_named_by_its_status():
    template = notebook([code("", grade_id="t", grade=True, points=1)])
    out = store.graded_notebook(template, {"cells": [run(0, "timeout")]})["cells"][0]["outputs"]
    assert out == [{"output_type": "error", "ename": "timeout", "evalue": "", "traceback": []}]


def test_more_added_runs_than_added_sources_run_as_empty_cells():
    template = notebook([md("m")])
    nb = store.graded_notebook(template, {"cells": [run(None)], "added": []})
    assert [c["source"] for c in nb["cells"]] == ["", "m"]


def test_save_writes_notebook_and_verdict_and_load_reads_the_verdict(tmp_path):
    folder = tmp_path / "autograded" / "bob" / "ps1"
    store.save(folder, "nb1", TEMPLATE, RESULT)
    assert sorted(p.name for p in folder.iterdir()) == ["nb1.grading.json", "nb1.ipynb"]
    assert json.loads((folder / "nb1.ipynb").read_text()) == store.graded_notebook(TEMPLATE, RESULT)
    nbformat.read(str(folder / "nb1.ipynb"), as_version=4)
    assert store.load(folder, "nb1") == RESULT


def test_save_replaces_an_earlier_verdict(tmp_path):
    store.save(tmp_path, "nb1", TEMPLATE, RESULT)
    store.save(tmp_path, "nb1", TEMPLATE, {**RESULT, "scores": {"t1": 2.0}})
    assert store.load(tmp_path, "nb1")["scores"] == {"t1": 2.0}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb1.grading.json", "nb1.ipynb"]   # no temp files left


def test_load_of_a_notebook_never_graded_is_none(tmp_path):
    assert store.load(tmp_path, "nb1") is None
    assert store.load(tmp_path / "missing", "nb1") is None


@pytest.mark.parametrize("content", ['{"scores": {"t1": 1.', "[1, 2]", '{"cells": []}', b"\xff\xfe{}"])
def test_a_damaged_verdict_is_named_with_the_command_that_grades_it_again(tmp_path, content):
    from autograder.cli import Mistake

    folder = tmp_path / "autograded" / "bob" / "ps1"
    store.save(folder, "nb1", TEMPLATE, RESULT)
    path = folder / "nb1.grading.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(Mistake) as err:
        store.load(folder, "nb1")
    assert str(err.value).startswith(f"{path} is damaged (")
    assert str(err.value).endswith("grade it again with `autograder grade ps1 --student bob --force`")
    assert path.read_bytes() == (content if isinstance(content, bytes) else content.encode())   # nothing lost
