"""Grade a whole assignment: every student's notebooks, in parallel, resumable, never stopped by one.

- ``jobs`` grading workers (:class:`autograder.workers.WorkerProcess`) each hold a sandbox
  slot and jails started ahead of need; a thread per worker feeds it notebooks.
- First, the instructor's solution is graded through the same pipeline (cached in
  ``.autograder/``): it must earn every automatic point, or grading stops with the list of
  cells it fails (``allow_failing_source`` grades anyway, as nbgrader would, and says so).
- As each notebook finishes, this process alone writes its scores to the gradebook, then
  the graded notebook, then one journal line (:mod:`autograder.journal`). A rerun after
  ``kill -9`` skips what the journal lists.
- A fault of the grader (a sandbox that cannot start, a judge that crashed) is reported,
  never stored as a score and never journaled: the next run retries that notebook.
"""

from __future__ import annotations

import hashlib
import json
import queue
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cnn_core._files import write_text_atomic

from . import gradebook, store
from .course import DEFAULT_COURSE_ID, Course
from .journal import Journal, fingerprint
from .rebuild import cell_kind, graded_cells, grade_id
from .sandbox import Limits
from .workers import WorkerProcess, setup_message

RUNNER_VERSION = "3"   # bump when grading changes what a solution run records


@dataclass
class Task:
    student: str
    notebook: str
    path: Path

    @property
    def key(self) -> tuple[str, str]:
        return (self.student, self.notebook)


@dataclass
class BatchSummary:
    graded: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: dict[tuple[str, str], str] = field(default_factory=dict)
    source_failures: dict[str, list[str]] = field(default_factory=dict)


class SourceFails(RuntimeError):
    """The instructor's own solution does not pass its tests."""


