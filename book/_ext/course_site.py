"""Where the course lives online, for the launch buttons (Binder, Colab, JupyterHub).

A launch button opens a chapter in a live Jupyter session, so it must name the public
repository the session clones. The course is published from a clone of that repository,
so the build reads it from git, with environment variables to override:

- ``COURSE_REPOSITORY_URL``  the repository (default: ``git remote get-url origin``);
  only GitHub repositories get buttons (Colab and the book theme's links need GitHub)
- ``COURSE_REPOSITORY_BRANCH``  the branch the sessions check out (default: the branch
  checked out here)
- ``COURSE_SITE_BRANCH``  the branch the built site is published to (default ``gh-pages``,
  what ``make publish`` pushes); Colab opens the chapters' notebooks from it
- ``COURSE_JUPYTERHUB_URL``  your JupyterHub (default: ``launch_buttons.jupyterhub_url`` in
  ``_config.yml``; empty means no JupyterHub button)

Used by the Sphinx extension ``course_launch`` and by ``scripts/pages_as_notebooks.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

GITHUB = re.compile(
    r"^(?:https?://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<org>[A-Za-z0-9][A-Za-z0-9-]*)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


@dataclass(frozen=True)
class Location:
    """The public repository of the course, or why there is none (``url`` empty)."""

    url: str = ""                 # https://github.com/<org>/<repo>, never with credentials
    branch: str = "main"
    site_branch: str = "gh-pages"
    jupyterhub_url: str = ""
    reason: str = ""              # why there are no launch buttons, when url is empty

    @property
    def org_repo(self) -> tuple[str, str]:
        org, repo = self.url.removeprefix("https://github.com/").split("/")
        return org, repo

    def pip_requirement(self, extra: str = "colab") -> str:
        """What `pip install` takes to install cnn_core from this repository."""
        return f"cnn_core[{extra}] @ git+{self.url}@{self.branch}"

    def site_file(self, path: str) -> str:
        """The GitHub address of a file of the published site (on the site branch)."""
        org, repo = self.org_repo
        return f"github/{org}/{repo}/blob/{self.site_branch}/{path}"


def chapter_notebook(page: str) -> str:
    """The file name of a chapter's plain notebook, at the site's root: book/ch03_stride -> ch03_stride_chapter.ipynb."""
    return f"{Path(page).stem}_chapter.ipynb"


def github_url(remote: str) -> str | None:
    """``https://github.com/<org>/<repo>`` for any spelling of a GitHub remote, else None.

    Credentials in the remote (``https://user:token@github.com/...``) are dropped: the
    address ends up on a public site.
    """
    match = GITHUB.match(remote.strip())
    if not match:
        return None
    return f"https://github.com/{match['org']}/{match['repo']}"


def _git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def locate(root: Path, jupyterhub_url: str = "", environ=os.environ) -> Location:
    """The course's public repository, from the environment or from git (see the module doc)."""
    remote = environ.get("COURSE_REPOSITORY_URL")
    source = "COURSE_REPOSITORY_URL"
    if remote is None:
        remote, source = _git(root, "remote", "get-url", "origin"), "the git remote 'origin'"
    hub = environ.get("COURSE_JUPYTERHUB_URL", jupyterhub_url or "").strip().rstrip("/")
    if hub and not re.match(r"^https?://[^\s/]+", hub):
        raise ValueError(f"COURSE_JUPYTERHUB_URL / launch_buttons.jupyterhub_url must be an http(s) "
                         f"address such as https://hub.example.edu, not {hub!r}")
    if not remote:
        why = ("COURSE_REPOSITORY_URL is set but empty" if source == "COURSE_REPOSITORY_URL"
               else "this clone has no git remote 'origin' and COURSE_REPOSITORY_URL is not set")
        return Location(reason=f"no repository address: {why}")
    url = github_url(remote)
    if url is None:
        shown = re.sub(r"//[^@/]+@", "//", remote)             # never print a token
        return Location(reason=f"{source} is {shown!r}, not a GitHub repository; Colab and the book "
                               f"theme's launch links need one (https://github.com/<org>/<repo>)")
    # the checked-out branch (a detached HEAD, as in some CI checkouts, has none: main)
    branch = environ.get("COURSE_REPOSITORY_BRANCH") or _git(root, "symbolic-ref", "--short", "HEAD") or "main"
    site_branch = environ.get("COURSE_SITE_BRANCH") or "gh-pages"
    return Location(url=url, branch=branch, site_branch=site_branch, jupyterhub_url=hub)


def launch_text(location: Location) -> dict[str, str]:
    """What the front page says about launching a chapter, as it is on *this* build: MyST
    substitutions ``launch`` (a paragraph) and ``repository`` (a link, or a sentence saying
    there is none). The site has launch buttons exactly when ``location.url`` is set."""
    if not location.url:
        return {
            "launch": ("This copy of the site was built without a public GitHub repository, so its "
                       "chapters have **no launch buttons** (the build says why: "
                       f"{location.reason}). Download a chapter's notebook instead (the *Run this page "
                       "yourself* link under each chapter's learning goals) and open it in the course's "
                       "environment, as below. A site published from the course's GitHub repository "
                       "(`make publish`) has a launch menu, a rocket icon, at the top of every chapter."),
            "repository": "This build does not know the course's public repository.",
        }
    services = ["**Binder** starts a free JupyterLab session with everything installed and opens the "
                "chapter as a notebook",
                "**Colab** opens the chapter's notebook in Google Colab, whose first cell installs the "
                "course package (Colab already has NumPy and PyTorch; a GPU runtime makes the PyTorch "
                "chapters faster, and nothing requires one)"]
    if location.jupyterhub_url:
        services.append(f"**JupyterHub** opens it on your institution's hub, <{location.jupyterhub_url}>")
    return {
        "launch": ("Each chapter has a launch menu at the top of the page, the rocket icon: "
                   + "; ".join(services) + ". A Binder session is thrown away when you leave it, and "
                   "Colab keeps your changes only in a copy you save to your Drive: download what you "
                   "want to keep."),
        "repository": f"The course's repository is <{location.url}> (branch `{location.branch}`), "
                      "also linked by the GitHub icon at the top of every page.",
    }
