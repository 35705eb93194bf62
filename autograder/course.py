"""Where things are in an nbgrader course folder (the layout nbgrader itself uses).

::

    <root>/source/<assignment>/<notebook>.ipynb             the instructor's template
    <root>/release/<assignment>/<notebook>.ipynb            what students get (``release``)
    <root>/submitted/<student>/<assignment>/<notebook>.ipynb what they handed in (``collect``)
    <root>/autograded/<student>/<assignment>/<notebook>.ipynb + .grading.json   (``grade``)
    <root>/feedback/<student>/<assignment>/<notebook>.html  (``feedback``)
    <root>/.autograder/                                     solution cache and journals
    <root>/gradebook.db                                     the default gradebook (SQLite)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# nbgrader's course id (``nbgrader.api``'s default): the gradebook rows of this course carry it
DEFAULT_COURSE_ID = "default_course"


def _read_template(path: Path) -> dict:
    """A template notebook as plain JSON data, every cell's source one string (as nbgrader reads it)."""
    import nbformat

    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        for key in ("source", "text"):
            if isinstance(cell.get(key), list):
                cell[key] = "".join(cell[key])
    return json.loads(json.dumps(nbformat.from_dict(nb)))


@dataclass(frozen=True)
class Course:
    root: Path
    db_url: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())
        if self.db_url is None:
            object.__setattr__(self, "db_url", "sqlite:///" + str(self.root / "gradebook.db"))
        else:
            from .gradebook import database_url
            object.__setattr__(self, "db_url", database_url(self.db_url))

    def source(self, assignment: str) -> Path:
        return self.root / "source" / assignment

    def templates(self, assignment: str) -> dict[str, dict]:
        """{notebook name (no .ipynb): template notebook} of an assignment."""
        folder = self.source(assignment)
        found = {p.stem: _read_template(p) for p in sorted(folder.glob("*.ipynb"))}
        if not found:
            raise FileNotFoundError(f"no source notebook in {folder}: put the instructor's .ipynb there")
        return found

    def release(self, assignment: str) -> Path:
        return self.root / "release" / assignment

    def submitted(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment

    def students(self, assignment: str) -> list[str]:
        base = self.root / "submitted"
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())

    def autograded(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment

    def feedback(self, student: str, assignment: str) -> Path:
        return self.root / "feedback" / student / assignment

    @property
    def state(self) -> Path:
        return self.root / ".autograder"
