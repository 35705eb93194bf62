"""notebooks/build_sources.py: the readable source format and the nbgrader metadata it makes."""

import pytest

from ._course import build_sources

SOURCE = '''# %% [markdown]
# # Title
#
# Text.

# %% locked id=setup
import numpy as np

# %% solution id=answer
### BEGIN SOLUTION
x = 1
### END SOLUTION

# %% tests id=answer_check points=2
part("answer_check")
'''


def test_cells_and_metadata():
    nb = build_sources.to_notebook(build_sources.parse(SOURCE))
    cells = nb["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "code", "code"]
    assert cells[0]["source"] == "# Title\n\nText."
    assert cells[1]["metadata"]["nbgrader"] == {"grade": False, "grade_id": "setup", "locked": True,
                                                "schema_version": 3, "solution": False, "task": False}
    assert cells[2]["metadata"]["nbgrader"] == {"grade": False, "grade_id": "answer", "locked": False,
                                                "schema_version": 3, "solution": True, "task": False}
    assert cells[3]["metadata"]["nbgrader"] == {"grade": True, "grade_id": "answer_check", "locked": True,
                                                "points": 2, "schema_version": 3, "solution": False, "task": False}
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in cells[1:])
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("text, message", [
    ("# %% solution\nx = 1\n", "needs id="),
    ("# %% tests id=t\nx = 1\n", "needs points="),
    ("# %% tests id=t points=1 oops\n", "cannot read"),
    ("x = 1\n# %%\n", "code before the first"),
])
def test_bad_sources_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        build_sources.parse(text)


def test_check_mode_reports_stale_notebooks(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "demo.py").write_text(SOURCE)
    monkeypatch.setattr(build_sources, "HERE", tmp_path)
    assert build_sources.main(["--check"]) == 1            # no .ipynb yet
    assert build_sources.main([]) == 0                     # build it
    assert build_sources.main(["--check"]) == 0
    (folder / "demo.py").write_text(SOURCE.replace("Text.", "Other text."))
    assert build_sources.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().out


def test_an_assignment_can_ask_the_grader_for_more_time():
    text = "# autograder: cell_seconds=1200 notebook_seconds=2400\n" + SOURCE
    nb = build_sources.to_notebook(build_sources.parse(text), build_sources.grader_settings(text))
    assert nb["metadata"]["autograder"] == {"cell_seconds": 1200.0, "notebook_seconds": 2400.0}
    plain = build_sources.to_notebook(build_sources.parse(SOURCE), build_sources.grader_settings(SOURCE))
    assert "autograder" not in plain["metadata"]


@pytest.mark.parametrize("line, message", [
    ("# autograder: cell_secs=1200", "unknown setting 'cell_secs'"),
    ("# autograder: cell_seconds=twenty", "must be a number of seconds above 0, got 'twenty'"),
    ("# autograder: cell_seconds=0", "above 0"),
    ("# autograder: notebook_seconds", "above 0, got ''"),
])
def test_a_typo_in_the_time_line_is_one_sentence(tmp_path, monkeypatch, capsys, line, message):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "demo.py").write_text(line + "\n" + SOURCE)
    monkeypatch.setattr(build_sources, "HERE", tmp_path)
    assert build_sources.main([]) == 2
    err = capsys.readouterr().err
    assert "demo/demo.py: '# autograder:' line: " in err and message in err and "Traceback" not in err, err
    assert not (folder / "demo.ipynb").exists()
