"""book/_ext/course_assignments.py: a chapter's "Graded assignment" section is read from the
assignment itself, so it can only say what the assignment asks.

The oracle is the readable source (``notebooks/<name>/<name>.py``), read here with regular
expressions of its own, not the built notebook the extension reads.
"""

from __future__ import annotations

import json
import re

import pytest

from course_assignments import AssignmentError, describe

from ..notebooks._course import ASSIGNMENTS
from .conftest import ROOT



@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_section_says_what_the_source_says(name):
    source = (ROOT / "notebooks" / name / f"{name}.py").read_text()
    info = describe(ROOT / "notebooks" / name / f"{name}.ipynb")
    assert info["title"] == re.search(r"^# # (.+)$", source, re.M).group(1)
    assert info["points"] == sum(int(p) for p in re.findall(r"^# %% tests .*points=(\d+)", source, re.M))
    heads = re.findall(r"^# ## (Part \d+) \((\d+) points?\): (.+)$", source, re.M)
    assert info["parts"] == [(part, int(points), title) for part, points, title in heads]
    first = source.split("\n#\n")[1]                     # the paragraph after the title
    assert info["summary"] == " ".join(line.lstrip("# ").strip() for line in first.splitlines())


def _notebook(tmp_path, *markdown, points=(2,)):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": m} for m in markdown]
    cells += [{"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "points": p}}, "source": ""}
              for p in points]
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    return path


def test_a_section_that_would_be_wrong_stops_the_build(tmp_path):
    good = "## Part 1 (2 points): the one part"
    assert describe(_notebook(tmp_path, "# A title\n\nWhat you do.", good))["points"] == 2
    with pytest.raises(AssignmentError, match="parts say 2 points, its test cells give 3"):
        describe(_notebook(tmp_path, "# A title\n\nWhat you do.", good, points=(2, 1)))
    with pytest.raises(AssignmentError, match="no '## Part"):
        describe(_notebook(tmp_path, "# A title\n\nWhat you do."))
    with pytest.raises(AssignmentError, match="must start with '# <title>'"):
        describe(_notebook(tmp_path, "What you do.", good))
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(AssignmentError, match="run python notebooks/build_sources.py"):
        describe(tmp_path / "broken.ipynb")
    with pytest.raises(AssignmentError, match="cannot read"):
        describe(tmp_path / "missing.ipynb")
