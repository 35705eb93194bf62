"""Where the course keeps what it computes once and reuses: trained models for the book's
experiments ("load a checkpoint if present, otherwise train").

``checkpoint_path("ch01_small_cnn.pt")`` is, in order of preference:

1. ``$CNN_CORE_CHECKPOINTS/<name>`` when that variable is set;
2. ``<course>/_build/checkpoints/<name>`` when run from inside the course repository (found
   by walking up from the working directory to the folder holding ``_toc.yml``), so a
   book build and a notebook share one cache, and ``make clean`` clears it;
3. ``~/.cache/cnn_core/checkpoints/<name>`` otherwise (e.g. on Colab).

The folder is created; the file is not.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["checkpoint_dir", "checkpoint_path"]


def checkpoint_dir(start: str | os.PathLike | None = None) -> Path:
    """The folder for cached checkpoints (see the module docstring), created if needed."""
    env = os.environ.get("CNN_CORE_CHECKPOINTS")
    if env:
        folder = Path(env).expanduser()
    else:
        here = Path(start or Path.cwd()).resolve()
        course = next((p for p in (here, *here.parents) if (p / "_toc.yml").is_file()), None)
        folder = (course / "_build" / "checkpoints") if course else Path.home() / ".cache" / "cnn_core" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def checkpoint_path(name: str, start: str | os.PathLike | None = None) -> Path:
    """``checkpoint_dir() / name``; ``name`` must be a plain file name."""
    if not name or Path(name).name != name:
        raise ValueError(f"checkpoint name must be a plain file name like 'ch01_cnn.pt', got {name!r}")
    return checkpoint_dir(start) / name
