"""``make book``: build the course site, and fail, every time, while any page fails.

Steps:

1. ``execution_cache.py``: a change to ``cnn_core`` clears the execution cache;
2. ``release_for_site.py`` and ``pages_as_notebooks.py``: the downloads the pages link to;
3. ``jupyter-book build --all -W --keep-going``: every page is read again on every build.
   Executed results come from the execution cache, which never stores a page that failed,
   so a failing page runs (and fails) again on the next build instead of being skipped
   as "unchanged" by Sphinx. Pages load the shipped trained models
   (``CNN_CORE_REQUIRE_PRETRAINED=1``: see ``cnn_core/paths.py``) and never train;
4. ``_build/html/reports/`` (tracebacks with this machine's paths; an earlier build's are
   removed first, so only this build's failures count) moves to
   ``_build/reports/``: it is never published;
5. every page is checked for what a failed cell leaves behind: an error output, or a
   glued value that came out empty.

Any failure prints each page's name and error, removes the half-built ``_build/html/`` and
exits 1, so ``make serve`` and ``make publish`` have nothing to serve.

Usage: python scripts/build_book.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
REPORTS = BUILD / "reports"
SCRIPTS = Path(__file__).resolve().parent

#: what a cell that raised leaves in the page (myst-nb's rendering of an error output)
ERROR_OUTPUT = re.compile(r'class="[^"]*\boutput traceback\b|class="[^"]*\bhighlight-ipythontb\b')
#: a glued value rendered as nothing (``{glue:text}`` of an empty string)
EMPTY_GLUE = re.compile(r'<span class="pasted-text">\s*</span>')


def step(script: str) -> None:
    subprocess.run([sys.executable, str(SCRIPTS / script)], cwd=ROOT, check=True)


def jupyter_book() -> int:
    # jupyter-book adds this build's execution reports to html/reports/ and never removes an
    # old one: a report left by an earlier build would be read as this build's failure
    shutil.rmtree(HTML / "reports", ignore_errors=True)
    env = {**os.environ, "CNN_CORE_REQUIRE_PRETRAINED": "1"}
    env.pop("CNN_CORE_CHECKPOINTS", None)          # the site shows the shipped results, never a retrain
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", ".", "--all",
               "--warningiserror", "--keep-going", "--builder", "html"]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def move_reports() -> list[Path]:
    """Move the execution reports out of the site; return the failure logs."""
    shutil.rmtree(REPORTS, ignore_errors=True)
    if (HTML / "reports").is_dir():
        shutil.move(str(HTML / "reports"), str(REPORTS))
    return sorted(REPORTS.rglob("*.err.log")) if REPORTS.is_dir() else []


def last_error(log: Path) -> str:
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in log.read_text(errors="replace").splitlines()]
    named = [line for line in lines if re.match(r"^[A-Za-z_.]*(Error|Exception|Interrupt)\b", line)]
    return named[-1] if named else (lines[-1] if lines else "(empty log)")


def page_problems(html: Path) -> list[str]:
    """What is wrong with the built pages: error outputs, empty glued values."""
    problems = []
    for page in sorted(html.rglob("*.html")):
        if "_static" in page.relative_to(html).parts:
            continue
        text = page.read_text(errors="replace")
        name = page.relative_to(html).as_posix()
        if ERROR_OUTPUT.search(text):
            problems.append(f"{name} shows an error output")
        if EMPTY_GLUE.search(text):
            problems.append(f"{name} has a glued value that is empty")
    return problems


def main() -> int:
    for script in ("execution_cache.py", "release_for_site.py", "pages_as_notebooks.py"):
        step(script)
    code = jupyter_book()
    failures = [f"{log.relative_to(REPORTS).as_posix().removesuffix('.err.log')}.md: {last_error(log)} "
                f"(traceback: {log.relative_to(ROOT)})" for log in move_reports()]
    problems = failures + (page_problems(HTML) if HTML.is_dir() else [])
    if code or problems:
        print("\nbuild_book: the course site did not build" + (":" if problems else
              f" (jupyter-book exited with {code}; its warnings are above)."), file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print("Fix these and run `make book` again; nothing is served until every page builds.", file=sys.stderr)
        shutil.rmtree(HTML, ignore_errors=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
