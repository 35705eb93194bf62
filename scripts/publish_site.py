"""Publish the built site: commit ``_build/html`` to the site branch and push it to origin.

GitHub Pages serves the site from that branch (Settings -> Pages -> Deploy from a branch:
``gh-pages``, folder ``/``), and the chapters' Colab buttons open their notebooks from it
(``book/_ext/course_site.py``). The branch holds nothing but the site; each publication is
one commit with no history, so the repository does not grow with every rebuild.

Usage: python scripts/publish_site.py [SITE_DIR]     (make publish builds first)
Environment: COURSE_SITE_BRANCH (default gh-pages), COURSE_PUBLISH_REMOTE (default origin).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ghp_import import GhpError, ghp_import


def publish(site: Path, branch: str, remote: str) -> str:
    """Commit ``site`` as the whole of ``branch`` and push it to ``remote``; return a summary."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"publish: {site} has no index.html; build the site first (make book)")
    remotes = subprocess.run(["git", "remote"], capture_output=True, text=True).stdout.split()
    if remote not in remotes:
        raise SystemExit(f"publish: this clone has no git remote {remote!r} to push the site to "
                         f"(git remote add {remote} https://github.com/<org>/<repo>.git)")
    notebooks = sorted(p.name for p in site.glob("*_chapter.ipynb"))
    try:
        ghp_import(str(site), branch=branch, remote=remote, push=True, no_history=True,
                   nojekyll=True, mesg=f"Publish the course site ({len(notebooks)} chapter notebooks)")
    except GhpError as error:
        raise SystemExit(f"publish: git refused: {error}") from None
    return (f"published {site} to {remote}/{branch}: {len(notebooks)} chapter notebook"
            f"{'' if len(notebooks) == 1 else 's'} for Colab")


def main(argv: list[str]) -> int:
    site = Path(argv[1]) if len(argv) > 1 else Path("_build/html")
    branch = os.environ.get("COURSE_SITE_BRANCH") or "gh-pages"
    remote = os.environ.get("COURSE_PUBLISH_REMOTE") or "origin"
    print(publish(site, branch, remote))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
