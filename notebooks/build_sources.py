"""Build the nbgrader source notebooks from their readable ``.py`` sources.

Each assignment lives in ``notebooks/<assignment>/``: ``<assignment>.py`` is the source a
person edits, ``<assignment>.ipynb`` is generated from it (both are committed;
``tests/notebooks`` checks they agree). The ``.py`` file is a sequence of cells, each
starting with a header line:

- ``# %% [markdown]``: text; every following line starts with ``#`` (stripped);
- ``# %%``: a plain code cell (imports, data);
- ``# %% locked id=<grade_id>``: a read-only code cell (nbgrader restores it when grading);
- ``# %% solution id=<grade_id>``: an answer cell, with the solution between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader replaces it by a stub);
- ``# %% tests id=<grade_id> points=<n>``: an autograded test cell, with hidden tests
  between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

Before the first cell, a line ``# autograder: cell_seconds=900 notebook_seconds=1800`` asks
the course's grader for more time for this assignment (a capstone that trains a network);
it goes to the notebook's metadata (``autograder/sandbox.py``, ``Limits.for_template``).

The student version is never written by hand: ``nbgrader generate_assignment`` makes it.

Usage: ``python notebooks/build_sources.py`` (rebuild all) or ``--check`` (fail if stale).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = re.compile(r"^# %%(?: \[(?P<md>markdown)\])?(?P<rest>.*)$")
KINDS = ("locked", "solution", "tests")


def _options(rest: str, lineno: int) -> dict:
    words = rest.split()
    kind = words[0] if words and words[0] in KINDS else None
    opts = dict(w.split("=", 1) for w in words[1 if kind else 0:] if "=" in w)
    unknown = [w for w in words[1 if kind else 0:] if "=" not in w]
    if unknown:
        raise ValueError(f"line {lineno}: cannot read the cell header words {unknown}")
    if kind and "id" not in opts:
        raise ValueError(f"line {lineno}: a {kind} cell needs id=<grade_id>")
    if kind == "tests" and "points" not in opts:
        raise ValueError(f"line {lineno}: a tests cell needs points=<n>")
    return {"kind": kind, **opts}


def parse(text: str) -> list[dict]:
    """The cells of a source: dicts with 'cell_type', 'source', and nbgrader 'kind'/'id'/'points'."""
    cells: list[dict] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = HEADER.match(line)
        if m:
            opts = _options(m.group("rest"), lineno)
            cells.append({"cell_type": "markdown" if m.group("md") else "code", "lines": [], **opts})
        elif cells:
            cells[-1]["lines"].append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"line {lineno}: code before the first '# %%' cell header")
    for cell in cells:
        lines = cell.pop("lines")
        if cell["cell_type"] == "markdown":
            lines = [re.sub(r"^# ?", "", ln) for ln in lines]
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        cell["source"] = "\n".join(lines)
    return cells


def _nbgrader(cell: dict) -> dict | None:
    kind = cell.get("kind")
    if kind is None:
        return None
    meta = {"grade": kind == "tests", "grade_id": cell["id"], "locked": kind != "solution",
            "schema_version": 3, "solution": kind == "solution", "task": False}
    if kind == "tests":
        meta["points"] = int(cell["points"])
    return meta


GRADER_SETTINGS = ("cell_seconds", "notebook_seconds")


def grader_settings(text: str) -> dict:
    """The ``# autograder: key=value ...`` line before the first cell, as numbers."""
    for line in text.splitlines():
        if HEADER.match(line):
            break
        if line.startswith("# autograder:"):
            settings = {}
            for word in line.split(":", 1)[1].split():
                key, _, value = word.partition("=")
                if key not in GRADER_SETTINGS:
                    raise ValueError(f"'# autograder:' line: unknown setting {key!r}; the settings are "
                                     f"{', '.join(GRADER_SETTINGS)}, written key=seconds")
                try:
                    settings[key] = float(value)
                except ValueError:
                    settings[key] = -1.0
                if not 0 < settings[key] < float("inf"):
                    raise ValueError(f"'# autograder:' line: {key} must be a number of seconds above 0, "
                                     f"got {value!r}")
            return settings
    return {}


def to_notebook(cells: list[dict], settings: dict | None = None) -> dict:
    """The nbformat 4 JSON of the source notebook (no outputs, no execution counts)."""
    out = []
    for i, cell in enumerate(cells):
        meta = {}
        nbg = _nbgrader(cell)
        if nbg:
            meta["nbgrader"] = nbg
        entry = {"cell_type": cell["cell_type"], "id": cell.get("id", f"cell-{i:02d}"), "metadata": meta,
                 "source": cell["source"]}
        if cell["cell_type"] == "code":
            entry.update(execution_count=None, outputs=[])
        out.append(entry)
    metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                "language_info": {"name": "python"}}
    if settings:
        metadata["autograder"] = settings
    return {"cells": out, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def render(source: Path) -> str:
    """The text of the ``.ipynb`` built from ``source``."""
    text = source.read_text()
    return json.dumps(to_notebook(parse(text), grader_settings(text)), indent=1, ensure_ascii=False) + "\n"


def assignments() -> list[Path]:
    """The assignment folders: ``notebooks/<name>/<name>.py``."""
    return sorted(p for p in HERE.iterdir() if p.is_dir() and (p / f"{p.name}.py").exists())


def main(argv: list[str]) -> int:
    stale = []
    for folder in assignments():
        src, nb = folder / f"{folder.name}.py", folder / f"{folder.name}.ipynb"
        try:
            text = render(src)
        except ValueError as err:
            print(f"{src.relative_to(HERE.parent)}: {err}", file=sys.stderr)
            return 2
        if "--check" in argv:
            if not nb.exists() or nb.read_text() != text:
                stale.append(str(nb))
        else:
            nb.write_text(text)
            print(f"wrote {nb.relative_to(HERE.parent)}")
    if stale:
        print("stale (run python notebooks/build_sources.py):\n  " + "\n  ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
