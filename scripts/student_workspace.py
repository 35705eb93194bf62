"""``make lab``: the student's own copies of the assignments, in ``work/``, never overwritten.

Copies the student version of every assignment (made by nbgrader: ``_build/released/``, see
``scripts/release_for_site.py``) to ``work/<assignment>/<assignment>.ipynb`` when that file
does not exist yet. A file that is there is the student's work and is left as it is, whatever
later builds or new releases do; to start an assignment again, delete (or rename) its file.
The instructor's notebooks (``notebooks/``, with the solutions) are never copied.

Usage: python scripts/student_workspace.py     (make lab runs it, then JupyterLab in work/)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASED = ROOT / "_build" / "released"
WORK = ROOT / "work"


def prepare(released: Path = RELEASED, work: Path = WORK) -> tuple[list[str], list[str]]:
    """(assignments copied now, assignments whose copy was already there)."""
    copied, kept = [], []
    for folder in sorted(p for p in released.iterdir() if p.is_dir()):
        notebook = folder / f"{folder.name}.ipynb"
        if not notebook.is_file():
            continue
        target = work / folder.name / notebook.name
        if target.exists():
            kept.append(folder.name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        copied.append(folder.name)
    return copied, kept


def main() -> int:
    if not RELEASED.is_dir():
        print("student_workspace: no released assignments in _build/released/ (run scripts/release_for_site.py)",
              file=sys.stderr)
        return 1
    copied, kept = prepare()
    print(f"student_workspace: your notebooks are in {WORK.relative_to(ROOT)}/ "
          f"({len(copied)} new, {len(kept)} of your own kept as they are)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
