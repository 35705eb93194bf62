"""A page that fails makes every `make book` fail until it is fixed (scripts/build_book.py).

Sphinx re-reads only changed sources, so a page whose execution failed used to be reported
once and then served, broken, by every later build. Here a small copy of the course (the
front page and chapter 3, the other pages reduced to their titles, the real configuration
and build command) gets a planted failing cell: two builds in a row must both fail, name
the page and the error, and leave nothing to serve; a glued value that comes out empty fails the build too; once the page is fixed,
the build succeeds and the execution reports (tracebacks with this machine's paths) are not
part of the site.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from .conftest import fresh_copy, make_book

pytestmark = [pytest.mark.book, pytest.mark.slow]

PLANTED = '\n```{code-cell} ipython3\nraise RuntimeError("a planted failure")\n```\n'
EMPTY_GLUE = ('\n```{code-cell} ipython3\nfrom myst_nb import glue\n\n\nclass Blank:\n    def __repr__(self):\n'
              '        return ""\n\n\nglue("nothing", Blank(), display=False)\n```\n\n'
              'Here is nothing: {glue:text}`nothing`.\n')


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    root = fresh_copy(tmp_path_factory.mktemp("small") / "course")
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    for part in toc["parts"]:                              # the other pages stay, as titles only,
        for chapter in part["chapters"]:                   # so the links to them still resolve
            if chapter["file"] != "book/ch03_stride":
                page = root / f"{chapter['file']}.md"
                title = next(line for line in page.read_text().splitlines() if line.startswith("# "))
                page.write_text(f"{title}\n\nA stand-in page.\n")
    for folder in (root / "notebooks").iterdir():          # only chapter 3's assignment is released
        if folder.is_dir() and folder.name != "ch03_stride":
            shutil.rmtree(folder)
    return root


def test_a_failing_page_fails_every_build_until_it_is_fixed(small_course):
    page = small_course / "book" / "ch03_stride.md"
    clean = page.read_text()
    page.write_text(clean + PLANTED)
    for attempt in (1, 2):
        result = make_book(small_course)
        log = result.stdout + result.stderr
        assert result.returncode != 0, f"build {attempt} with a failing cell exited 0:\n{log[-3000:]}"
        assert "ch03_stride.md: RuntimeError: a planted failure" in log, f"build {attempt}:\n{log[-3000:]}"
        assert not (small_course / "_build" / "html").exists(), f"build {attempt} left a site to serve"
        assert (small_course / "_build" / "reports" / "book" / "ch03_stride.err.log").is_file()

    page.write_text(clean + EMPTY_GLUE)
    result = make_book(small_course)
    log = result.stdout + result.stderr
    assert result.returncode != 0, "a page with an empty glued value built"
    assert "book/ch03_stride.html has a glued value that is empty" in log, log[-3000:]

    page.write_text(clean)
    stale = small_course / "_build" / "html" / "reports" / "book" / "ch03_stride.err.log"
    stale.parent.mkdir(parents=True, exist_ok=True)      # an earlier build's report, left behind
    stale.write_text("AssertionError: from a build long ago\n")
    result = make_book(small_course)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    html = small_course / "_build" / "html"
    assert (html / "book" / "ch03_stride.html").is_file()
    assert not (html / "reports").exists(), "execution reports are published"
