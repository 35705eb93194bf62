"""The built site, shared by the book tests: built as a newcomer builds it.

The site is built once per test run through the README's own command (`make book`), in a
fresh copy of this checkout (its tracked and untracked-but-not-ignored files) with an empty
`_build/`: nothing an earlier command left in this checkout's `_build/` (a failed build,
cached executions, trained checkpoints) can make the test pass. Only the set-up that
`make book` would redo identically is shared with the checkout: `.venv/` and the vendored
JavaScript in `book/_vendor/`. Parallel workers of one run share the one build (under a lock).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

# the site's build helpers, imported by the tests: book/_ext (course_site, course_launch)
# and scripts/ (pages_as_notebooks, execution_cache, publish_site, build_book, run_pages)
for folder in (ROOT / "book" / "_ext", ROOT / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from course_site import locate  # noqa: E402
from fresh_copy import fresh_copy  # noqa: E402,F401  (re-exported for the tests)

#: this process's environment without the COURSE_* settings of the site (course_site.py)
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}


def toc_files(root: Path = ROOT) -> list[str]:
    """The front page and every chapter, in the order of _toc.yml."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [c["file"] for c in part["chapters"]]
    return files


def run_id() -> str:
    """One id per test run, the same in every xdist worker of that run."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or os.environ.setdefault("CNN_COURSE_TEST_RUN", uuid.uuid4().hex)


def make_book(root: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`make book` in ``root`` (a fresh copy), the README's command. The copy's environment is
    this checkout's own ``.venv`` (linked), which make must never reinstall from the copy:
    ``-o`` tells it the environment is up to date."""
    return subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "book"], cwd=root,
                          capture_output=True, text=True, env=env if env is not None else CLEAN_ENV)


def site_env() -> dict:
    """The build's environment: where the course lives comes from this checkout's git (the
    copy has no .git of its own), so the copy's site is the one this checkout would publish."""
    env = dict(CLEAN_ENV)
    location = locate(ROOT)
    if location.url:
        env.update(COURSE_REPOSITORY_URL=location.url, COURSE_REPOSITORY_BRANCH=location.branch)
    return env


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory) -> Path:
    """The fresh copy the site is built in (see the module docstring)."""
    basetemp = Path(tmp_path_factory.getbasetemp())
    run_dir = basetemp.parent if basetemp.name.startswith("popen-gw") else basetemp   # one per run
    base = run_dir / f"course-site-{run_id()}"
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        copy, done = base / "course", base / "built"
        if not done.exists():
            shutil.rmtree(copy, ignore_errors=True)
            fresh_copy(copy)
            assert not (copy / "_build").exists(), "the copy must start with an empty _build/"
            result = make_book(copy, site_env())
            log = result.stdout + result.stderr
            (base / "build.log").write_text(log)
            assert result.returncode == 0, "the book did not build (warnings are errors):\n" + log[-8000:]
            done.write_text("ok\n")
    return copy


@pytest.fixture(scope="session")
def site(course_copy) -> Path:
    return course_copy / "_build" / "html"
