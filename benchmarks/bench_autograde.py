"""Grade N submissions of one assignment two ways, side by side, and compare notebooks per minute.

1. plain ``nbgrader autograde`` (one Jupyter kernel per notebook, one notebook at a time,
   student code with the instructor's permissions);
2. ``autograder`` (rebuilt notebooks, one sandbox per notebook, ``--jobs`` at once).

The submissions are honest (nbgrader is not safe to run on hostile ones): the instructor's
solution, the assignment's ``wrong_submission.py`` and the unanswered release, in turn.
Scores must be equal notebook by notebook; the script exits non-zero if they are not.

    .venv/bin/python benchmarks/bench_autograde.py --n 200 --jobs 2

Both runs use the same machine in the same invocation; say how loaded it was when quoting.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks"))
sys.path.insert(0, str(ROOT))

import build_sources  # noqa: E402

from autograder.course import Course  # noqa: E402
from autograder.gradebook import open_gradebook, scores  # noqa: E402
from autograder.parallel import grade_assignment  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402

BIN = str(Path(sys.executable).parent)


def _answers(nb: dict, answers: dict[str, str]) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell["source"] = answers[meta["grade_id"]]
    return nb


def make_course(root: Path, assignment: str) -> tuple[Path, dict]:
    """An nbgrader course with the assignment generated (by nbgrader); returns (root, release)."""
    src = root / "source" / assignment
    src.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / assignment / f"{assignment}.ipynb", src)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.db_url = {('sqlite:///' + str(root / 'gradebook.db'))!r}\n"
        "c.CourseDirectory.course_id = 'default_course'\n"
        "c.Execute.timeout = 120\n")
    nbgrader(root, "generate_assignment", assignment, "--force")
    return root, json.loads((root / "release" / assignment / f"{assignment}.ipynb").read_text())


def nbgrader(root: Path, *args: str) -> None:
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, capture_output=True, text=True,
                          env=env)
    if proc.returncode:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def submissions(assignment: str, release: dict, n: int) -> dict[str, dict]:
    source = json.loads((ROOT / "notebooks" / assignment / f"{assignment}.ipynb").read_text())
    wrong = {c["id"]: c["source"] for c in
             build_sources.parse((ROOT / "notebooks" / assignment / "wrong_submission.py").read_text())}
    kinds = [source, _answers(source, wrong), release]
    return {f"student{i:03d}": kinds[i % 3] for i in range(n)}


def place(root: Path, assignment: str, subs: dict[str, dict]) -> None:
    for student, nb in subs.items():
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))


def read_scores(db_url: str, assignment: str, students) -> dict[str, dict[str, float]]:
    """{student: {grade_id: score}} from a gradebook."""
    with open_gradebook(db_url) as gb:
        return {s: {g: v or 0.0 for g, v in scores(gb, assignment, s, assignment).items()} for s in students}


def _explain(root: Path, assignment: str, student: str) -> None:
    """The errors nbgrader's graded notebook shows, to see why a score differs."""
    path = root / "autograded" / student / assignment / f"{assignment}.ipynb"
    if not path.exists():
        print(f"  (no autograded notebook for {student})")
        return
    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "?")
                print(f"  nbgrader [{gid}] {out['ename']}: {out['evalue'][:300]}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--assignment", default="ch02_convolution")
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--skip-nbgrader", action="store_true", help="time the autograder only")
    p.add_argument("--keep", action="store_true", help="keep the two course folders")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    try:
        plain_root, release = make_course(work / "nbgrader", args.assignment)
        subs = submissions(args.assignment, release, args.n)
        ours_root = work / "autograder"
        (ours_root / "source").mkdir(parents=True)
        shutil.copytree(plain_root / "source" / args.assignment, ours_root / "source" / args.assignment)
        place(ours_root, args.assignment, subs)
        course = Course(ours_root)

        t0 = time.perf_counter()
        summary = grade_assignment(course, args.assignment, jobs=args.jobs, limits=Limits(), progress=True)
        ours = time.perf_counter() - t0
        assert not summary.failed, summary.failed
        ours_scores = read_scores(course.db_url, args.assignment, subs)
        print(f"autograder ({args.jobs} jobs, sandboxed, solution run included): {args.n} notebooks in "
              f"{ours:.1f} s = {60 * args.n / ours:.1f} notebooks/min", flush=True)
        if args.skip_nbgrader:
            return 0

        place(plain_root, args.assignment, subs)
        t0 = time.perf_counter()
        nbgrader(plain_root, "autograde", args.assignment, "--create", "--force")
        plain = time.perf_counter() - t0
        plain_scores = read_scores("sqlite:///" + str(plain_root / "gradebook.db"), args.assignment, subs)
        print(f"nbgrader autograde (sequential, unsandboxed): {args.n} notebooks in {plain:.1f} s = "
              f"{60 * args.n / plain:.1f} notebooks/min", flush=True)
        print(f"ratio (autograder / nbgrader, notebooks per minute): {plain / ours:.2f}x")
        differ = [s for s in subs if ours_scores[s] != plain_scores[s]]
        totals = sorted({sum(v.values()) for v in ours_scores.values()})
        print(f"scores equal, cell by cell, for {args.n - len(differ)} of {args.n} notebooks "
              f"(totals seen: {totals})")
        for s in differ:
            cells = {g: (ours_scores[s][g], plain_scores[s][g]) for g in ours_scores[s]
                     if ours_scores[s][g] != plain_scores[s][g]}
            print(f"DIFFERENT {s} (autograder, nbgrader): {cells}")
            _explain(plain_root, args.assignment, s)
        return 1 if differ else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
