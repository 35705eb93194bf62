"""Where a submission runs: a bubblewrap jail, or (loudly) a weaker plain subprocess.

The jail (``bwrap``) sees only:

- read-only: the system (``/usr``, ``/etc``), the Python installation, the virtual
  environment, and the ``cnn_core`` package (its sources are the course's library, public);
- read-write: an empty private working directory holding the rebuilt notebook's cells only
  through the pipe (no gradebook, no course sources, no other students, no solutions);
- a fresh ``/tmp``, a private ``/proc`` of its own PID namespace, no network
  (``--unshare-net``), no IPC with the host, ``--die-with-parent``.

Resource limits (:class:`Limits`) are set with ``setrlimit`` on the jail's first process and
inherited by everything inside: address space (memory), processes (forks), CPU seconds,
file size. As root, bubblewrap mounts the jail and ``setpriv`` then drops to a numeric user id of the
worker slot, with no capabilities, so the process limit counts only that submission's processes, and so that at the end
``kill(-1, SIGKILL)`` under that uid removes anything that escaped the process group.
Wall time per cell and per notebook, and output bytes, are enforced by the grader
(:mod:`autograder.execute`).

Fallback without bubblewrap: the same limits, a private temporary working directory, a
new session and uid, but the student's code can read every file that uid can read and can
reach the network. :func:`sandbox_command` warns loudly; ``--require-sandbox`` refuses it.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import cnn_core

RUNNER = Path(__file__).with_name("kernel_runner.py")
CNN_CORE = Path(cnn_core.__file__).resolve().parent
BASE_UID = 62000          # sandbox uids: BASE_UID + slot (root only)


@dataclass(frozen=True)
class Limits:
    """Limits of one notebook run. Memory in MiB, times in seconds, output in bytes."""

    cell_seconds: float = 60.0
    notebook_seconds: float = 600.0
    memory_mb: int = 4096
    processes: int = 64
    cpu_seconds: int = 900
    output_bytes: int = 100_000        # kept per cell; the rest is drained and dropped
    file_mb: int = 64
    restarts: int = 3                  # after a kernel death or a timeout, at most this many


class SandboxUnavailable(RuntimeError):
    pass


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _python_dirs() -> list[Path]:
    """The folders a Python of this virtual environment needs: its prefix and its base."""
    dirs = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
    return sorted(dirs)


def sandbox_command(workdir: Path, uid: int | None, *, use_bwrap: bool | None = None,
                    require: bool = False) -> list[str]:
    """The command that starts :mod:`autograder.kernel_runner` in the jail (or the fallback).

    workdir: the private working directory (empty, created by the caller); uid: the
    unprivileged user the student's code runs as (None: the caller's own).
    """
    python = [sys.executable, "-I", "-u", "-X", "faulthandler"]
    drop = [] if uid is None else [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}",
                                   f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                                   "--"]
    bwrap = bwrap_path() if use_bwrap in (None, True) else None
    if bwrap is None:
        if require or use_bwrap:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed: run scripts/install_grading_deps.sh, "
                                     "or grade without --require-sandbox to use the weaker fallback")
        warnings.warn("AUTOGRADER FALLBACK: bubblewrap is missing; student code runs as a plain subprocess "
                      "with resource limits and a private working directory, but it CAN read files and "
                      "reach the network. Install bubblewrap before grading for real.", RuntimeWarning,
                      stacklevel=2)
        return [*drop, *python, str(RUNNER)]
    # as root, no user namespace: the jail's processes run under the real uid ``uid``
    user = ["--unshare-user"] if uid is None else []
    cmd = [bwrap, *user, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
           "--unshare-cgroup-try", "--die-with-parent", "--new-session",
           "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink(f"/{link}") if os.path.islink(f"/{link}") else None
        if target:
            cmd += ["--symlink", target, f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            cmd += ["--ro-bind", f"/{link}", f"/{link}"]
    binds = [(str(d), str(d)) for d in _python_dirs()] + [(str(CNN_CORE), str(CNN_CORE)),
                                                         (str(RUNNER), "/grader/kernel_runner.py")]
    made = {"/"}
    for _, dest in binds + [("", "/work/submission")]:
        for parent in reversed(Path(dest).parents):      # bwrap would make them 0700
            if str(parent) not in made:
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
    for src, dest in binds:
        cmd += ["--ro-bind", src, dest]
    cmd += ["--bind", str(workdir), "/work/submission", "--chdir", "/work/submission"]
    # the editable install of cnn_core finds it by absolute path: only that package is visible
    return [*cmd, "--", *drop, *python, "/grader/kernel_runner.py"]


def environment(control_fd: int, channel_fd: int) -> dict[str, str]:
    """The sandbox's environment: nothing inherited but a PATH; one thread per library."""
    return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0", "CNN_CORE_GRADING_CHANNEL": str(channel_fd),
            "AUTOGRADER_CONTROL_FD": str(control_fd),
            "PYTHONDONTWRITEBYTECODE": "1"}


def sandbox_uid(slot: int) -> int | None:
    """The uid a worker slot's jails run as (None when not root: they run as the caller)."""
    return BASE_UID + slot if os.geteuid() == 0 else None


def preexec(limits: Limits, uid: int | None):
    """The function run in the child before exec: rlimits and a new session.

    The uid is dropped inside the jail (``setpriv``), after bubblewrap, run as root, has
    mounted what the jail sees; the process limit counts that uid's processes only.
    """
    def apply():
        os.setsid()
        mem = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        size = limits.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if uid is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    return apply


def kill_everything(proc, uid: int | None) -> None:
    """Kill the jail, its process group and (as root) every process left under its uid."""
    for target in (lambda: os.killpg(proc.pid, signal.SIGKILL), lambda: proc.kill()):
        try:
            target()
        except (ProcessLookupError, PermissionError, OSError):
            pass
    if uid is not None:
        reap_uid(uid)
    try:
        proc.wait(timeout=10)
    except Exception:  # noqa: BLE001
        pass


def reap_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` (a forked child running as that uid sends kill(-1))."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(3):
                os.kill(-1, signal.SIGKILL)
        except BaseException:  # noqa: BLE001
            pass
        os._exit(0)
    os.waitpid(pid, 0)


class Slot:
    """A machine-wide numbered slot (its uid is ``BASE_UID + n``), held with ``flock``.

    Two jails never share a uid, even across grader processes or Dask workers on the same
    machine, so killing everything of one uid never touches another submission.
    """

    def __init__(self, directory: str = "/tmp/autograder-slots", count: int = 512):
        import fcntl

        os.makedirs(directory, mode=0o700, exist_ok=True)
        for n in range(count):
            f = open(os.path.join(directory, f"{n}.lock"), "w")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                continue
            self.number, self._file = n, f
            return
        raise RuntimeError(f"all {count} sandbox slots are busy")

    def release(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
