"""The parent's handle on a grading worker process (:mod:`autograder.worker`).

:class:`WorkerProcess` starts one worker with a machine-wide sandbox slot (its uid), tells
it the assignment, and then grades one notebook at a time through it. A worker that does
not start, or stops answering, is a :class:`GraderFault`; :meth:`WorkerProcess.grade`
restarts it once and tries again before giving up on that notebook.

:func:`setup_message` is what every worker is told, plain data, so the same message
travels to the workers of a Dask cluster (:mod:`autograder.distributed`).
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import sys
import time

from .jails import MARGIN_SECONDS, STARTUP_SECONDS, GraderFault
from .sandbox import Limits, Slot, sandbox_uid


def setup_message(templates: dict[str, dict], sources: dict[str, dict], limits: Limits, *, use_bwrap=None,
                  require_sandbox: bool = False) -> dict:
    return {"op": "setup", "templates": templates, "sources": sources, "limits": limits.to_dict(),
            "use_bwrap": use_bwrap, "require_sandbox": require_sandbox}


class WorkerProcess:
    """One worker process and its slot; ``grade`` is called from one thread at a time."""

    def __init__(self, setup: dict):
        self.setup = setup
        self.slot = Slot()
        self.proc = None
        self.replies = None
        try:
            self._start()
        except BaseException:
            self._kill()                      # one that did not answer in time may still run: never with a freed slot
            self.slot.release()
            raise

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        env = {**os.environ, "AUTOGRADER_REPLY_FD": str(write_fd), "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, env=env, pass_fds=(write_fd,),
                                     start_new_session=True)
        os.close(write_fd)
        self.replies = read_fd
        self.buffer = b""
        limits = Limits(**self.setup["limits"])
        uid = sandbox_uid(self.slot.number)
        reply = self._ask({**self.setup, "uid": uid}, STARTUP_SECONDS * 2, "start")
        if not reply.get("ready"):
            self.close()
            raise GraderFault(reply.get("fault") or f"the grading worker did not start: {reply}")
        self.limits = limits

    def _ask(self, message: dict, seconds: float, what: str) -> dict:
        if self.replies is None:              # killed since: never write to a worker that is gone
            raise GraderFault(f"the grading worker is gone (could not {what})")
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise GraderFault(f"the grading worker is gone (could not {what})") from None
        deadline = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GraderFault(f"the grading worker did not {what} in {seconds:g} s")
            readable, _, _ = select.select([self.replies], [], [], min(remaining, 1.0))
            if readable:
                chunk = os.read(self.replies, 1 << 22)
                if not chunk:
                    raise GraderFault(f"the grading worker exited (could not {what}; status {self.proc.poll()})")
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def grade(self, notebook: str, data: bytes | None) -> dict:
        """{"result": ...} or {"fault": ...} for one notebook (None: the template's solution)."""
        message = {"op": "grade", "notebook": notebook,
                   "data": None if data is None else base64.b64encode(data).decode("ascii")}
        template = self.setup["templates"].get(notebook, {})
        seconds = self.limits.for_template(template).notebook_seconds + 2 * MARGIN_SECONDS
        for attempt in (1, 2):
            try:
                return self._ask(message, seconds, f"grade {notebook}.ipynb")
            except GraderFault as fault:
                self._kill()
                if attempt == 2:
                    return {"fault": str(fault)}
                self._start()
        return {"fault": "unreachable"}

    def _kill(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, 9)
        except OSError:
            pass
        self.proc.wait()
        if self.replies is not None:          # once: the number may since be another file's
            os.close(self.replies)
            self.replies = None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.write(b'{"op": "stop"}\n')
                self.proc.stdin.flush()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()
        self.proc = None
        self.slot.release()
