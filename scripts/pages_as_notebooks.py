"""Each book page as a Jupyter notebook, for the "run this page yourself" download link.

The chapters are MyST Markdown notebooks (text in git); readers want an ``.ipynb``. This
writes ``_build/pages/<page>_chapter.ipynb`` (no outputs: running it recomputes everything)
for every page of ``book/`` whose source changed since the last run.

Usage: python scripts/pages_as_notebooks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "pages"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    for page in sorted((ROOT / "book").glob("ch*.md")):
        target = OUT / f"{page.stem}_chapter.ipynb"
        if target.is_file() and target.stat().st_mtime >= page.stat().st_mtime:
            continue
        notebook = jupytext.read(page)
        notebook.metadata.pop("jupytext", None)          # a plain notebook, not paired with the .md
        jupytext.write(notebook, target, fmt="ipynb")
        written.append(page.stem)
    if written:
        print(f"pages_as_notebooks: {len(written)} page(s) written to {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
