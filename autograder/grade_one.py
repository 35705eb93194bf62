"""Grade one submitted notebook: rebuild, run in the sandbox, compare with the solution.

:func:`grade_notebook` is a pure function of its arguments (it touches no gradebook and no
course folder), so the same task runs in a thread here, in a process pool, or on a Dask
worker of another machine (:mod:`autograder.distributed`). Its result is plain JSON data;
only the parent process writes it to the gradebook.

:func:`solution_run` runs the instructor's source notebook once (trusted: its cells are the
instructor's) and keeps what its test cells wrote to the grading channel.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from . import execute, rebuild, scan, verdict
from .sandbox import Limits

RUNNER_VERSION = "2"   # bump when the runner changes what a solution run records


def template_hash(template: dict) -> str:
    return hashlib.sha256((RUNNER_VERSION + json.dumps(template, sort_keys=True)).encode()).hexdigest()[:16]


def solution_run(template: dict, limits: Limits = Limits(), *, cache_dir: Path | None = None,
                 use_bwrap=None) -> dict:
    """{str(cell index): CellResult dict} of the instructor's solution; cached in ``cache_dir``.

    Raises RuntimeError if a test cell fails with the solution (the template is broken).
    """
    key = template_hash(template)
    path = Path(cache_dir) / f"solution-{key}.json" if cache_dir else None
    if path is not None and path.exists():
        return json.loads(path.read_text())
    built = rebuild.rebuild(template, None, use_template_answers=True)
    results = execute.run_cells(built.cells, limits, use_bwrap=use_bwrap)
    failed = [f"{r.grade_id} ({r.ename}: {r.evalue[:200]})" for r in results
              if r.kind == "tests" and r.status != "ok"]
    if failed:
        raise RuntimeError("the instructor's solution fails these test cells, fix the template first: "
                           + "; ".join(failed))
    data = {str(r.index): r.to_dict() for r in results}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)
    return data


def grade_notebook(template: dict, solution: dict, data: bytes, limits: Limits = Limits(), *,
                   use_bwrap=None, require_sandbox: bool = False) -> dict:
    """Grade the submitted notebook ``data`` (raw bytes) against ``template``.

    solution: :func:`solution_run`'s result. Returns {"scores": {grade_id: score},
    "points": {grade_id: max}, "reasons": {grade_id: why not}, "notes": [...],
    "flags": [...], "cells": [CellResult dicts], "seconds": float}.
    """
    t0 = time.monotonic()
    nb, problem = rebuild.load_submission(data)
    built = rebuild.rebuild(template, nb)
    notes = ([problem] if problem else []) + built.notes
    flags = scan.scan_answers(built.answers, scan.locked_names(built.cells))
    results = execute.run_cells(built.cells, limits, use_bwrap=use_bwrap, require_sandbox=require_sandbox)
    points = rebuild.graded_cells(template)
    scores, reasons = {}, {}
    for cell, result in zip(built.cells, results):
        if cell["kind"] != "tests":
            continue
        v = verdict.cell_verdict(cell["grade_id"], cell["points"], result, solution[str(cell["index"])])
        scores[cell["grade_id"]] = v.score
        if v.reason:
            reasons[cell["grade_id"]] = v.reason
    for result in results:
        if result.status in ("timeout", "died") and result.kind != "tests":
            notes.append(f"cell {result.index} ({result.kind}) {result.status}: {result.evalue[:200]}")
    return {"scores": scores, "points": points, "reasons": reasons, "notes": notes, "flags": flags,
            "answers": built.answers,
            "cells": [r.to_dict() for r in results], "seconds": round(time.monotonic() - t0, 3)}
