"""How long a newcomer waits for the site: cold builds on two floating-point paths, and a warm rebuild.

Each cold build is `make book` in a fresh copy of this checkout (scripts/fresh_copy.py) with
an empty `_build/`, so nothing is cached; set-up (`.venv`, the vendored JavaScript) is
shared and excluded, as the README's timing says. The second cold build runs under another
floating-point path (`ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41
OPENBLAS_CORETYPE=Sandybridge OMP_NUM_THREADS=1`), the one tests/book/test_retrain.py
retrains on. The warm rebuild is a second `make book` in the first copy, nothing changed.
The ratios compare each against the first cold build, measured side by side in this run.

    .venv/bin/python benchmarks/bench_book_build.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from fresh_copy import fresh_copy  # noqa: E402

OTHER_PATH = {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
              "OPENBLAS_CORETYPE": "Sandybridge", "OMP_NUM_THREADS": "1"}


def build(root: Path, env: dict) -> float:
    start = time.perf_counter()
    # the copy links this checkout's .venv: make must not reinstall it from the copy (-o)
    result = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "book"], cwd=root, env=env,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"make book failed in {root}:\n{(result.stdout + result.stderr)[-4000:]}")
    return seconds


def main() -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    with tempfile.TemporaryDirectory(prefix="bench-book-") as work:
        first = fresh_copy(Path(work) / "default")
        cold = build(first, env)
        other = build(fresh_copy(Path(work) / "other"), {**env, **OTHER_PATH})
        warm = build(first, env)
    print(f"cold build, default floating-point path: {cold:6.1f} s")
    print(f"cold build, {' '.join(f'{k}={v}' for k, v in OTHER_PATH.items())}: {other:6.1f} s "
          f"({other / cold:.2f}x the default)")
    print(f"warm rebuild, nothing changed:          {warm:6.1f} s ({warm / cold:.2f}x the cold build)")
    print(f"(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
