"""Sphinx extension: each chapter's "Graded assignment" section, read from the assignment.

A page writes

    ```{assignment} ch02_convolution
    ```

and gets the assignment's title and points, the first paragraph of its introduction, its
parts with their points, the link to the student version (``_build/released/``, made by
``scripts/release_for_site.py`` through nbgrader) and the course's sentence on how it is
graded. All of it comes from ``notebooks/<name>/<name>.ipynb`` (built from the ``.py``
beside it), so what the book says an assignment asks is what the assignment asks: there
is no second description to go stale. The page is rebuilt when the notebook changes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

PART = re.compile(r"^## (Part \d+) \((\d+) points?\): (.+)$", re.M)
GRADED = ("and open it with the course's environment (see the front page). Each part says what it is "
          "worth; its visible tests tell you what was expected, what you gave and for which input, and "
          "more tests run when it is graded. Parts that ask you to implement something must not call "
          "the course's reference or PyTorch's version of it: the tests check.")


class AssignmentError(ValueError):
    pass


def describe(notebook: Path) -> dict:
    """Title, first paragraph, parts and points of an assignment's source notebook."""
    try:
        cells = json.loads(notebook.read_text())["cells"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise AssignmentError(f"cannot read the assignment {notebook} ({err}); "
                              f"run python notebooks/build_sources.py") from None
    text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    if not blocks or not blocks[0].startswith("# "):
        raise AssignmentError(f"{notebook}: the first text cell must start with '# <title>'")
    points = sum(float(c["metadata"].get("nbgrader", {}).get("points", 0)) for c in cells
                 if c["metadata"].get("nbgrader", {}).get("grade"))
    parts = [(name, int(p), title) for name, p, title in PART.findall(text)]
    if not parts:
        raise AssignmentError(f"{notebook}: no '## Part <n> (<p> points): <title>' headings")
    if sum(p for _, p, _ in parts) != points:
        raise AssignmentError(f"{notebook}: its parts say {sum(p for _, p, _ in parts)} points, "
                              f"its test cells give {points:g}")
    return {"title": blocks[0][2:].strip(), "summary": " ".join(blocks[1].split()), "parts": parts,
            "points": int(points)}


class Assignment(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        root = Path(self.env.srcdir)
        notebook = root / "notebooks" / name / f"{name}.ipynb"
        try:
            info = describe(notebook)
        except AssignmentError as err:
            raise self.error(str(err)) from None
        self.env.note_dependency(str(notebook))
        lines = [f"**{info['title']}** ({info['points']} points). {info['summary']}", ""]
        lines += [f"- {part} ({points} point{'s' if points != 1 else ''}): {title}"
                  for part, points, title in info["parts"]]
        lines += ["", f"{{download}}`Download the notebook ({name}.ipynb) </_build/released/{name}/{name}.ipynb>`",
                  GRADED]
        container = nodes.container(classes=["course-assignment"])
        self.state.nested_parse(StringList(lines, source=str(notebook)), self.content_offset, container)
        return [container]


def setup(app):
    app.add_directive("assignment", Assignment)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
