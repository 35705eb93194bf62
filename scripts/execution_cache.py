"""Keep the book's cached results honest: when cnn_core changes, every page runs again.

The build re-executes a page only when the page's own code changes (jupyter-cache keys on
its cells) and re-reads only pages whose source changed (Sphinx), but the numbers on a page
also come from ``cnn_core``. This keeps a hash of the package (code and data files) beside
the caches; when it differs from the last build's, it clears the execution cache, Sphinx's
environment and the trained checkpoints, so the build recomputes every page with the
package as it is now (a cold build: minutes, not seconds).

Usage: python scripts/execution_cache.py     (make book runs it first)
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHES = (".jupyter_cache", ".doctrees", "checkpoints")


def package_hash(package: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def refresh(build: Path, package: Path) -> list[str]:
    """Clear ``build``'s caches if ``package`` changed since the last call; return what was cleared."""
    stamp = build / ".cnn_core.sha256"
    digest = package_hash(package)
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return []
    cleared = [name for name in CACHES if (build / name).exists()]
    for name in cleared:
        shutil.rmtree(build / name)
    build.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n")
    return cleared


def main() -> int:
    cleared = refresh(ROOT / "_build", ROOT / "cnn_core")
    if cleared:
        print(f"execution_cache: cnn_core changed since the last build: cleared {', '.join(cleared)}; "
              f"every page runs again")
    return 0


if __name__ == "__main__":
    sys.exit(main())
