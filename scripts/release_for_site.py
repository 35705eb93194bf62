"""Make the student version of every graded assignment for the course site.

Each chapter page links to its assignment as a notebook to download. The student version
is made by nbgrader itself (``generate_assignment``: solutions replaced by stubs, hidden
tests removed), from the source in ``notebooks/<assignment>/<assignment>.ipynb``, into
``_build/released/<assignment>/<assignment>.ipynb``. Only assignments whose source changed
since the last run are regenerated. Only the ``.ipynb`` is copied into nbgrader's source
folder: the ``.py`` beside it holds the solutions.

Usage: python scripts/release_for_site.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "notebooks"
OUT = ROOT / "_build" / "released"


def stale() -> list[str]:
    names = []
    for folder in sorted(p for p in SOURCES.iterdir() if p.is_dir() and (p / f"{p.name}.ipynb").is_file()):
        src = folder / f"{folder.name}.ipynb"
        dst = OUT / folder.name / src.name
        if not dst.is_file() or dst.stat().st_mtime < src.stat().st_mtime:
            names.append(folder.name)
    return names


def main() -> int:
    names = stale()
    if not names:
        return 0
    # nbgrader runs alembic for its gradebook: the environment's bin must be on PATH
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        for name in names:
            (course / "source" / name).mkdir(parents=True)
            shutil.copy2(SOURCES / name / f"{name}.ipynb", course / "source" / name)
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        api = NbGraderAPI(config=config)
        for name in names:
            result = api.generate_assignment(name, force=True, create=True)
            if not result["success"]:
                print(f"release_for_site: nbgrader could not release {name}:\n{result['log']}\n{result['error']}",
                      file=sys.stderr)
                return 1
            (OUT / name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(course / "release" / name / f"{name}.ipynb", OUT / name / f"{name}.ipynb")
    print(f"release_for_site: student versions of {', '.join(names)} in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
