"""``python -m autograder`` (or ``autograder``): the instructor's grading pipeline.

::

    autograder release  ch02_convolution                      # student version (nbgrader's)
    autograder collect  ch02_convolution downloads.zip        # LMS zip -> submitted/
    autograder grade    ch02_convolution --jobs 4             # sandboxed, parallel, resumable
    autograder feedback ch02_convolution [--show-hidden]      # feedback/<student>/...html
    autograder export   [--to grades.csv]                     # CSV of the gradebook
    autograder report   ch02_convolution                      # class summary, needs-a-human list

Every command takes ``--course DIR`` (default: the current folder, an nbgrader course with
``source/``) and ``--db URL`` (default ``sqlite:///<course>/gradebook.db``; PostgreSQL:
``postgresql://user@host/db``). A mistake (a misspelt assignment or folder, a zip with no
notebook, nothing to grade) gets one sentence saying what is wrong and what to do, and a
non-zero exit status; so does any step that did nothing useful.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

from .course import DEFAULT_COURSE_ID, Course
from .sandbox import Limits


class Mistake(Exception):
    """Something the instructor can fix: printed as one sentence, exit status 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="autograder", description=__doc__.split("\n\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", type=Path, default=Path("."), help="the course folder (default: .)")
    common.add_argument("--db", default=None, help="SQLAlchemy URL of the gradebook")
    common.add_argument("--course-id", default=DEFAULT_COURSE_ID, help="nbgrader course id in the gradebook")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("release", parents=[common], help="make the student version with nbgrader")
    r.add_argument("assignment")
    c = sub.add_parser("collect", parents=[common], help="unpack an LMS zip into submitted/")
    c.add_argument("assignment")
    c.add_argument("archive", type=Path)
    g = sub.add_parser("grade", parents=[common], help="grade every submission in the sandbox")
    g.add_argument("assignment")
    g.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="notebooks at once (default: cores)")
    g.add_argument("--student", action="append", help="grade only these students (repeatable)")
    g.add_argument("--force", action="store_true", help="regrade what the journal says is done")
    g.add_argument("--cell-timeout", type=float, default=Limits.cell_seconds)
    g.add_argument("--notebook-timeout", type=float, default=Limits.notebook_seconds)
    g.add_argument("--memory-mb", type=int, default=Limits.memory_mb)
    g.add_argument("--processes", type=int, default=Limits.processes)
    g.add_argument("--output-bytes", type=int, default=Limits.output_bytes)
    g.add_argument("--disk-mb", type=int, default=Limits.disk_mb, help="what one notebook may write, in all")
    g.add_argument("--require-sandbox", action="store_true", help="refuse the fallback without bubblewrap")
    g.add_argument("--allow-failing-source", action="store_true",
                   help="grade even if the instructor's solution fails some of its own tests (as nbgrader does)")
    g.add_argument("--no-progress", action="store_true")
    g.add_argument("--scheduler", help="a Dask scheduler address (tcp://host:8786): grade on its workers")
    g.add_argument("--dask-local", type=int, metavar="N", help="grade on a local Dask cluster of N workers")
    f = sub.add_parser("feedback", parents=[common], help="HTML feedback per student")
    f.add_argument("assignment")
    f.add_argument("--show-hidden", action="store_true", help="include hidden tests' source and tracebacks")
    e = sub.add_parser("export", parents=[common], help="the gradebook as CSV")
    e.add_argument("--to", type=Path, help="write here (default: stdout)")
    rp = sub.add_parser("report", parents=[common], help="class summary: distributions, needs a human")
    rp.add_argument("assignment")
    rp.add_argument("--out", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except Mistake as mistake:
        print(f"autograder: {mistake}", file=sys.stderr)
        return 2


def _run(args) -> int:
    course = Course(args.course, args.db)
    if args.command == "release":
        from .release import release
        _course_folder(course, creating=True)
        copied, folder = release(course, args.assignment, args.course_id)
        if copied:
            print(f"copied the source notebook of {args.assignment} from {copied} into {course.source(args.assignment)}")
        print(folder)
        return 0
    _course_folder(course)
    if args.command == "export":
        return _export(course, args)
    _assignment(course, args.assignment)
    if args.command == "collect":
        from .collect import collect
        if not args.archive.is_file():
            raise Mistake(f"there is no file {args.archive}: give the path of the zip downloaded from your LMS")
        rep = collect(course, args.assignment, args.archive)
        for (student, name), entry in sorted(rep.placed.items()):
            print(f"{student}/{name}.ipynb  <-  {entry}")
        for line in rep.renamed:
            print(f"kept apart: {line}", file=sys.stderr)
        for line in rep.ignored:
            print(f"ignored: {line}", file=sys.stderr)
        if not rep.placed:
            raise Mistake(f"{args.archive} holds no notebook of {args.assignment} (see the 'ignored' lines above): "
                          f"is it the download of this assignment?")
        return 0
    if args.command == "grade":
        return _grade(course, args)
    if args.command == "feedback":
        from .feedback import feedback
        pages = feedback(course, args.assignment, show_hidden=args.show_hidden)
        if not pages:
            raise Mistake(f"nothing of {args.assignment} is graded yet: run `autograder grade {args.assignment}` first")
        print(f"{len(pages)} feedback pages in {course.root / 'feedback'}")
        return 0
    if args.command == "report":
        from .report import report
        if not course.students(args.assignment):
            raise Mistake(f"no submissions of {args.assignment} in {course.root / 'submitted'}: nothing to report")
        _gradebook(course)
        print(report(course, args.assignment, args.out, args.course_id))
        return 0
    return 1


def _course_folder(course: Course, creating: bool = False) -> None:
    """The course folder must exist (and, unless it is being set up, hold a ``source/``)."""
    if not course.root.is_dir():
        if creating:
            course.root.mkdir(parents=True)
            return
        raise Mistake(f"there is no course folder {course.root}: pass --course with the folder you released into")
    if not creating and not (course.root / "source").is_dir():
        raise Mistake(f"{course.root} is not a course folder (it has no source/): pass --course with the folder "
                      f"you released into")


def _assignment(course: Course, assignment: str) -> None:
    known = sorted(p.name for p in (course.root / "source").iterdir() if p.is_dir())
    if assignment in known:
        return
    close = difflib.get_close_matches(assignment, known, n=1)
    hint = f"did you mean {close[0]}?" if close else f"the course has {', '.join(known) or 'none'}"
    raise Mistake(f"the course {course.root} has no assignment {assignment!r}: {hint}")


def _gradebook(course: Course) -> None:
    if course.db_url.startswith("sqlite:///") and not Path(course.db_url.removeprefix("sqlite:///")).is_file():
        raise Mistake(f"there is no gradebook at {course.db_url.removeprefix('sqlite:///')}: release and grade "
                      f"first, or pass --db with the gradebook's URL")


def _export(course: Course, args) -> int:
    from .export import export_csv

    _gradebook(course)
    text, rows = export_csv(course.db_url, args.course_id)
    if not rows:
        raise Mistake(f"the gradebook {course.db_url} holds no graded submission yet: run `autograder grade` first")
    if args.to:
        args.to.write_text(text)
        print(f"{rows} rows written to {args.to}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _grade(course: Course, args) -> int:
    from .jails import GraderFault
    from .parallel import SourceFails, grade_assignment

    if args.student:
        missing = [s for s in args.student if s not in course.students(args.assignment)]
        if missing:
            raise Mistake(f"no submission of {args.assignment} from {', '.join(missing)} in "
                          f"{course.root / 'submitted'}")
    elif not course.students(args.assignment):
        raise Mistake(f"no submissions of {args.assignment} in {course.root / 'submitted'}: run "
                      f"`autograder collect {args.assignment} downloads.zip` first")
    limits = Limits(cell_seconds=args.cell_timeout, notebook_seconds=args.notebook_timeout,
                    memory_mb=args.memory_mb, processes=args.processes, output_bytes=args.output_bytes,
                    disk_mb=args.disk_mb)
    client = None
    if args.scheduler or args.dask_local:
        from .distributed import client as dask_client
        client = dask_client(args.scheduler, n_workers=args.dask_local or 2)
    try:
        summary = grade_assignment(course, args.assignment, jobs=args.jobs, limits=limits, students=args.student,
                                   force=args.force, progress=not args.no_progress, executor=client,
                                   require_sandbox=args.require_sandbox, course_id=args.course_id,
                                   allow_failing_source=args.allow_failing_source)
    except (SourceFails, GraderFault) as err:
        print(f"autograder: {err}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()
    print(f"graded {len(summary.graded)}, already done {len(summary.skipped)}, failed {len(summary.failed)}")
    for name, cells in summary.source_failures.items():
        print(f"  note: the instructor's solution of {name}.ipynb fails {len(cells)} test cell(s): "
              f"{'; '.join(cells)}", file=sys.stderr)
    for (student, name), why in summary.failed.items():
        print(f"  could not grade {student}/{name}: {why} (the next run tries again)", file=sys.stderr)
    return 1 if summary.failed else 0
