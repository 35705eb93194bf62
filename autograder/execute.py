"""Run a rebuilt notebook's cells in the sandbox, one at a time, under the grader's clock.

The grader (this module, in the parent process) sends one cell, then waits for that cell's
"done" line on the control pipe, reading the cell's output and the grading channel in the
meantime. So it knows which cell wrote which channel line: lines written while an answer
cell runs are dropped, and only lines written while a test cell runs count for that cell.

A cell that runs past its wall time, or a kernel that dies (``os._exit``, a segfault, the
memory limit), does not end the notebook: the jail is killed (and everything in it), a new
one is started, the answer and locked cells that had completed are replayed silently
(without the cell that failed), and grading goes on with the next cell. The cells that
completed keep their results. At most ``limits.restarts`` restarts and
``limits.notebook_seconds`` in all.
"""

from __future__ import annotations

import json
import os
import secrets
import selectors
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import sandbox
from .sandbox import Limits

STARTUP_SECONDS = 120.0       # for the runner's own imports (numpy, torch), before the first cell's clock


@dataclass
class CellResult:
    """What happened to one cell. status: ok, error, timeout, died, skipped (not run)."""

    index: int
    kind: str
    grade_id: str | None
    status: str = "skipped"
    ename: str = ""
    evalue: str = ""
    traceback: str = ""
    stdout: str = ""
    stderr: str = ""
    truncated: bool = False
    records: list = field(default_factory=list)
    bad_lines: int = 0          # channel lines that were not JSON objects
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class _Jail:
    """One sandboxed kernel_runner process and its four pipes."""

    def __init__(self, limits: Limits, slot: int, use_bwrap, require_sandbox: bool):
        self.uid = sandbox.sandbox_uid(slot)
        self.tmp = tempfile.TemporaryDirectory(prefix="autograder-")
        workdir = Path(self.tmp.name) / "work"
        workdir.mkdir()
        if self.uid is not None:
            os.chown(workdir, self.uid, self.uid)
        control_r, control_w = os.pipe()
        channel_r, channel_w = os.pipe()
        cmd = sandbox.sandbox_command(workdir, self.uid, use_bwrap=use_bwrap, require=require_sandbox)
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir,
            env=sandbox.environment(control_w, channel_w), pass_fds=(control_w, channel_w),
            preexec_fn=sandbox.preexec(limits, self.uid))
        os.close(control_w)
        os.close(channel_w)
        self.fds = {"stdout": self.proc.stdout.fileno(), "stderr": self.proc.stderr.fileno(),
                    "control": control_r, "channel": channel_r}
        self._owned = [control_r, channel_r]
        self.selector = selectors.DefaultSelector()
        for name, fd in self.fds.items():
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ, name)
        self.buffers = {name: b"" for name in self.fds}
        self.open = set(self.fds)

    def wait_ready(self, seconds: float) -> bool:
        """Wait for the runner's "ready" line (its imports done); False if it never comes."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and "control" in self.open:
            for name, data in self.read(min(0.5, max(deadline - time.monotonic(), 0))):
                if name != "control":
                    continue
                self.buffers[name] += data
                *lines, self.buffers[name] = self.buffers[name].split(b"\n")
                if any(line.strip() == b'{"ready": true}' for line in lines):
                    return True
        return False

    def send(self, message: dict) -> bool:
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def read(self, timeout: float) -> list[tuple[str, bytes]]:
        """Chunks that arrived within ``timeout`` seconds: [(stream name, bytes)]."""
        chunks = []
        for key, _ in self.selector.select(timeout=max(timeout, 0)):
            name = key.data
            try:
                data = os.read(key.fd, 1 << 16)
            except BlockingIOError:
                continue
            if not data:
                self.selector.unregister(key.fd)
                self.open.discard(name)
                continue
            chunks.append((name, data))
        return chunks

    def close(self) -> None:
        sandbox.kill_everything(self.proc, self.uid)
        self.selector.close()
        for fd in self._owned:
            try:
                os.close(fd)
            except OSError:
                pass
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        self.tmp.cleanup()


def run_cells(cells: list[dict], limits: Limits = Limits(), *, use_bwrap=None,
              require_sandbox: bool = False) -> list[CellResult]:
    """Run ``cells`` ([{"index", "kind": answer|locked|tests, "grade_id", "source"}]) in order.

    Returns one :class:`CellResult` per cell, in the same order.
    """
    with sandbox.Slot() as slot:
        return _run_cells(cells, limits, slot.number, use_bwrap, require_sandbox)


def _run_cells(cells, limits, slot, use_bwrap, require_sandbox):
    results = [CellResult(c["index"], c["kind"], c.get("grade_id")) for c in cells]
    start = time.monotonic()
    restarts = 0
    position = 0
    jail = None
    try:
        while position < len(cells):
            if time.monotonic() - start > limits.notebook_seconds:
                for result in results[position:]:
                    result.evalue = f"the notebook ran longer than {limits.notebook_seconds:g} s"
                break
            if jail is None:
                jail = _Jail(limits, slot, use_bwrap, require_sandbox)
                if not jail.wait_ready(max(0.0, min(STARTUP_SECONDS, start + limits.notebook_seconds
                                                    - time.monotonic()))):
                    results[position].status, results[position].ename = "died", "KernelDied"
                    results[position].evalue = "the sandbox did not start: " + _tail(jail)
                    jail.close()
                    jail = None
                    position += 1
                    restarts += 1
                    if restarts > limits.restarts:
                        break
                    continue
                replay = [i for i in range(position) if cells[i]["kind"] != "tests" and results[i].status == "ok"]
                # bring the new kernel to where the old one was (silently: a scratch result)
                if not all(_run_one(jail, cells[i], CellResult(cells[i]["index"], cells[i]["kind"], None), limits,
                                    start) for i in replay):
                    jail.close()
                    jail = None
                    restarts += 1
                    if restarts > limits.restarts:
                        break
                    continue
            alive = _run_one(jail, cells[position], results[position], limits, start)
            position += 1
            if not alive:
                jail.close()
                jail = None
                restarts += 1
                if restarts > limits.restarts:
                    break
    finally:
        if jail is not None:
            jail.close()
    return results


def _tail(jail: _Jail) -> str:
    """What a jail that failed to start said on stderr (the last 500 bytes)."""
    try:
        return os.read(jail.fds["stderr"], 1 << 16).decode("utf-8", "replace")[-500:] or "(nothing on stderr)"
    except OSError:
        return "(nothing on stderr)"


def _run_one(jail: _Jail, cell: dict, result: CellResult, limits: Limits, start: float) -> bool:
    """Run one cell; fill ``result``. False when the jail must be replaced (timeout, death)."""
    nonce = secrets.token_hex(16)
    t0 = time.monotonic()
    deadline = min(t0 + limits.cell_seconds, start + limits.notebook_seconds)
    if not jail.send({"index": cell["index"], "kind": cell["kind"], "nonce": nonce, "source": cell["source"]}):
        result.status, result.ename = "died", "KernelDied"
        return False
    kept = {"stdout": bytearray(), "stderr": bytearray()}
    jail.buffers["channel"] = b""
    done = None
    while done is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.status, result.ename = "timeout", "Timeout"
            result.evalue = f"the cell ran longer than {limits.cell_seconds:g} s (or the notebook's time ran out)"
            break
        if "control" not in jail.open:
            result.status, result.ename = "died", "KernelDied"
            code = jail.proc.poll()
            result.evalue = f"the kernel died while this cell ran (exit status {code})"
            break
        for name, data in jail.read(min(remaining, 0.5)):
            if name in kept:
                room = limits.output_bytes - len(kept[name])
                if len(data) > room:
                    result.truncated = True
                kept[name] += data[:max(room, 0)]
                continue
            jail.buffers[name] += data
            *lines, jail.buffers[name] = jail.buffers[name].split(b"\n")
            for line in lines:
                if name == "channel":
                    _channel_line(line, result)
                else:
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(msg, dict) and msg.get("nonce") == nonce and msg.get("index") == cell["index"]:
                        done = msg
    if done is not None:
        # what the cell printed just before it finished may still be in the pipes
        while chunks := jail.read(0.005):
            for name, data in chunks:
                if name in kept:
                    kept[name] += data[:max(limits.output_bytes - len(kept[name]), 0)]
                elif name == "channel":
                    jail.buffers[name] += data
                    *lines, jail.buffers[name] = jail.buffers[name].split(b"\n")
                    for line in lines:
                        _channel_line(line, result)
        result.status = done.get("status", "error") if done.get("status") in ("ok", "error") else "error"
        result.ename, result.evalue = str(done.get("ename", "")), str(done.get("evalue", ""))
        result.traceback = str(done.get("traceback", ""))
    result.stdout = kept["stdout"].decode("utf-8", "replace")
    result.stderr = kept["stderr"].decode("utf-8", "replace")
    result.seconds = round(time.monotonic() - t0, 3)
    return done is not None


def _channel_line(line: bytes, result: CellResult) -> None:
    if not line.strip():
        return
    try:
        entry = json.loads(line)
    except ValueError:
        result.bad_lines += 1
        return
    if not isinstance(entry, dict):
        result.bad_lines += 1
        return
    result.records.append(entry)
