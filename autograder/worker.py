"""A grading worker: one trusted process per parallel slot, grading notebook after notebook.

Started by :mod:`autograder.parallel` (``python -m autograder.worker``). Told the
assignment once (``setup``), it plans each template (:func:`autograder.judge.plan_notebook`),
starts one jail per set of modules the assignment's parts forbid
(:class:`autograder.jails.JailServer`), and has NumPy, PyTorch and the test helpers
imported. Then for each notebook (``grade``) it forks a judge: a fresh copy of itself, so
no state of one notebook's tests reaches the next, that grades the notebook
(:mod:`autograder.judge`) and streams its results back. The worker waits at most the
notebook's time limit (plus a margin) and kills a judge that runs past it.

Requests arrive as JSON lines on stdin; replies go as JSON lines to ``$AUTOGRADER_REPLY_FD``
(stdout is left to whatever C code prints). A reply is ``{"result": ...}`` (the notebook's
grading, plain data), or ``{"fault": "..."}`` when the grader itself failed (a sandbox that
cannot start, a judge that crashed): never a student's score.
"""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import sys
import time
import traceback

from . import rebuild
from .hiding import plan as hiding_plan
from .jails import MARGIN_SECONDS, GraderFault, JailServer
from .judge import CellResult, grade_cells, plan_notebook, verdict
from .sandbox import Limits



class Worker:
    def __init__(self, setup: dict):
        self.templates: dict[str, dict] = setup["templates"]
        self.sources: dict[str, dict] = setup.get("sources", {})
        self.limits = Limits(**setup["limits"])
        self.uid = setup.get("uid")
        self.use_bwrap, self.require = setup.get("use_bwrap"), setup.get("require_sandbox", False)
        self.plans = {}
        for name, template in self.templates.items():
            cells = rebuild.rebuild(template, None, sources=self.sources.get(name),
                                    use_template_answers=True).cells
            self.plans[name] = plan_notebook(cells, template)
        self.sets = sorted({s for p in self.plans.values() for s in p.module_sets})
        _preload(self.templates.values())
        self.servers: dict[tuple, JailServer] = {}
        for key in self.sets:
            self.servers[key] = self._start(key)

    def _start(self, key) -> JailServer:
        return JailServer(hiding_plan(key), self.limits, self.uid, use_bwrap=self.use_bwrap, require=self.require)

    def healthy(self) -> None:
        for key in self.sets:
            if not self.servers[key].alive():
                self.servers[key].close()
                self.servers[key] = self._start(key)

    def grade(self, name: str, data: bytes | None) -> dict:
        """Fork a judge for one notebook; its result, or a fault."""
        self.healthy()
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:                                  # the judge
            os.close(read_fd)
            code = 0
            try:
                _judge(self, name, data, write_fd)
            except BaseException:  # noqa: BLE001
                code = 70
            finally:
                os._exit(code)
        os.close(write_fd)
        lines, buffer = [], b""
        deadline = time.monotonic() + self.limits.for_template(self.templates[name]).notebook_seconds + MARGIN_SECONDS
        killed = False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                killed = True
                break
            readable, _, _ = select.select([read_fd], [], [], min(remaining, 1.0))
            if not readable:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            *done, buffer = buffer.split(b"\n")
            lines += [json.loads(line) for line in done if line.strip()]
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
        for server in self.servers.values():         # whatever the judge left, the next notebook finds nothing
            try:
                server.reap()
            except GraderFault:
                pass
        final = next((m for m in lines if "result" in m or "fault" in m), None)
        if final is not None:
            return final
        if killed:
            return {"result": _timed_out(self, name, data, [m["cell"] for m in lines if "cell" in m])}
        return {"fault": f"the judge of {name}.ipynb stopped unexpectedly (status {status})"}

    def close(self) -> None:
        for server in self.servers.values():
            server.close()


def _preload(templates) -> None:
    """Import what the templates' locked and test cells import, once, before any judge is forked."""
    import ast
    import importlib

    for template in templates:
        for cell in template["cells"]:
            if rebuild.cell_kind(cell) not in ("locked", "tests"):
                continue
            try:
                tree = ast.parse(rebuild.source_text(cell))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
                for name in names:
                    try:
                        importlib.import_module(name)
                    except Exception:  # noqa: BLE001 - the cell itself will say what is missing
                        pass


