"""The jail's fork server: one long-lived process per jail, one fresh child per notebook.

Started by the grader inside a bubblewrap jail (:func:`autograder.sandbox.zygote_command`)
with a control socket on ``$AUTOGRADER_CONTROL_FD``. It imports what notebooks need
(NumPy, and PyTorch unless the jail hides it) once, then waits for the grader:

- ``spawn`` (with three file descriptors: the request socket, stdout, stderr): fork a child
  that becomes the notebook's student process (:mod:`answers`), with its own limits and,
  when the grader runs as root, its own unprivileged uid; reply with its pid;
- ``reap``: kill every process of the jail but this one (``kill(-1)`` in the jail's PID
  namespace), wait for them, and empty the jail's writable folders (``/autograder-work``, ``/tmp``,
  ``/dev/shm``), so the next notebook finds nothing the last one left;
- ``ping``: reply, to show the server is alive.

So a notebook costs a ``fork`` instead of starting Python and importing PyTorch. Children
never share the server with each other: one child at a time, and a reap between them. The
server is not dumpable (no child can ptrace it or read its memory); as root it keeps only
the capabilities it needs to drop a child's uid, kill and clean up, and a child can
neither signal nor trace it.

Runs as a plain script (``python -I zygote.py``), next to ``answers.py`` and ``wire.py``.
"""

import ctypes
import importlib
import json
import os
import resource
import signal
import socket
import stat
import sys
import time

PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
#: the jail's writable folders, emptied between notebooks (the fallback names its own private one)
WRITABLE = tuple(filter(None, os.environ.get("AUTOGRADER_WRITABLE", "/autograder-work:/tmp:/dev/shm").split(":")))
_libc = ctypes.CDLL(None, use_errno=True)


def _send(sock, payload: dict) -> None:
    sock.sendall(json.dumps(payload).encode() + b"\n")


def _limits(spec: dict) -> None:
    memory = int(spec["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(spec["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    size = int(spec["file_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if spec.get("uid") is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (int(spec["processes"]),) * 2)


def _become_student(fds: list[int], spec: dict, control_fd: int) -> None:
    """In the forked child: the notebook's student process. Never returns."""
    try:
        rpc, out, err = fds
        os.close(control_fd)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.dup2(rpc, 3)
        os.closerange(4, 1 << 16)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        os.setsid()
        uid = spec.get("uid")
        if uid is not None and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(int(uid))
            os.setuid(int(uid))
        _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        _limits(spec)
        os.chdir(WRITABLE[0])
        os.environ["HOME"] = "/tmp"
    except BaseException as error:  # noqa: BLE001
        os.write(2, f"autograder: the student process could not start: {error}\n".encode())
        os._exit(70)
    try:
        answers.serve(3)
    finally:
        os._exit(0)


def _reap_everything(children: set[int]) -> None:
    """Kill and wait for every process the last notebook left.

    In a jail (its own PID namespace, where this server is pid 2 under bubblewrap's init),
    ``kill(-1)`` reaches every process of the jail but init and this one. In the fallback
    without a jail it would reach the whole machine: there, as root, a forked helper with
    the students' uid kills everything of that uid, and otherwise the children's sessions
    are killed.
    """
    mode = os.environ.get("AUTOGRADER_REAP", "namespace")
    for _ in range(50):
        if mode == "namespace" and os.getpid() == 2:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
        elif mode.startswith("uid:") and os.geteuid() == 0:
            helper = os.fork()
            if helper == 0:
                try:
                    os.setgid(int(mode[4:]))
                    os.setuid(int(mode[4:]))
                    os.kill(-1, signal.SIGKILL)
                finally:
                    os._exit(0)
            os.waitpid(helper, 0)
        for pid in children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
        if mode != "namespace" or os.getpid() != 2:
            if not children:
                return
        elif not [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, 2)]:
            return
        time.sleep(0.01)


def _wipe() -> None:
    """Empty the writable folders. Never cross into another mount: with the course under
    /tmp, the jail's /tmp holds the read-only binds of the course and its environment (and
    the masks of hidden modules), which are not the student's to remove. Iterative, so a
    student's deeply nested folders cannot exhaust the recursion."""
    for folder in WRITABLE:
        try:
            device = os.lstat(folder).st_dev
            stack = [(os.path.join(folder, name), False) for name in os.listdir(folder)]
        except OSError:
            continue
        while stack:
            path, emptied = stack.pop()
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if info.st_dev != device:                # a mount point: leave it and what is below
                continue
            if not stat.S_ISDIR(info.st_mode):
                _remove(os.unlink, path)
            elif emptied:
                _remove(os.rmdir, path)              # fails, as it should, above a mount
            else:
                try:
                    names = os.listdir(path)
                except PermissionError:              # a folder a student made unreadable
                    _quietly(os.chmod, path, 0o700)
                    names = _quietly(os.listdir, path) or []
                except OSError:
                    names = []
                stack.append((path, True))
                stack.extend((os.path.join(path, name), False) for name in names)


def _remove(function, path: str) -> None:
    """Remove ``path``; in a folder a student made read-only, open the folder and retry.
    (Permissions only: a mount point or a read-only bind fails otherwise, and stays.)"""
    try:
        function(path)
    except PermissionError:
        _quietly(os.chmod, os.path.dirname(path), 0o700)
        _quietly(function, path)
    except OSError:
        pass


def _quietly(function, *args):
    try:
        return function(*args)
    except OSError:
        return None


class _Blocker:
    """Without bubblewrap (the loud fallback) the hidden modules are refused on import only."""

    def __init__(self, names):
        self.names = names

    def find_spec(self, fullname, path=None, target=None):
        if any(fullname == n or fullname.startswith(n + ".") for n in self.names):
            raise ModuleNotFoundError(f"{fullname} is not available to this part of the assignment")
        return None


def main() -> None:
    global answers
    import answers  # noqa: F401 - next to this file
    control_fd = int(os.environ["AUTOGRADER_CONTROL_FD"])
    control = socket.socket(fileno=control_fd)
    hidden = [h for h in os.environ.get("AUTOGRADER_HIDDEN", "").split(",") if h]
    if os.environ.get("AUTOGRADER_BLOCK_IMPORTS"):
        sys.meta_path.insert(0, _Blocker(hidden))
    for name in filter(None, os.environ.get("AUTOGRADER_PRELOAD", "").split(",")):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    reachable = []
    for name in hidden:                  # a sanity check: the mounts really hide them
        try:
            importlib.import_module(name)
            reachable.append(name)
        except Exception:  # noqa: BLE001 - ImportError, or what the stub of a gutted module raises
            pass
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _send(control, {"ready": True, "reachable": reachable, "python": sys.version.split()[0]})
    children: set[int] = set()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 3)
        except OSError:
            return
        if not message:
            return
        try:
            request = json.loads(message)
        except ValueError:
            return
        op = request.get("op")
        if op == "spawn":
            _wipe()
            pid = os.fork()
            if pid == 0:
                _become_student(fds, request["limits"], control_fd)
            for fd in fds:
                os.close(fd)
            children.add(pid)
            _send(control, {"pid": pid})
        elif op == "reap":
            _reap_everything(children)
            _wipe()
            _send(control, {"clean": True})
        elif op == "ping":
            _send(control, {"pong": True})
        else:
            for fd in fds:
                os.close(fd)
            _send(control, {"error": f"unknown request {op!r}"})


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
