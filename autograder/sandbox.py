"""Where a submission runs: a bubblewrap jail, or (loudly) a weaker plain subprocess.

A jail runs one long-lived fork server (:mod:`autograder.zygote`), which forks one student
process per notebook. The jail (``bwrap``) sees only:

- read-only: the system (``/usr``, ``/etc``), the Python installation and the virtual
  environment (at their real and their symlinked paths), the ``cnn_core`` package, and the
  grader's jail-side files (``zygote.py``, ``answers.py``, ``wire.py``) at ``/grader``;
- minus what the part forbids (:mod:`autograder.hiding`): those folders are empty and those
  files are stubs that raise ``ModuleNotFoundError``;
- read-write: ``/autograder-work``, ``/tmp`` and ``/dev/shm``, each a size-limited tmpfs of its own
  (:attr:`Limits.disk_mb` in all), emptied between notebooks; nothing else;
- a private ``/proc`` of its own PID namespace, no network (``--unshare-net``), no IPC with
  the host, ``--die-with-parent``.

As root, the jail's server keeps only the capabilities it needs (change uid, kill, clean
up) and each student process drops to the slot's own unprivileged uid (``62000 + slot``,
slots held machine-wide with ``flock``) with no capabilities and ``no_new_privs``: it can
neither signal nor trace the server, and the process limit counts only its own processes.
Without root, bubblewrap makes a user namespace and everything runs as the caller.

Limits (:class:`Limits`) are set by the server on each student process: address space,
CPU seconds, file size, processes. Wall time per cell and per notebook, and output bytes,
are enforced by the judge (:mod:`autograder.judge`).

Fallback without bubblewrap: the same server as a plain subprocess, with the same limits,
a private temporary working folder, and (as root) the unprivileged uid, but the student's
code can read every file that uid can read, can reach the network, and the forbidden
modules are refused at import only. :func:`zygote_command` warns loudly;
``--require-sandbox`` refuses it.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import sys
import tempfile
import warnings
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import cnn_core

from .hiding import Plan

GRADER = Path(__file__).resolve().parent                 # zygote.py, answers.py, wire.py
CNN_CORE = Path(cnn_core.__file__).resolve().parent
BASE_UID = 62000          # sandbox uids: BASE_UID + slot (root only)
WORKDIR = "/autograder-work"         # the student process's working folder in the jail
CAPABILITIES = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_FOWNER")
MAX_ASKED_SECONDS = 6 * 3600        # the most time an assignment's metadata can ask for
PRELOAD = ("numpy", "cnn_core", "cnn_core.grading", "torch", "torch.nn", "torch.nn.functional")


@dataclass(frozen=True)
class Limits:
    """Limits of one notebook run. Memory and disk in MiB, times in seconds, output in bytes."""

    cell_seconds: float = 60.0
    notebook_seconds: float = 600.0
    memory_mb: int = 4096
    processes: int = 64
    cpu_seconds: int = 900
    output_bytes: int = 100_000        # kept per cell; the rest is drained and dropped
    file_mb: int = 64
    disk_mb: int = 512                 # everything the student's code may write, in all
    restarts: int = 3                  # after a kernel death or a timeout, at most this many

    def to_dict(self) -> dict:
        return asdict(self)

    def for_template(self, template: dict) -> "Limits":
        """These limits, with the times an assignment asks for in its notebook's metadata
        (``"autograder": {"cell_seconds": 900, "notebook_seconds": 1800}``: a capstone that
        trains a network) when they are longer. An assignment can ask for more time, never
        less, and nothing else; the processor time grows with the notebook's time."""
        asked = (template.get("metadata") or {}).get("autograder") or {}
        times = {}
        for key in ("cell_seconds", "notebook_seconds"):
            value = asked.get(key) if isinstance(asked, dict) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > getattr(self, key):
                times[key] = float(min(value, MAX_ASKED_SECONDS))
        if "notebook_seconds" in times:
            times["cpu_seconds"] = max(self.cpu_seconds,
                                       math.ceil(self.cpu_seconds * times["notebook_seconds"] / self.notebook_seconds))
        return replace(self, **times) if times else self


class SandboxUnavailable(RuntimeError):
    pass


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _python_dirs() -> list[str]:
    """The folders a Python of this virtual environment needs, at their given and real paths."""
    dirs = set()
    for path in (sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)):
        dirs.add(os.path.abspath(path))
        dirs.add(os.path.realpath(path))
    return sorted(dirs)


def python_command() -> list[str]:
    """The jail's interpreter: this virtual environment's, named through its own prefix."""
    return [sys.executable, "-I", "-u", "-X", "faulthandler"]


def sandbox_uid(slot: int) -> int | None:
    """The uid a worker slot's student processes run as (None when not root: the caller's)."""
    return BASE_UID + slot if os.geteuid() == 0 else None


