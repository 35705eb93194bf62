"""autograder.judge: what it reads from a template, and how it scores a cell (nbgrader's rules)."""

from __future__ import annotations

import pytest

from autograder.judge import (CellResult, NotebookPlan, assigned_names, forbidden_modules, loaded_names,
                              plan_notebook, verdict)

SETUP = 'import numpy as np\nNOT_ALLOWED = ["torch", "cnn_core.reference"]\n'


def test_the_forbidden_modules_are_read_from_the_cell_and_the_locked_literals():
    literals = {"NOT_ALLOWED": ["torch", "cnn_core.reference"]}
    assert forbidden_modules("forbid(f, NOT_ALLOWED)\nforbid(g, ['scipy.signal'])", literals) == \
        ("cnn_core.reference", "scipy.signal", "torch")
    assert forbidden_modules("check_close('x', f(1), 2)", literals) == ()
    with pytest.raises(ValueError, match="must be a literal"):
        forbidden_modules("forbid(f, modules())", literals)


def test_names_a_cell_reads_and_binds():
    src = "import torch\nfrom torch import nn as N\nx = f(y)\ndef g():\n    return h\ndel squares\n"
    assert {"f", "y", "h", "squares"} <= loaded_names(src)
    assert assigned_names(src) == {"torch", "N", "x", "g"}


def test_a_plan_knows_the_answers_names_and_each_test_cells_jail():
    cells = [{"index": 0, "kind": "locked", "cell_type": "code", "source": SETUP, "grade_id": "setup"},
             {"index": 1, "kind": "answer", "cell_type": "code", "source": "def f(x):\n    return x\nk = 3\n",
              "grade_id": "a"},
             {"index": 2, "kind": "tests", "cell_type": "code", "source": "forbid(f, NOT_ALLOWED)\n", "grade_id": "t1"},
             {"index": 3, "kind": "tests", "cell_type": "code", "source": "assert k == 3\n", "grade_id": "t2"}]
    plan = plan_notebook(cells, {"cells": [{"cell_type": "code", "metadata": {}, "source": ""}] * 4})
    assert plan.answer_names == {"f", "k"}
    assert plan.forbidden == {2: ("cnn_core.reference", "torch"), 3: ()}
    assert plan.module_sets == [(), ("cnn_core.reference", "torch")]


def _cell(points=2.0):
    return {"index": 0, "kind": "tests", "grade_id": "t", "points": points, "source": "", "cell_type": "code"}


@pytest.mark.parametrize("result, expected", [
    (CellResult(0, "tests", "t", status="ok"), 2.0),
    (CellResult(0, "tests", "t", status="error", ename="AssertionError", evalue="FAIL x"), 0.0),
    (CellResult(0, "tests", "t", status="timeout", ename="Timeout"), 0.0),
    (CellResult(0, "tests", "t", status="ok", stderr="a warning\n"), 0.0),         # nbgrader: stderr is a failure
    (CellResult(0, "tests", "t", status="ok", result="0.5"), 0.5),                # partial credit
    (CellResult(0, "tests", "t", status="ok", result="'text'"), 2.0),             # not a number: full
    (CellResult(0, "tests", "t", status="ok", result="-1.0"), 2.0),               # negative: nbgrader gives full
    (CellResult(0, "tests", "t", status="ok", result="7"), 2.0),                  # more than the points: capped
])
def test_a_test_cell_scores_as_nbgrader_determines_it(result, expected):
    score, _ = verdict(_cell(), result, NotebookPlan(set()), {"cells": []})
    assert score == expected
