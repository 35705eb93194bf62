"""The chapters' launch buttons (Binder, Colab, JupyterHub): where the course lives online
(book/_ext/course_site.py) and the links the site gets from it (book/_ext/course_launch.py).

The expected links are written out by hand from the services' documented URL schemes:
Binder ``/v2/gh/<org>/<repo>/<ref>?urlpath=...``, nbgitpuller's ``/hub/user-redirect/git-pull``
and Colab's ``/github/<org>/<repo>/blob/<branch>/<path>``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from html import unescape
from pathlib import Path

import pytest
import yaml

from course_site import chapter_notebook, github_url, launch_text, locate
from pages_as_notebooks import write_page_notebooks

from .conftest import CLEAN_ENV, ROOT

ORIGIN = "git@github.com:example-org/cnn-course.git"
REPO = "https://github.com/example-org/cnn-course"
HUB = "https://hub.example.edu"


@pytest.mark.parametrize("remote", [
    "https://github.com/example-org/cnn-course",
    "https://github.com/example-org/cnn-course.git",
    "https://github.com/example-org/cnn-course/",
    "git@github.com:example-org/cnn-course.git",
    "ssh://git@github.com/example-org/cnn-course.git",
    "https://x-access-token:ghp_secret123@github.com/example-org/cnn-course.git",
])
def test_every_spelling_of_a_github_remote_gives_the_public_address(remote):
    assert github_url(remote) == REPO                  # and never the token


@pytest.mark.parametrize("remote", [
    "https://gitlab.com/example-org/cnn-course.git", "/srv/git/cnn-course.git", "file:///tmp/x",
    "https://github.com/example-org", "https://github.com.evil.example/org/repo", "",
])
def test_anything_else_is_not_a_github_repository(remote):
    assert github_url(remote) is None


def git_repo(path: Path, branch: str = "course", origin: str | None = ORIGIN) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", branch, str(path)], check=True)
    if origin:
        subprocess.run(["git", "-C", str(path), "remote", "add", "origin", origin], check=True)
    return path


def test_the_location_comes_from_git(tmp_path):
    location = locate(git_repo(tmp_path), environ=CLEAN_ENV)
    assert (location.url, location.branch, location.site_branch) == (REPO, "course", "gh-pages")
    assert location.jupyterhub_url == "" and location.reason == ""


def test_the_environment_overrides_git(tmp_path):
    environ = {**CLEAN_ENV, "COURSE_REPOSITORY_URL": "https://github.com/other/fork.git",
               "COURSE_REPOSITORY_BRANCH": "spring-2027", "COURSE_SITE_BRANCH": "site",
               "COURSE_JUPYTERHUB_URL": HUB + "/"}
    location = locate(git_repo(tmp_path), environ=environ)
    assert (location.url, location.branch, location.site_branch, location.jupyterhub_url) == (
        "https://github.com/other/fork", "spring-2027", "site", HUB)
    assert location.pip_requirement() == "cnn_core[colab] @ git+https://github.com/other/fork@spring-2027"


@pytest.mark.parametrize("origin, env, reason", [
    (None, {}, "this clone has no git remote 'origin' and COURSE_REPOSITORY_URL is not set"),
    (ORIGIN, {"COURSE_REPOSITORY_URL": ""}, "COURSE_REPOSITORY_URL is set but empty"),
    ("https://deploy:s3cret@gitlab.com/example-org/cnn-course.git", {},
     "the git remote 'origin' is 'https://gitlab.com/example-org/cnn-course.git', not a GitHub repository"),
])
def test_without_a_github_repository_there_is_no_location_and_the_reason_says_why(tmp_path, origin, env, reason):
    location = locate(git_repo(tmp_path, origin=origin), environ={**CLEAN_ENV, **env})
    assert location.url == "" and reason in location.reason
    assert "s3cret" not in location.reason


def test_a_hub_address_that_is_not_one_is_refused(tmp_path):
    with pytest.raises(ValueError, match="must be an http"):
        locate(git_repo(tmp_path), environ={**CLEAN_ENV, "COURSE_JUPYTERHUB_URL": "hub.example.edu"})


def test_the_front_page_describes_the_buttons_this_build_has(tmp_path):
    """book/intro.md shows {{ launch }} and {{ repository }}: what it says must match the site."""
    bare = launch_text(locate(git_repo(tmp_path / "bare", origin=None), environ=CLEAN_ENV))
    assert "no launch buttons" in bare["launch"] and "no git remote 'origin'" in bare["launch"]
    assert "Binder" not in bare["launch"] and "http" not in bare["repository"]
    known = launch_text(locate(git_repo(tmp_path / "repo"), environ=CLEAN_ENV))
    assert "rocket icon" in known["launch"] and "**Binder**" in known["launch"] and "**Colab**" in known["launch"]
    assert "JupyterHub" not in known["launch"]
    assert f"<{REPO}>" in known["repository"] and "`course`" in known["repository"]
    hub = launch_text(locate(git_repo(tmp_path / "hub"), environ={**CLEAN_ENV, "COURSE_JUPYTERHUB_URL": HUB}))
    assert f"**JupyterHub** opens it on your institution's hub, <{HUB}>" in hub["launch"]


def test_the_chapter_notebook_installs_the_course_on_colab_only(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "book" / "ch03_stride.md", book)
    out = tmp_path / "pages"
    location = locate(git_repo(tmp_path / "repo"), environ=CLEAN_ENV)
    assert write_page_notebooks(book, out, location) == ["ch03_stride"]
    assert write_page_notebooks(book, out, location) == []          # unchanged: not rewritten
    cells = json.loads((out / "ch03_stride_chapter.ipynb").read_text())["cells"]
    setup = "".join(cells[0]["source"])
    assert 'if "google.colab" in sys.modules:' in setup
    assert '%pip install --quiet "cnn_core[colab] @ git+https://github.com/example-org/cnn-course@course"' in setup
    # the magic inside the `if` is valid IPython, and outside Colab the cell installs nothing
    from IPython.core.inputtransformer2 import TransformerManager
    python = TransformerManager().transform_cell(setup)
    calls = []
    exec(compile(python, "setup", "exec"), {"get_ipython": lambda: type("I", (), {
        "run_line_magic": lambda self, *a: calls.append(a)})()})
    assert calls == []
    # no repository known: no set-up cell, the notebook is the page as it is
    plain = tmp_path / "plain"
    write_page_notebooks(book, plain, locate(git_repo(tmp_path / "bare", origin=None), environ=CLEAN_ENV))
    first = "".join(json.loads((plain / "ch03_stride_chapter.ipynb").read_text())["cells"][0]["source"])
    assert "google.colab" not in first


# --- a small book built with the course's extension and launch settings ---------------------

PAGE = textwrap.dedent("""\
    ---
    jupytext: {text_representation: {extension: .md, format_name: myst}}
    kernelspec: {display_name: Python 3, language: python, name: python3}
    ---
    # 1. A chapter

    ```{code-cell} ipython3
    print(6 * 7)
    ```
    """)


def build_small_book(root: Path, env: dict) -> tuple[Path, str]:
    course = yaml.safe_load((ROOT / "_config.yml").read_text())
    config = {
        "title": "launch", "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "launch_buttons": course["launch_buttons"],
        "html": course["html"],
        "sphinx": {"local_extensions": {"course_launch": str(ROOT / "book" / "_ext")},
                   "config": {"html_extra_path": ["_build/pages"]}},
    }
    (root / "_config.yml").write_text(yaml.safe_dump(config))
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/ch01_demo\n")
    (root / "book").mkdir()
    (root / "book" / "intro.md").write_text("# The course\n")
    (root / "book" / "ch01_demo.md").write_text(PAGE)
    write_page_notebooks(root / "book", root / "_build" / "pages", locate(root, environ=env))
    build = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(root),
                            "--builder", "html", "--warningiserror"], capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    return root / "_build" / "html", build.stdout


def launch_links(html: str) -> dict[str, str]:
    group = re.search(r'<ul class="dropdown-menu">(.*?)</ul>', html.split("Launch interactive content")[1], re.S)
    return {unescape(text): unescape(href) for href, text in re.findall(
        r'<a href="([^"]+)"[^>]*>.*?<span class="btn__text-container">([^<]+)</span>', group.group(1), re.S)}


@pytest.mark.slow
def test_a_book_in_a_github_clone_gets_binder_colab_and_jupyterhub_links(tmp_path):
    root = git_repo(tmp_path / "course")
    site, log = build_small_book(root, {**CLEAN_ENV, "COURSE_JUPYTERHUB_URL": HUB})
    assert f"course_launch: binderhub, colab, jupyterhub buttons for {REPO} (course)" in log
    links = launch_links((site / "book" / "ch01_demo.html").read_text())
    assert links == {
        "Binder": "https://mybinder.org/v2/gh/example-org/cnn-course/course?urlpath=lab/tree/book/ch01_demo.md",
        "JupyterHub": ("https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A//github.com/example-org/"
                       "cnn-course&urlpath=lab/tree/cnn-course/book/ch01_demo.md&branch=course"),
        "Colab": "https://colab.research.google.com/github/example-org/cnn-course/blob/gh-pages/ch01_demo_chapter.ipynb",
    }
    # Binder and the hub open the page's source in the repository; Colab opens the
    # notebook the site publishes at its root (the gh-pages branch is a copy of the site)
    assert (root / "book" / "ch01_demo.md").is_file()
    published = site / chapter_notebook("book/ch01_demo")
    assert "git+https://github.com/example-org/cnn-course@course" in published.read_text()
    assert f'href="{REPO}"' in (site / "book" / "ch01_demo.html").read_text()      # the repository button
    # a page that is not a notebook gets no launch buttons
    assert "Launch interactive content" not in (site / "book" / "intro.html").read_text()


@pytest.mark.slow
def test_a_book_with_no_public_repository_builds_without_buttons_and_says_why(tmp_path):
    root = git_repo(tmp_path / "course", origin=None)
    site, log = build_small_book(root, CLEAN_ENV)
    assert "course_launch: no launch buttons (no repository address: this clone has no git remote" in log
    assert "Launch interactive content" not in (site / "book" / "ch01_demo.html").read_text()
    assert (site / "ch01_demo_chapter.ipynb").is_file()            # the download is there all the same
