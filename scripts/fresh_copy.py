"""A copy of this checkout as a fresh clone would have it, for building from nothing.

``fresh_copy(dest)`` copies the files git tracks, and the untracked ones it does not
ignore, to ``dest`` (modification times kept, so ``make`` sees its set-up as done) and
links the set-up ``make`` would redo identically (``.venv/``, ``book/_vendor/``). Nothing an
earlier command left in this checkout's ``_build/`` comes along. Used by the book tests and
``benchmarks/bench_book_build.py``.

Usage: python scripts/fresh_copy.py DEST
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: what `make` sets up once and reuses unchanged: linked into the copy, never rebuilt
SHARED_SETUP = (".venv", "book/_vendor")


def fresh_copy(dest: Path, root: Path = ROOT) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name in SHARED_SETUP:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).symlink_to(root / name, target_is_directory=True)
    return dest


if __name__ == "__main__":
    print(fresh_copy(Path(sys.argv[1]).resolve()))