def _judge(worker: Worker, name: str, data: bytes | None, fd: int) -> None:
    """In the forked judge: grade, streaming each finished cell, then the whole result."""
    def send(message: dict) -> None:
        text = (json.dumps(message) + "\n").encode()
        while text:
            text = text[os.write(fd, text):]

    try:
        result = grade_notebook(worker, name, data, report=lambda r: send({"cell": r.to_dict()}))
        send({"result": result})
    except GraderFault as fault:
        send({"fault": str(fault)})
    except Exception as error:  # noqa: BLE001 - a bug of the grader: reported, never a score
        send({"fault": f"the grader failed on {name}.ipynb: {type(error).__name__}: {error}\n"
                       + traceback.format_exc(limit=6)})


def grade_notebook(worker: Worker, name: str, data: bytes | None, report=None) -> dict:
    """The grading of one submitted notebook (``data``: its bytes; None: the template's solution)."""
    t0 = time.monotonic()
    template = worker.templates[name]
    sources = worker.sources.get(name)
    notes = []
    if data is None:
        built = rebuild.rebuild(template, None, sources=sources, use_template_answers=True)
    else:
        nb, problem = rebuild.load_submission(data)
        built = rebuild.rebuild(template, nb, sources=sources)
        notes += [problem] if problem else []
    notes += built.notes
    plan = worker.plans[name]
    results = grade_cells(built.cells, template, plan, worker.servers, worker.limits.for_template(template), report)
    return _scores(built, results, plan, template, notes, time.monotonic() - t0)


def _scores(built, results, plan, template, notes, seconds) -> dict:
    scores, reasons, manual = {}, {}, []
    for cell, result in zip(built.cells, results):
        if cell["grade_id"] is None or cell["kind"] not in ("tests", "manual"):
            continue
        score, reason = verdict(cell, result, plan, template)
        scores[cell["grade_id"]] = score
        if reason:
            reasons[cell["grade_id"]] = reason
        if score is None:
            manual.append(cell["grade_id"])
    for result in results:
        if result.status in ("timeout", "died") and result.kind not in ("tests",):
            notes.append(f"cell {result.index} ({result.kind}) {result.status}: {result.evalue[:200]}")
    return {"scores": scores, "points": rebuild.graded_cells(template), "reasons": reasons, "notes": notes,
            "flags": [], "manual": manual, "answers": built.answers, "added": built.added,
            "cells": [r.to_dict() for r in results], "seconds": round(seconds, 3)}


def _timed_out(worker: Worker, name: str, data, finished: list[dict]) -> dict:
    """The result of a judge killed at the notebook's time limit: what finished, and 0 for the rest."""
    template = worker.templates[name]
    nb = rebuild.load_submission(data)[0] if data is not None else None
    built = rebuild.rebuild(template, nb, sources=worker.sources.get(name), use_template_answers=data is None)
    results = [CellResult(**c) for c in finished]
    for cell in built.cells[len(results):]:
        results.append(CellResult(cell["index"], cell["kind"], cell["grade_id"], status="timeout", ename="Timeout",
                                  evalue=f"the notebook ran longer than "
                                         f"{worker.limits.for_template(template).notebook_seconds:g} s"))
    result = _scores(built, results, worker.plans[name], template, list(built.notes), worker.limits.notebook_seconds)
    result["notes"].append("the notebook ran out of time; the cells that had not finished score 0")
    result["flags"].append("timeout")
    return result


def main() -> int:
    reply_fd = int(os.environ["AUTOGRADER_REPLY_FD"])

    def reply(message: dict) -> None:
        text = (json.dumps(message) + "\n").encode()
        while text:
            text = text[os.write(reply_fd, text):]

    worker = None
    try:
        for line in sys.stdin:
            request = json.loads(line)
            op = request.get("op")
            if op == "setup":
                try:
                    worker = Worker(request)
                    reply({"ready": True, "sets": [list(s) for s in worker.sets]})
                except Exception as error:  # noqa: BLE001 - reported to the parent as a fault
                    reply({"fault": f"{type(error).__name__}: {error}"})
                    return 1
            elif op == "grade":
                data = base64.b64decode(request["data"]) if request.get("data") is not None else None
                try:
                    reply(worker.grade(request["notebook"], data))
                except GraderFault as fault:
                    reply({"fault": str(fault)})
            elif op == "stop":
                break
    finally:
        if worker is not None:
            worker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())


