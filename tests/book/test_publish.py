"""make publish (scripts/publish_site.py): the built site becomes the whole of the gh-pages
branch of origin, where GitHub Pages serves it and the Colab buttons find the notebooks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import CLEAN_ENV, ROOT

SCRIPT = ROOT / "scripts" / "publish_site.py"


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def publish(cwd, site="site", **env):
    environ = {**CLEAN_ENV, "GIT_AUTHOR_NAME": "course", "GIT_AUTHOR_EMAIL": "course@example.edu",
               "GIT_COMMITTER_NAME": "course", "GIT_COMMITTER_EMAIL": "course@example.edu", **env}
    return subprocess.run([sys.executable, str(SCRIPT), site], cwd=cwd, capture_output=True, text=True, env=environ)


@pytest.fixture
def clone(tmp_path):
    """A clone of the course with an origin (a bare repository) and a small built site."""
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work), cwd=tmp_path)
    git("remote", "add", "origin", str(origin), cwd=work)
    (work / "README.md").write_text("course\n")
    git("add", "README.md", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "course", cwd=work)
    site = work / "site"
    (site / "book").mkdir(parents=True)
    (site / "index.html").write_text("<html>index</html>")
    (site / "book" / "ch01_demo.html").write_text("<html>chapter</html>")
    (site / "ch01_demo_chapter.ipynb").write_text('{"cells": []}')
    return work, origin


def test_the_site_becomes_the_gh_pages_branch_of_origin(clone):
    work, origin = clone
    result = publish(work)
    assert result.returncode == 0, result.stderr
    assert "to origin/gh-pages: 1 chapter notebook for Colab" in result.stdout
    files = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=origin).split()
    assert sorted(files) == [".nojekyll", "book/ch01_demo.html", "ch01_demo_chapter.ipynb", "index.html"]
    assert git("show", "gh-pages:ch01_demo_chapter.ipynb", cwd=origin) == '{"cells": []}'
    # the course's own branch is untouched
    assert git("ls-tree", "-r", "--name-only", "main", cwd=work).split() == ["README.md"]

    # publishing again replaces the site, and the branch keeps a single commit
    (work / "site" / "book" / "ch01_demo.html").unlink()
    assert publish(work).returncode == 0
    assert "book/ch01_demo.html" not in git("ls-tree", "-r", "--name-only", "gh-pages", cwd=origin)
    assert git("rev-list", "--count", "gh-pages", cwd=origin).strip() == "1"


def test_the_branch_follows_course_site_branch(clone):
    work, origin = clone
    assert publish(work, COURSE_SITE_BRANCH="site").returncode == 0
    assert "index.html" in git("ls-tree", "--name-only", "site", cwd=origin)


def test_no_site_or_no_remote_is_a_clear_error_and_pushes_nothing(clone):
    work, origin = clone
    result = publish(work, site="missing")
    assert result.returncode != 0 and "has no index.html; build the site first (make book)" in result.stderr
    git("remote", "remove", "origin", cwd=work)
    result = publish(work)
    assert result.returncode != 0 and "no git remote 'origin' to push the site to" in result.stderr
    assert "gh-pages" not in git("branch", "--list", cwd=origin)