def template_hash(template: dict, sources: dict | None = None) -> str:
    text = RUNNER_VERSION + json.dumps(template, sort_keys=True) + json.dumps(sources or {}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def missing_result(template: dict, why: str) -> dict:
    """The result of a notebook that was not handed in: every test cell scores 0."""
    scores = {grade_id(c): 0.0 for c in template["cells"] if cell_kind(c) in ("tests", "manual") and grade_id(c)}
    return {"scores": scores, "points": graded_cells(template), "reasons": {g: why for g in scores},
            "notes": [why], "flags": [], "manual": [], "answers": {}, "added": [], "cells": [], "seconds": 0.0}


def submitted_path(folder: Path, name: str, n_templates: int) -> Path:
    """``folder/name.ipynb``, or the only notebook there if it was renamed (one template only)."""
    exact = folder / f"{name}.ipynb"
    if exact.exists() or n_templates != 1:
        return exact
    others = sorted(folder.glob("*.ipynb"))
    return others[0] if len(others) == 1 else exact


def _timestamp(folder: Path) -> str | None:
    """The submission's time, from nbgrader's ``timestamp.txt`` (written by ``collect``)."""
    try:
        return (folder / "timestamp.txt").read_text()[:100].strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b"<missing>"


def plan(course: Course, assignment: str, templates: dict[str, dict], sources: dict[str, dict],
         students: list[str] | None = None, *, force: bool = False) -> tuple[list[Task], list[Task]]:
    """(to grade, already done) for the assignment."""
    done = {} if force else Journal(course.state / f"journal-{assignment}.jsonl").done()
    todo, finished = [], []
    for student in students if students is not None else course.students(assignment):
        for name, template in templates.items():
            task = Task(student, name, submitted_path(course.submitted(student, assignment), name, len(templates)))
            fp = fingerprint(template_hash(template, sources.get(name)), _read(task.path))
            (finished if done.get(task.key) == fp else todo).append(task)
    return todo, finished


def check_solution(result: dict) -> list[str]:
    """The automatic cells a solution's grading does not give full points."""
    failing = []
    for gid, points in result["points"].items():
        score = result["scores"].get(gid)
        if score is not None and score < points:
            failing.append(f"{gid} ({result['reasons'].get(gid, 'no reason')[:200]})")
    return failing


def solution_cache(course: Course, template: dict, sources: dict) -> Path:
    return course.state / f"solution-{template_hash(template, sources)}.json"


def grade_assignment(course: Course, assignment: str, *, jobs: int = 2, limits: Limits = Limits(),
                     students: list[str] | None = None, force: bool = False, progress: bool = True,
                     executor=None, use_bwrap=None, require_sandbox: bool = False,
                     course_id: str = DEFAULT_COURSE_ID, allow_failing_source: bool = False) -> BatchSummary:
    """Grade every submission of ``assignment`` in ``course``; return what happened.

    executor: None (``jobs`` local workers), or a Dask client (:mod:`autograder.distributed`).
    Raises SourceFails when the instructor's solution fails its own tests (unless
    ``allow_failing_source``), and GraderFault when no worker can start.
    """
    templates = course.templates(assignment)
    with gradebook.open_gradebook(course.db_url, course_id) as gb:
        gradebook.ensure_assignment(gb, assignment, templates)
        sources = {name: gradebook.released_sources(gb, assignment, name) for name in templates}
    setup = setup_message(templates, sources, limits, use_bwrap=use_bwrap, require_sandbox=require_sandbox)
    todo, finished = plan(course, assignment, templates, sources, students, force=force)
    summary = BatchSummary(skipped=[t.key for t in finished])
    journal = Journal(course.state / f"journal-{assignment}.jsonl")
    if executor is not None:
        from .distributed import run_on_cluster
        grader = run_on_cluster(executor, setup)
    else:
        grader = _LocalWorkers(setup, max(1, min(jobs, len(todo) or 1)))
    try:
        _solutions(course, templates, sources, grader, summary, allow_failing_source)
        bar = _progress(len(todo), progress, assignment)
        with gradebook.open_gradebook(course.db_url, course_id) as gb:
            for task, data, reply in grader.results(todo, _read):
                try:
                    if "fault" in reply:
                        raise RuntimeError(reply["fault"])
                    result = reply["result"]
                    if task.path.name != f"{task.notebook}.ipynb" and task.path.exists():
                        result["notes"].append(f"graded {task.path.name!r} as {task.notebook}.ipynb (renamed)")
                    gradebook.write_result(gb, assignment, task.student, task.notebook, result,
                                           timestamp=_timestamp(task.path.parent))
                    store.save(course.autograded(task.student, assignment), task.notebook,
                               templates[task.notebook], result)
                    journal.record(task.student, task.notebook,
                                   fingerprint(template_hash(templates[task.notebook], sources.get(task.notebook)),
                                               data))
                    summary.graded.append(task.key)
                except Exception as err:  # noqa: BLE001 - one task never stops the batch
                    gb.db.rollback()
                    summary.failed[task.key] = str(err).splitlines()[0][:500] if str(err) else type(err).__name__
                    print(f"autograder: could not grade {task.student}/{task.notebook}: {err}", file=sys.stderr)
                bar.update(1)
        bar.close()
    finally:
        grader.close()
    return summary


def _solutions(course, templates, sources, grader, summary, allow_failing_source) -> None:
    for name, template in templates.items():
        cache = solution_cache(course, template, sources.get(name))
        if cache.exists():
            continue
        reply = grader.grade_solution(name)
        if "fault" in reply:
            from .jails import GraderFault
            raise GraderFault(f"the instructor's solution of {name}.ipynb could not be graded: {reply['fault']}")
        failing = check_solution(reply["result"])
        if failing and not allow_failing_source:
            raise SourceFails(f"the instructor's solution of {name}.ipynb fails these test cells, so no "
                              f"submission was graded: {'; '.join(failing)}. Fix the template, or grade anyway "
                              f"with --allow-failing-source (as nbgrader would)")
        if failing:
            summary.source_failures[name] = failing
            continue
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(cache, json.dumps({"notebook": name, "scores": reply["result"]["scores"]}))


class _LocalWorkers:
    """``jobs`` worker processes, a thread each, fed from one queue."""

    def __init__(self, setup: dict, jobs: int):
        self.setup, self.jobs = setup, jobs
        self.workers: list[WorkerProcess] = []
        errors = []

        def start():
            try:
                worker = WorkerProcess(setup)
                self.workers.append(worker)
            except Exception as err:  # noqa: BLE001
                errors.append(err)

        threads = [threading.Thread(target=start) for _ in range(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if not self.workers:
            raise errors[0]

    def grade_solution(self, name: str) -> dict:
        return self.workers[0].grade(name, None)

    def results(self, tasks, read):
        """(task, data, reply) as each notebook finishes."""
        work: queue.Queue = queue.Queue()
        done: queue.Queue = queue.Queue()
        for task in tasks:
            work.put(task)

        def run(worker):
            while True:
                try:
                    task = work.get_nowait()
                except queue.Empty:
                    return
                data = read(task.path)
                if data == b"<missing>":
                    reply = {"result": missing_result(self.setup["templates"][task.notebook],
                                                      f"{task.notebook}.ipynb was not submitted")}
                else:
                    try:
                        reply = worker.grade(task.notebook, data)
                    except Exception as err:  # noqa: BLE001
                        reply = {"fault": f"{type(err).__name__}: {err}"}
                done.put((task, data, reply))

        threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in self.workers]
        for t in threads:
            t.start()
        for _ in range(len(tasks)):
            yield done.get()
        for t in threads:
            t.join()

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


def _progress(total: int, enabled: bool, assignment: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"grading {assignment}", unit="notebook", disable=not enabled, file=sys.stderr)

