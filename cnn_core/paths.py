"""Where the course keeps what it computes once and reuses: trained models for the book's
experiments ("load a checkpoint if present, otherwise train").

The book's experiments do not retrain on the reader's machine. Training results depend on
the floating-point path (instruction set, BLAS kernels, thread count), so a page that
retrained would tell a slightly different story on every CPU. Instead the repository ships
the trained weights and histories in ``cnn_core/pretrained/`` (made by ``make weights``,
``scripts/train_book_models.py``, from the pages' own code), and a page loads them.

``checkpoint_path("ch01_small_CNN.pt")`` is, in order of preference:

1. ``$CNN_CORE_CHECKPOINTS/<name>`` when that variable is set: *retraining*. Nothing shipped
   is used; whatever is missing there is trained and saved there (``make weights`` and the
   test that retraining reproduces the shipped results set it to an empty folder);
2. the shipped ``cnn_core/pretrained/<name>``, when it exists;
3. ``<course>/_build/checkpoints/<name>`` when run from inside the course repository (found
   by walking up from the working directory to the folder holding ``_toc.yml``), so a book
   build and a notebook share one cache, and ``make clean`` clears it;
4. ``~/.cache/cnn_core/checkpoints/<name>`` otherwise (e.g. on Colab).

With ``CNN_CORE_REQUIRE_PRETRAINED=1`` (the book build sets it), a name that is not
shipped is an error instead of case 3 or 4: the build never trains for minutes behind the
reader's back, and a page whose weights were forgotten fails with the command that makes
them.

The folder of cases 3 and 4 is created; the file is not.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["MissingPretrained", "PRETRAINED", "checkpoint_dir", "checkpoint_path", "retraining"]

#: the trained results the repository ships (package data of cnn_core)
PRETRAINED = Path(__file__).resolve().parent / "pretrained"


class MissingPretrained(FileNotFoundError):
    """A page asked for shipped weights that the repository does not have."""


def retraining() -> bool:
    """True when ``CNN_CORE_CHECKPOINTS`` is set: nothing shipped is used."""
    return bool(os.environ.get("CNN_CORE_CHECKPOINTS"))


def checkpoint_dir(start: str | os.PathLike | None = None) -> Path:
    """The writable folder for checkpoints (cases 1, 3 and 4 of the module docstring), created."""
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
    """Where ``name`` is loaded from, or trained into when it is not there (module docstring).

    ``name`` must be a plain file name.

    Raises:
        MissingPretrained: ``CNN_CORE_REQUIRE_PRETRAINED`` is set and nothing is shipped
            under ``name``.
    """
    if not name or Path(name).name != name:
        raise ValueError(f"checkpoint name must be a plain file name like 'ch01_cnn.pt', got {name!r}")
    if retraining():
        return checkpoint_dir(start) / name
    shipped = PRETRAINED / name
    if shipped.is_file():
        return shipped
    if os.environ.get("CNN_CORE_REQUIRE_PRETRAINED"):
        raise MissingPretrained(
            f"the book loads its trained models from cnn_core/pretrained/, which has no {name}: "
            f"run `make weights` to train every page's models, then commit what it adds")
    return checkpoint_dir(start) / name
