"""Jails as the trusted side holds them: a fork server per set of hidden modules.

A :class:`JailServer` starts one jail (:func:`autograder.sandbox.zygote_command`) whose
server process (:mod:`autograder.zygote`) has imported NumPy and PyTorch once; each
notebook then gets a fresh student process from it (:meth:`JailServer.spawn`), and
:meth:`JailServer.reap` removes that process, everything it started and everything it
wrote, before the next. A worker keeps one server per set of hidden modules its
assignment needs, for notebook after notebook.

A server that does not start, stops answering, or reports that a forbidden module is still
importable raises :class:`GraderFault`: a fault of the grader, never a student's score.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import time

from .hiding import Plan
from .remote import Jail
from .sandbox import Limits, Masks, kill_everything, zygote_command

STARTUP_SECONDS = 120.0       # the server's own imports (NumPy, PyTorch), once per jail
CONTROL_SECONDS = 30.0        # a spawn, a reap or a ping
MARGIN_SECONDS = 60.0         # a judge's time beyond the notebook's limit before its worker kills it


class GraderFault(RuntimeError):
    """Something failed in the grader itself (a sandbox that cannot start, a server that hangs)."""


class JailServer:
    def __init__(self, plan: Plan, limits: Limits, uid: int | None, *, use_bwrap=None, require: bool = False):
        self.plan, self.limits, self.uid = plan, limits, uid
        self.masks = Masks(plan)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.control = ours
        try:
            cmd, env, self.private = zygote_command(plan, self.masks, limits, use_bwrap=use_bwrap, require=require)
        except BaseException:
            self.masks.close()
            raise
        env["AUTOGRADER_CONTROL_FD"] = str(theirs.fileno())
        if self.private is not None and uid is not None and os.geteuid() == 0:
            env["AUTOGRADER_REAP"] = f"uid:{uid}"
        self.proc = subprocess.Popen(cmd, env=env, pass_fds=(theirs.fileno(), *self.masks.fds), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                                     cwd=self.private or "/")
        theirs.close()
        self.masks.close()                    # bubblewrap has read them (or exited)
        self.owner = os.getpid()              # a forked judge uses the socket, never the Popen
        os.set_blocking(self.proc.stderr.fileno(), False)
        self.buffer = b""
        try:
            ready = self._reply(STARTUP_SECONDS, "start")
        except BaseException:                 # hung, or sent garbage: no server is left running
            self.close()
            raise
        if not ready.get("ready"):
            self.close()
            raise GraderFault(f"the sandbox did not start: {ready}")
        if ready.get("reachable"):
            self.close()
            raise GraderFault(f"the sandbox for this part still imports {', '.join(ready['reachable'])}, "
                              f"which it must hide")

    def _reply(self, seconds: float, what: str) -> dict:
        deadline = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._exited():
                break
            readable, _, _ = select.select([self.control], [], [], min(remaining, 0.5))
            if readable:
                chunk = self.control.recv(1 << 16)
                if not chunk:
                    break
                self.buffer += chunk
        if b"\n" not in self.buffer:
            why = self._stderr() or "no answer"
            raise GraderFault(f"the sandbox's server did not {what} ({why})")
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise GraderFault(f"the sandbox's server sent {line[:200]!r}") from None

    def _exited(self) -> bool:
        return os.getpid() == self.owner and self.proc.poll() is not None

    def _stderr(self) -> str:
        """What the server said on stderr (non-blocking: whatever is there)."""
        try:
            data = os.read(self.proc.stderr.fileno(), 1 << 16)
        except (BlockingIOError, OSError, ValueError):
            return ""
        return data.decode("utf-8", "replace")[-800:].strip()

    def _request(self, message: dict, fds=(), what: str = "answer") -> dict:
        try:
            socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
        except OSError as err:
            raise GraderFault(f"the sandbox's server is gone ({err}; {self._stderr()})") from None
        return self._reply(CONTROL_SECONDS, what)

    def spawn(self, limits: Limits | None = None) -> Jail:
        """A fresh student process for one notebook, under ``limits`` (the assignment's, see
        :meth:`Limits.for_template`; the server's own by default)."""
        limits = limits or self.limits
        rpc_ours, rpc_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        spec = {**limits.to_dict(), "uid": self.uid}
        try:
            reply = self._request({"op": "spawn", "limits": spec}, (rpc_theirs.fileno(), out_w, err_w), "spawn")
        except BaseException:
            for fd in (out_r, err_r):
                os.close(fd)
            rpc_ours.close()
            raise
        finally:
            rpc_theirs.close()
            os.close(out_w)
            os.close(err_w)
        if "pid" not in reply:
            raise GraderFault(f"the sandbox's server did not start a process: {reply}")
        return Jail(rpc_ours.detach(), out_r, err_r, hidden=self.plan.names, label=self.plan.key,
                    output_limit=limits.output_bytes)

    def reap(self) -> None:
        """Remove the last student process, what it started and what it wrote."""
        reply = self._request({"op": "reap"}, what="clean up")
        if not reply.get("clean"):
            raise GraderFault(f"the sandbox's server did not clean up: {reply}")

    def alive(self) -> bool:
        if self._exited():
            return False
        try:
            return bool(self._request({"op": "ping"}, what="answer a ping").get("pong"))
        except GraderFault:
            return False

    def close(self) -> None:
        kill_everything(self.proc, self.uid)
        try:
            self.control.close()
        except OSError:
            pass
        self.masks.close()
        if self.private:
            subprocess.run(["rm", "-rf", self.private], check=False)
