"""Each book page as a Jupyter notebook: the "run this page yourself" download and what
the Colab launch button opens.

The chapters are MyST Markdown notebooks (text in git); readers want an ``.ipynb``. This
writes ``_build/pages/<page>_chapter.ipynb`` (no outputs: running it recomputes everything)
for every chapter of ``book/``; the site copies them to its root (``html_extra_path``).
When the course's public repository is known (``book/_ext/course_site.py``), each
notebook opens with a cell that installs ``cnn_core`` from it on Google Colab and does
nothing anywhere else. Files whose content would not change are left untouched.

Usage: python scripts/pages_as_notebooks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "pages"
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from course_site import Location, chapter_notebook, locate  # noqa: E402


def colab_setup_cell(location: Location) -> nbformat.NotebookNode:
    source = (
        "# On Google Colab, install the course's package first (elsewhere this cell does nothing).\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "{location.pip_requirement()}"'
    )
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["colab-setup"]
    cell["id"] = "colab-setup"
    return cell


def page_notebook(page: Path, location: Location) -> str:
    notebook = jupytext.read(page)
    notebook.metadata.pop("jupytext", None)          # a plain notebook, not paired with the .md
    if location.url:
        notebook.cells.insert(0, colab_setup_cell(location))
    for number, cell in enumerate(notebook.cells):   # stable ids: an unchanged page, an unchanged file
        if cell.get("id") != "colab-setup":
            cell["id"] = f"cell-{number}"
    return jupytext.writes(notebook, fmt="ipynb")


def write_page_notebooks(book: Path, out: Path, location: Location) -> list[str]:
    """Write ``out/<page>_chapter.ipynb`` for every chapter ``book/ch*.md`` that changed."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in sorted(book.glob("ch*.md")):
        target = out / chapter_notebook(page.name)
        text = page_notebook(page, location)
        if target.is_file() and target.read_text() == text:
            continue
        target.write_text(text)
        written.append(page.stem)
    return written


def main() -> int:
    written = write_page_notebooks(ROOT / "book", OUT, locate(ROOT))
    if written:
        print(f"pages_as_notebooks: {len(written)} page(s) written to {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
