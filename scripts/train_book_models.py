"""``make weights``: train every model of the book again and ship the results.

The book's pages load trained weights and histories from ``cnn_core/pretrained/`` instead
of training (see ``cnn_core/paths.py``), so every machine shows the same numbers. This
script makes those files from the pages' own code: it executes the pages with
``CNN_CORE_CHECKPOINTS`` pointing at an empty folder, so that every ``fit(...,
checkpoint=checkpoint_path(name))`` trains and saves, then moves what was saved into
``cnn_core/pretrained/`` and records it in ``cnn_core/pretrained/MANIFEST.json`` (file,
size, SHA-256, the page that made it, and the machine and library versions it was made on).

If any page fails, nothing in ``cnn_core/pretrained/`` changes.

Usage: python scripts/train_book_models.py [PAGE.md ...]
       (default every page of _toc.yml; with pages, only the files those pages make are replaced)
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from run_pages import ROOT, run_page, toc_pages

PRETRAINED = ROOT / "cnn_core" / "pretrained"
MANIFEST = PRETRAINED / "MANIFEST.json"
FP_VARIABLES = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "OPENBLAS_CORETYPE", "OMP_NUM_THREADS")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def machine() -> dict:
    import numpy
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "arch": platform.machine(), "torch": torch.__version__, "numpy": numpy.__version__,
            "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "environment": {k: os.environ[k] for k in FP_VARIABLES if k in os.environ},
            "date": datetime.date.today().isoformat()}


def train(pages: list[Path], scratch: Path) -> dict[str, str]:
    """Run ``pages`` with an empty checkpoint folder; {file name: page} of what they saved."""
    os.environ["CNN_CORE_CHECKPOINTS"] = str(scratch)
    os.environ.pop("CNN_CORE_REQUIRE_PRETRAINED", None)
    made: dict[str, str] = {}
    for page in pages:
        before = set(os.listdir(scratch))
        result = run_page(page)
        name = page.relative_to(ROOT).as_posix()
        if not result.ok:
            raise SystemExit(f"train_book_models: {name} failed ({result.error}); cnn_core/pretrained/ is unchanged")
        new = sorted(set(os.listdir(scratch)) - before)
        print(f"train_book_models: {name}: {result.seconds:.0f} s, {len(new)} file(s)", flush=True)
        made.update({f: name for f in new})
    return made


def install(made: dict[str, str], scratch: Path, replace_all: bool) -> dict:
    """Move the new files into cnn_core/pretrained/ and rewrite the manifest."""
    old = json.loads(MANIFEST.read_text()) if MANIFEST.is_file() else {"files": {}}
    pages = set(made.values())
    files = {} if replace_all else {f: e for f, e in old["files"].items() if e["page"] not in pages}
    PRETRAINED.mkdir(exist_ok=True)
    for stale in PRETRAINED.iterdir():
        if stale.name != MANIFEST.name and stale.name not in files:
            stale.unlink()
    where = machine()
    for name, page in sorted(made.items()):
        shutil.copyfile(scratch / name, PRETRAINED / name)
        files[name] = {"page": page, "bytes": (PRETRAINED / name).stat().st_size,
                       "sha256": sha256(PRETRAINED / name), "made_on": where}
    manifest = {"about": "Trained results the book loads instead of training; made by `make weights` "
                         "(scripts/train_book_models.py). Do not edit by hand.",
                "files": dict(sorted(files.items()))}
    MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str]) -> int:
    pages = [Path(p).resolve() for p in argv] or toc_pages()
    with tempfile.TemporaryDirectory(prefix="cnn-course-weights-") as scratch:
        made = train(pages, Path(scratch))
        manifest = install(made, Path(scratch), replace_all=not argv)
    total = sum(e["bytes"] for e in manifest["files"].values())
    print(f"train_book_models: {len(manifest['files'])} files, {total / 1e6:.1f} MB in cnn_core/pretrained/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