class Masks:
    """The stub files of a :class:`Plan`, held in memory files (``memfd``) that bubblewrap
    reads while it mounts the jail: nothing is written to disk, so nothing is left behind
    when a grader is killed."""

    def __init__(self, plan: Plan):
        self.files: dict[str, int] = {}
        for number, (dest, text) in enumerate(sorted(plan.files.items())):
            fd = os.memfd_create(f"autograder-mask-{number}", 0)
            os.write(fd, text.encode())
            os.lseek(fd, 0, os.SEEK_SET)
            self.files[dest] = fd

    @property
    def fds(self) -> tuple[int, ...]:
        return tuple(self.files.values())

    def close(self) -> None:
        for fd in self.files.values():
            try:
                os.close(fd)
            except OSError:
                pass
        self.files = {}


def zygote_command(plan: Plan, masks: Masks, limits: Limits, *, use_bwrap: bool | None = None,
                   require: bool = False) -> tuple[list[str], dict[str, str], str | None]:
    """(command, environment, private folder or None) that start the jail's fork server."""
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "AUTOGRADER_CONTROL_FD": "3",
           "AUTOGRADER_HIDDEN": ",".join(plan.hidden),
           "AUTOGRADER_PRELOAD": ",".join(m for m in PRELOAD if not _is_hidden(m, plan))}
    bwrap = bwrap_path() if use_bwrap in (None, True) else None
    if bwrap is None:
        if require or use_bwrap:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed: run scripts/install_grading_deps.sh, "
                                     "or grade without --require-sandbox to use the weaker fallback")
        warnings.warn("AUTOGRADER FALLBACK: bubblewrap is missing; student code runs as a plain subprocess "
                      "with resource limits and a private working directory, but it CAN read files and "
                      "reach the network, and forbidden modules are only refused on import. Install "
                      "bubblewrap before grading for real.", RuntimeWarning, stacklevel=2)
        _remove_stale_folders()
        private = tempfile.mkdtemp(prefix=f"autograder-work-{os.getpid()}-")
        os.chmod(private, 0o1777)
        env.update(AUTOGRADER_WRITABLE=private, AUTOGRADER_BLOCK_IMPORTS="1",
                   AUTOGRADER_REAP="none", HOME=private)
        return [*python_command(), str(GRADER / "zygote.py")], env, private
    root = os.geteuid() == 0
    cmd = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
           "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
           "--proc", "/proc", "--dev", "/dev"]
    if root:
        cmd += ["--cap-drop", "ALL"] + [arg for cap in CAPABILITIES for arg in ("--cap-add", cap)]
    else:
        cmd.insert(1, "--unshare-user")
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink(f"/{link}") if os.path.islink(f"/{link}") else None
        if target:
            cmd += ["--symlink", target, f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            cmd += ["--ro-bind", f"/{link}", f"/{link}"]
    disk = max(limits.disk_mb, 3) * 1024 * 1024
    for folder, share in ((WORKDIR, 0.5), ("/tmp", 0.25), ("/dev/shm", 0.25)):     # before the binds: a
        cmd += ["--size", str(int(disk * share)), "--perms", "1777", "--tmpfs", folder]  # venv may be in /tmp
    binds = [(os.path.realpath(d), d) for d in _python_dirs()]
    binds += [(str(CNN_CORE), str(CNN_CORE)), (str(GRADER), "/grader")]
    made = {"/"}
    for _, dest in binds:
        for parent in reversed(Path(dest).parents):      # bwrap would make them 0700
            if str(parent) not in made:
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
    for src, dest in binds:
        cmd += ["--ro-bind", src, dest]
    for folder in plan.dirs:                             # the forbidden packages: empty folders...
        cmd += ["--tmpfs", folder]
    for dest, fd in masks.files.items():                 # ...whose __init__ (or file) raises
        cmd += ["--perms", "0644", "--ro-bind-data", str(fd), dest]
    for folder in plan.dirs:                             # ...and read-only: nothing a notebook writes there
        cmd += ["--remount-ro", folder]                  # is left for the next one
    cmd += ["--chdir", WORKDIR, "--", *python_command(), "/grader/zygote.py"]
    return cmd, env, None


def _remove_stale_folders() -> None:
    """The fallback's private folders of graders that were killed (``kill -9``) before they
    could remove them: their names hold the pid of a process that is gone."""
    base = tempfile.gettempdir()
    for name in os.listdir(base):
        if not name.startswith("autograder-work-"):
            continue
        pid = name.split("-")[2]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)


def _is_hidden(module: str, plan: Plan) -> bool:
    return any(module == h or module.startswith(h + ".") for h in plan.hidden)


def kill_everything(proc, uid: int | None) -> None:
    """Kill a jail (its process group: bubblewrap, the server and every student process)."""
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
