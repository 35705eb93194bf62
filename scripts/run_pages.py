"""Execute the book's pages headless, outside the book build, and say which cell failed.

Two commands use it: ``make weights`` (``scripts/train_book_models.py``: every page with an
empty checkpoint folder, so every model is trained again) and the test that retraining
reproduces the shipped results on another floating-point path
(``tests/book/test_retrain.py``). Each page runs as the build runs it: a fresh kernel, the
page's folder as the working directory, every cell in order, stopping at the first error.

Usage: python scripts/run_pages.py [PAGE.md ...]     (default: every page of _toc.yml)
       environment variables are passed to the kernels as they are
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import yaml
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]


def toc_pages(root: Path = ROOT) -> list[Path]:
    """The pages that execute (MyST notebooks with code cells), in the order of ``_toc.yml``."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    names = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    pages = [root / f"{name}.md" for name in names]
    return [page for page in pages if "```{code-cell}" in page.read_text()]


@dataclass
class PageRun:
    page: Path
    seconds: float
    notebook: nbformat.NotebookNode
    error: str | None = None          # the failing cell's error, None when every cell ran

    @property
    def ok(self) -> bool:
        return self.error is None


def run_page(page: Path, timeout: int = 900) -> PageRun:
    """Execute every cell of ``page`` (a MyST Markdown notebook) in a fresh kernel."""
    notebook = jupytext.read(page, fmt="md:myst")
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(page.parent)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as err:
        error = _short(str(err))
    return PageRun(page, time.perf_counter() - start, notebook, error)


def _short(message: str) -> str:
    """The last line that names the error (nbclient's message ends with the traceback)."""
    lines = [line for line in message.strip().splitlines() if line.strip()]
    named = [line for line in lines if "Error" in line or "Exception" in line]
    return (named[-1] if named else lines[-1]).strip() if lines else message


def glued(notebook: nbformat.NotebookNode) -> dict[str, object]:
    """{name: value} of what a page glued (``myst_nb.glue``), as text/plain."""
    found = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if key is not None:
                data = output.get("data", {})
                found[key] = data.get("text/plain", data.get("application/papermill.record/text/plain"))
    return found


def main(argv: list[str]) -> int:
    pages = [Path(p).resolve() for p in argv] or toc_pages()
    failed = 0
    for page in pages:
        result = run_page(page)
        status = "ok" if result.ok else f"FAILED: {result.error}"
        print(f"{page.relative_to(ROOT)}: {result.seconds:.1f} s, {status}", flush=True)
        failed += not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
