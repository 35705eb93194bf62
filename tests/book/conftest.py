"""The built site, shared by the book tests: built once per test session through the
README's own command (`make book`), under a lock so parallel workers never build at once."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"

# the site's build helpers, imported by the tests: book/_ext (course_site, course_launch)
# and scripts/ (pages_as_notebooks, execution_cache, publish_site)
for folder in (ROOT / "book" / "_ext", ROOT / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

#: this process's environment without the COURSE_* settings of the site (course_site.py)
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}


def toc_files() -> list[str]:
    """The front page and every chapter, in the order of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


@pytest.fixture(scope="session")
def site() -> Path:
    (ROOT / "_build").mkdir(exist_ok=True)
    with open(ROOT / "_build" / ".book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(["make", "--no-print-directory", "book"], cwd=ROOT,
                                capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, "the book did not build (warnings are errors):\n" + log[-8000:]
    return SITE
