"""Grade a whole assignment: every student's notebooks, in parallel, resumable, never stopped by one.

- The instructor's solution runs once per notebook (cached in ``.autograder/``).
- Each submitted notebook is one task (:func:`autograder.grade_one.grade_notebook`), run by
  ``jobs`` threads here (each thread drives one sandbox process, so the work is spread over
  the cores) or by any ``concurrent.futures``-like executor (Dask: :mod:`autograder.distributed`).
- As each task finishes, this process alone writes its scores to the gradebook, then the
  graded notebook, then one journal line (:mod:`autograder.journal`). A rerun after
  ``kill -9`` skips what the journal lists.
- A task that fails in the grader itself (not in the student's code, which cannot fail a
  task) is reported and left out of the journal, so the next run retries it; the batch goes on.
"""

from __future__ import annotations

import sys
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import gradebook, store
from .course import Course
from .grade_one import grade_notebook, solution_run, template_hash
from .journal import Journal, fingerprint
from .sandbox import Limits


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


def missing_result(template: dict, why: str) -> dict:
    """The result of a notebook that was not handed in: every test cell scores 0."""
    from .rebuild import cell_kind, graded_cells, nbgrader_meta

    scores = {nbgrader_meta(c)["grade_id"]: 0.0 for c in template["cells"] if cell_kind(c) == "tests"}
    return {"scores": scores, "points": graded_cells(template), "reasons": {g: why for g in scores},
            "notes": [why], "flags": [], "answers": {}, "cells": [], "seconds": 0.0}


def plan(course: Course, assignment: str, templates: dict[str, dict], students: list[str] | None = None,
         *, force: bool = False) -> tuple[list[Task], list[Task]]:
    """(to grade, already done) for the assignment."""
    done = {} if force else Journal(course.state / f"journal-{assignment}.jsonl").done()
    todo, finished = [], []
    for student in students if students is not None else course.students(assignment):
        for name, template in templates.items():
            task = Task(student, name, submitted_path(course.submitted(student, assignment), name, len(templates)))
            fp = fingerprint(template_hash(template), _read(task.path))
            (finished if done.get(task.key) == fp else todo).append(task)
    return todo, finished


def submitted_path(folder: Path, name: str, n_templates: int) -> Path:
    """``folder/name.ipynb``, or the only notebook there if it was renamed (one template only)."""
    exact = folder / f"{name}.ipynb"
    if exact.exists() or n_templates != 1:
        return exact
    others = sorted(folder.glob("*.ipynb"))
    return others[0] if len(others) == 1 else exact


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b"<missing>"


def grade_assignment(course: Course, assignment: str, *, jobs: int = 2, limits: Limits = Limits(),
                     students: list[str] | None = None, force: bool = False, progress: bool = True,
                     executor=None, use_bwrap=None, require_sandbox: bool = False,
                     course_id: str = "default_course") -> BatchSummary:
    """Grade every submission of ``assignment`` in ``course``; return what happened.

    executor: None (``jobs`` local threads), or an object with ``submit(fn, *args)`` returning
    futures that ``concurrent.futures.as_completed`` (or Dask's) understands.
    """
    templates = course.templates(assignment)
    solutions = {name: solution_run(t, limits, cache_dir=course.state, use_bwrap=use_bwrap)
                 for name, t in templates.items()}
    with gradebook.open_gradebook(course.db_url, course_id) as gb:
        gradebook.ensure_assignment(gb, assignment, templates)
    todo, finished = plan(course, assignment, templates, students, force=force)
    summary = BatchSummary(skipped=[t.key for t in finished])
    journal = Journal(course.state / f"journal-{assignment}.jsonl")

    def work(task: Task, data: bytes) -> dict:
        if data == b"<missing>":
            return missing_result(templates[task.notebook], f"{task.notebook}.ipynb was not submitted")
        return grade_notebook(templates[task.notebook], solutions[task.notebook], data, limits,
                              use_bwrap=use_bwrap, require_sandbox=require_sandbox)

    bar = _progress(len(todo), progress, assignment)
    own_pool = executor is None
    pool = ThreadPoolExecutor(max_workers=max(jobs, 1)) if own_pool else executor
    try:
        futures = {}
        for task in todo:
            data = _read(task.path)
            if own_pool:
                fut = pool.submit(work, task, data)
            else:                                   # a Dask client: the task travels as plain data
                from .distributed import remote_task
                fut = pool.submit(remote_task, templates[task.notebook], solutions[task.notebook], data, limits,
                                  f"{task.notebook}.ipynb was not submitted", use_bwrap, require_sandbox,
                                  pure=False)
            futures[fut] = (task, data)
        completed = _as_completed(pool, futures)
        with gradebook.open_gradebook(course.db_url, course_id) as gb:
            for fut in completed:
                task, data = futures[fut]
                try:
                    result = fut.result()
                    if task.path.name != f"{task.notebook}.ipynb" and task.path.exists():
                        result["notes"].append(f"graded {task.path.name!r} as {task.notebook}.ipynb (renamed)")
                    gradebook.write_result(gb, assignment, task.student, task.notebook, result)
                    store.save(course.autograded(task.student, assignment), task.notebook,
                               templates[task.notebook], result)
                    journal.record(task.student, task.notebook,
                                   fingerprint(template_hash(templates[task.notebook]), data))
                    summary.graded.append(task.key)
                except Exception as err:  # noqa: BLE001 - one task never stops the batch
                    gb.db.rollback()
                    summary.failed[task.key] = f"{type(err).__name__}: {err}"
                    print(f"autograder: could not grade {task.student}/{task.notebook}: {err}\n"
                          f"{traceback.format_exc(limit=3)}", file=sys.stderr)
                bar.update(1)
    finally:
        bar.close()
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)
    return summary


def _is_dask(pool) -> bool:
    return type(pool).__module__.startswith("distributed")


def _as_completed(pool, futures):
    if _is_dask(pool):
        from distributed import as_completed as dask_completed
        return dask_completed(list(futures))
    return as_completed(futures)


def _progress(total: int, enabled: bool, assignment: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"grading {assignment}", unit="notebook", disable=not enabled, file=sys.stderr)
