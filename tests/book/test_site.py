"""The course site: it builds with warnings as errors, has every page, and loads nothing
from the internet.

The build runs through `make book`, the README's own command, so this test checks what a
reader gets. The execution cache makes a rebuild with nothing changed take seconds.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from course_site import chapter_notebook, locate

from ..notebooks._course import ASSIGNMENTS
from .conftest import ROOT, toc_files

pytestmark = [pytest.mark.book, pytest.mark.slow]


class Assets(HTMLParser):
    """Collect every URL a page *loads* (scripts, stylesheets, images, frames, fonts),
    as opposed to links a reader may click."""

    LOADING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src",
               "audio": "src", "embed": "src", "object": "data"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.LOADING and a.get(self.LOADING[tag]):
            self.urls.append(a[self.LOADING[tag]])
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            if any(r in rel for r in ("stylesheet", "preload", "icon", "modulepreload", "manifest")):
                self.urls.append(a["href"])


def is_remote(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme in ("http", "https") or url.startswith("//"))


def test_every_page_of_the_toc_is_built(site):
    files = toc_files()
    assert files[0] == "book/intro" and sorted(f.split("/")[-1] for f in files[1:]) == sorted(ASSIGNMENTS), \
        "the front page, then one page per assignment (14 chapters and the capstone)"
    assert len(files) == 16
    for name in files:
        page = site / f"{name}.html"
        assert page.is_file(), f"{page} was not built"
    assert (site / "index.html").is_file()


def test_chapter_pages_have_a_title_and_learning_goals(site):
    for name in toc_files()[1:]:
        html = (site / f"{name}.html").read_text()
        assert re.search(r"<h1>\d+\. ", html), f"{name}: no numbered chapter title"
        assert "Learning goals" in html, f"{name}: no learning goals"


def test_pages_load_no_asset_from_the_internet(site):
    # the site's pages (the theme ships Jinja templates under _static/, which are not pages)
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    assert len(pages) >= 15
    for page in pages:
        parser = Assets()
        parser.feed(page.read_text(errors="replace"))
        remote = [u for u in parser.urls if is_remote(u)]
        assert not remote, f"{page.relative_to(site)} loads from the internet: {remote}"
        for url in parser.urls:
            if url.startswith("data:"):
                continue
            local = (page.parent / urlsplit(url).path).resolve()
            assert local.exists(), f"{page.relative_to(site)} loads {url}, which is not in the site"


def test_stylesheets_import_nothing_from_the_internet(site):
    for css in (site / "_static").rglob("*.css"):
        text = css.read_text(errors="replace")
        for match in re.finditer(r"(?:@import\s+|url\()\s*['\"]?([^'\")\s]+)", text):
            assert not is_remote(match.group(1)), f"{css.relative_to(site)} pulls {match.group(1)}"


def test_math_is_typeset_by_the_vendored_mathjax(site):
    html = (site / "book" / "ch04_padding.html").read_text()
    # MathJax's loader with the components the pages use (_config.yml: mathjax3_config)
    assert "_static/mathjax/startup.js" in html, "the page does not load the vendored MathJax"
    for component in ("startup.js", "core.js", "input/tex.js", "output/chtml.js", "a11y/assistive-mml.js"):
        assert (site / "_static" / "mathjax" / component).is_file(), f"MathJax's {component} is missing"
    assert '"load": ["input/tex", "output/chtml", "a11y/assistive-mml"]' in html
    fonts = list((site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert fonts, "MathJax's fonts are missing"
    assert r"\(P = (F - 1)/2\)" in html


def test_widget_scripts_are_vendored(site):
    # pages with widgets load these two (see nb_ipywidgets_js in _config.yml)
    assert (site / "_static" / "require.js").is_file()
    assert (site / "_static" / "html-manager" / "embed-amd.js").is_file()


def test_pages_are_executed_with_cnn_core(site):
    html = (site / "book" / "ch03_stride.html").read_text()
    # computed at build time by cnn_core.shapes and compared with PyTorch on the page:
    # (5 - 3)/2 + 1 = 2, and a 3x3 filter with stride 3 does not fit a 7x7 input
    assert "5x5 input, 3x3 filter, stride 2: (5 - 3)/2 + 1 = 2   (PyTorch: 2)" in html
    assert "(7 - 3)/3 + 1 = 2.33 is not a whole number" in html
    html = (site / "book" / "ch05_convolution_over_volume.html").read_text()
    assert "total parameters: 760" in html


def downloaded_notebook(site, page: str, filename: str) -> dict:
    """The notebook a chapter page offers for download under ``filename``."""
    html = (site / f"{page}.html").read_text()
    links = re.findall(rf'href="(\.\./_downloads/[0-9a-f]+/{re.escape(filename)})"', html)
    assert links, f"{page}: no download link to {filename}"
    return json.loads((site / "book" / links[0]).read_text())


def test_every_chapter_offers_its_assignment_without_solutions(site):
    for page in toc_files()[1:]:
        chapter = page.split("/")[-1]
        nb = downloaded_notebook(site, page, f"{chapter}.ipynb")
        text = "\n".join("".join(c["source"]) for c in nb["cells"])
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, f"{chapter}: solutions leaked"
        assert "raise NotImplementedError" in text, f"{chapter}: the download is not the student version"


def _text(html: str) -> str:
    """A page's text as a reader sees it (tags dropped, Sphinx's curly quotes made plain)."""
    text = unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u2019", "'").replace("\u201c", '"')
    return " ".join(text.replace("\u201d", '"').split())


def test_every_chapter_lists_its_assignments_parts_and_points(site):
    for page in toc_files()[1:]:
        chapter = page.split("/")[-1]
        source = (ROOT / "notebooks" / chapter / f"{chapter}.py").read_text()
        text = _text((site / f"{page}.html").read_text())
        total = sum(int(p) for p in re.findall(r"^# %% tests .*points=(\d+)", source, re.M))
        title = re.search(r"^# # (.+)$", source, re.M).group(1)
        assert f"{title} ({total} points)." in text, f"{chapter}: no '{title} ({total} points).'"
        for head in re.findall(r"^# ## (Part \d+ \(\d+ points?\): .+)$", source, re.M):
            plain = " ".join(head.replace("`", "").split())
            assert plain in text, f"{chapter}: the page does not list '{plain}'"


def test_every_chapter_can_be_downloaded_as_a_notebook(site):
    for page in toc_files()[1:]:
        chapter = page.split("/")[-1]
        nb = downloaded_notebook(site, page, f"{chapter}_chapter.ipynb")
        code = [c for c in nb["cells"] if c["cell_type"] == "code"
                and "colab-setup" not in c["metadata"].get("tags", [])]     # see test_launch.py
        source = (site.parent.parent / f"{page}.md").read_text()
        assert len(code) == source.count("```{code-cell}"), f"{chapter}: the notebook lost code cells"
        assert not any(c.get("outputs") for c in code), f"{chapter}: the download carries outputs"


def test_launch_buttons_follow_where_the_course_lives(site):
    """With a public GitHub repository (git's origin or COURSE_REPOSITORY_URL, as in this
    test's environment), every chapter has Binder and Colab buttons that point at files that
    exist; without one, no chapter has buttons. test_launch.py checks both cases on a small
    book whatever this clone's origin is."""
    location = locate(ROOT)
    for page in toc_files()[1:]:
        html = (site / f"{page}.html").read_text()
        notebook = site / chapter_notebook(page)
        assert notebook.is_file(), f"{page}: no notebook at the site's root for Colab"
        if not location.url:
            assert "Launch interactive content" not in html, f"{page}: launch buttons with no repository"
            continue
        org, repo = location.org_repo
        binder = f"https://mybinder.org/v2/gh/{org}/{repo}/{location.branch}?urlpath=lab/tree/{page}.md"
        colab = f"https://colab.research.google.com/{location.site_file(notebook.name)}"
        assert f'href="{binder}"' in html and f'href="{colab}"' in html, f"{page}: launch links"
        assert (ROOT / f"{page}.md").is_file()
        assert location.pip_requirement() in notebook.read_text(), f"{page}: no Colab set-up cell"
