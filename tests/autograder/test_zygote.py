"""autograder.zygote: the jail's fork server, driven over its own control socket.

The server is started the way the grader starts it (``python -I zygote.py`` with a control
socket on ``$AUTOGRADER_CONTROL_FD``), either as a plain process or in a minimal bubblewrap of
this file's own (a PID namespace, fresh ``/tmp`` and ``/dev/shm``), so these tests do not
depend on :mod:`autograder.sandbox`. Oracles: the operating system (``/proc`` of the student
process: limits, uid, session, open files; which processes are still alive; what is left on
disk, and the host's files behind a mount) and hand-derived cases.
"""

from __future__ import annotations

import json
import os
import platform
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import autograder
from autograder import sandbox, zygote
from autograder.remote import AnswerDied, Jail
from autograder.sandbox import Slot, sandbox_uid

from ._machinery import ROOT, is_running, needs_bwrap, tags, wait_until, with_marker

ZYGOTE = Path(autograder.__file__).resolve().parent / "zygote.py"
SPEC = {"memory_mb": 3000, "cpu_seconds": 60, "file_mb": 16, "processes": 64}       # a student process's limits


def _python_mounts() -> list[str]:
    """The Python installation, reachable by a student uid even when it lives in a private
    folder (``/root/.pyenv``): its top folder becomes an open empty one with just Python in it."""
    real = Path(os.path.realpath(sys.base_prefix))
    top = Path("/", real.parts[1])
    if os.stat(top).st_mode & 0o001:
        return []
    args = ["--perms", "0755", "--tmpfs", str(top)]
    for parent in reversed(real.parents):
        if len(parent.parts) > 2:
            args += ["--perms", "0755", "--dir", str(parent)]
    return [*args, "--ro-bind", str(real), str(real)]


UNDER_TMP = [p for p in {Path(__file__).resolve().parents[2], Path(sys.prefix).resolve()}
             if Path("/tmp") in p.parents]                  # a clone (and its venv) in /tmp, as CI may make
ABOVE = sorted({p.relative_to("/tmp").parts[0] for p in UNDER_TMP})   # what the wipe must leave in /tmp


def _tmp_binds() -> list[str]:
    """The fresh /tmp would hide a repository or virtual environment that lives under /tmp: bind
    them back read-only, below folders any uid may enter (as the grader's jail does)."""
    args, made = [], set()
    for path in sorted(UNDER_TMP):
        for parent in reversed(path.parents):
            if Path("/tmp") in parent.parents and parent not in made:
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += ["--ro-bind", str(path), str(path)]
    return args


def bwrap_prefix(*mounts: str) -> list[str]:
    """A minimal jail: the host read-only, its own PID namespace, a fresh /tmp and /dev/shm."""
    return [sandbox.bwrap_path(), *([] if ROOT else ["--unshare-user"]), "--unshare-pid", "--die-with-parent",
            "--ro-bind", "/", "/", *_python_mounts(), "--dev", "/dev", "--proc", "/proc",
            "--perms", "1777", "--tmpfs", "/tmp", *_tmp_binds(), "--perms", "1777", "--tmpfs", "/dev/shm",
            *mounts, "--"]


class Student:
    def __init__(self, pid, jail, channels):
        self.pid, self.jail, self.channels = pid, jail, channels

    def run(self, source: str, seconds: float = 30.0) -> dict:
        self.jail.deadline = time.monotonic() + seconds
        reply = self.jail.request({"op": "cell", "source": source, "index": 0})
        reply["stdout"], reply["stderr"], _ = self.jail.take_output()
        return reply


class Server:
    """zygote.py and our end of its control socket."""

    def __init__(self, writable, *, jail: bool = False, **env):
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        environment = {"PATH": "/usr/bin:/bin", "AUTOGRADER_CONTROL_FD": str(theirs.fileno()),
                       "AUTOGRADER_WRITABLE": ":".join(map(str, writable)), **env}
        cmd = [*(bwrap_prefix() if jail else []), sys.executable, "-I", str(ZYGOTE)]
        self.proc = subprocess.Popen(cmd, env=environment, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        theirs.close()
        self.control.settimeout(60)
        self.buffer = b""
        self.ready = self.reply()

    def send(self, message, fds=()) -> None:
        data = message if isinstance(message, bytes) else json.dumps(message).encode()
        socket.send_fds(self.control, [data], list(fds))

    def reply(self) -> dict:
        while b"\n" not in self.buffer:
            chunk = self.control.recv(1 << 16)
            if not chunk:
                raise EOFError(f"the server closed its socket: {self.proc.stderr.read1(4000)!r}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def ask(self, message, fds=()) -> dict:
        self.send(message, fds)
        return self.reply()

    def spawn(self, uid=None, **limits) -> Student:
        rpc, rpc_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        channels = {"rpc": os.fstat(rpc_theirs.fileno()).st_ino, "out": os.fstat(out_w).st_ino,
                    "err": os.fstat(err_w).st_ino}
        reply = self.ask({"op": "spawn", "limits": {**SPEC, **limits, "uid": uid}}, (rpc_theirs.fileno(), out_w, err_w))
        rpc_theirs.close()
        os.close(out_w)
        os.close(err_w)
        return Student(reply["pid"], Jail(rpc.detach(), out_r, err_r), channels)

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait(10)
        self.proc.stderr.close()
        self.control.close()


@pytest.fixture
def server(tmp_path):
    started = []

    def start(writable=None, **kwargs) -> Server:
        started.append(Server(writable or [tmp_path], **kwargs))
        return started[-1]

    yield start
    for one in started:
        one.close()


@pytest.fixture(scope="module")
def uid():
    """A student uid of a machine-wide slot (root only: otherwise the student runs as the caller)."""
    with Slot() as slot:
        yield sandbox_uid(slot.number)


@pytest.fixture
def open_folder():
    """A working folder a student uid can enter (``tmp_path`` is private to root)."""
    folder = tempfile.mkdtemp(prefix="zygote-test-", dir="/tmp")
    os.chmod(folder, 0o1777)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ the protocol

def test_ready_names_the_python_and_every_hidden_module_that_still_imports(server):
    one = server(AUTOGRADER_HIDDEN="json,no_such_module_at_all")
    assert one.ready == {"ready": True, "reachable": ["json"], "python": platform.python_version()}


def test_the_fallbacks_import_blocker_refuses_hidden_modules_to_students(server):
    one = server(AUTOGRADER_HIDDEN="csv", AUTOGRADER_BLOCK_IMPORTS="1")
    assert one.ready["reachable"] == []
    reply = one.spawn().run("import csv")
    assert (reply["status"], reply["ename"]) == ("error", "ModuleNotFoundError")
    assert "csv is not available to this part of the assignment" in reply["evalue"]


def test_ping_an_unknown_request_and_a_malformed_one(server):
    one = server()
    assert one.ask({"op": "ping"}) == {"pong": True}
    read_end, write_end = os.pipe()
    try:
        assert one.ask({"op": "launch"}, (write_end,)) == {"error": "unknown request 'launch'"}
        os.close(write_end)                       # the server closed its copy: the pipe has no writer left
        assert select.select([read_end], [], [], 5)[0] and os.read(read_end, 1) == b""
    finally:
        os.close(read_end)
    assert one.ask({"op": "ping"}) == {"pong": True}              # still serving
    one.send(b"{not json")
    assert one.proc.wait(10) == 0, "a message that is not JSON ends the server"


def test_the_server_ends_when_the_grader_closes_its_socket(server):
    one = server()
    one.control.shutdown(socket.SHUT_RDWR)
    assert one.proc.wait(10) == 0


def test_a_student_process_has_its_limits_its_uid_its_own_session_and_only_its_three_channels(server, uid,
                                                                                                 open_folder):
    one = server([open_folder])
    student = one.spawn(uid, memory_mb=1500, cpu_seconds=77, file_mb=3, processes=20)
    assert student.run("x = 1")["status"] == "ok"                # it serves: its set-up is done
    pid = student.pid
    limits = {line[:26].strip(): line[26:].split()[:2]
              for line in Path(f"/proc/{pid}/limits").read_text().splitlines()}
    assert limits["Max address space"] == [str(1500 * 2**20)] * 2
    assert limits["Max cpu time"] == ["77", "82"]
    assert limits["Max file size"] == [str(3 * 2**20)] * 2
    assert limits["Max core file size"] == ["0", "0"]
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    assert status["NoNewPrivs"].strip() == "1"
    if ROOT:
        assert limits["Max processes"] == ["20", "20"]
        assert status["Uid"].split() == [str(uid)] * 4 and status["Gid"].split() == [str(uid)] * 4
        assert status["Groups"].split() == [] and int(status["CapEff"], 16) == 0
    assert os.getsid(pid) == pid                                   # a session of its own
    assert os.readlink(f"/proc/{pid}/cwd") == str(open_folder)
    fds = {name: os.readlink(f"/proc/{pid}/fd/{name}") for name in os.listdir(f"/proc/{pid}/fd")}
    assert fds == {"0": "/dev/null", "1": f"pipe:[{student.channels['out']}]",
                   "2": f"pipe:[{student.channels['err']}]", "3": f"socket:[{student.channels['rpc']}]"}


def test_a_student_process_that_cannot_be_set_up_says_why_and_the_server_serves_on(server):
    one = server()
    student = one.spawn(memory_mb="a lot")                     # a spawn request the grader got wrong
    student.jail.deadline = time.monotonic() + 30
    with pytest.raises(AnswerDied):
        student.jail.request({"op": "cell", "source": "x = 1", "index": 0})
    _, err, _ = student.jail.take_output()
    assert err.startswith("autograder: the student process could not start: invalid literal for int()")
    assert one.ask({"op": "ping"}) == {"pong": True}
    assert one.spawn().run("print(6 * 7)")["stdout"] == "42\n"


def test_spawn_empties_the_writable_folders_before_the_child_starts(server, tmp_path):
    one = server()
    (tmp_path / "left by a grader that was killed").write_text("x")
    (tmp_path / "d").mkdir()
    reply = one.spawn().run("import os\nprint(os.listdir('.'))")
    assert reply["stdout"] == "[]\n"


# ------------------------------------------------------------------ reap: processes

@needs_bwrap
def test_reap_in_a_jail_kills_every_process_the_notebook_left_and_empties_tmp(tags, server, uid):
    one = server(["/tmp", "/dev/shm"], jail=True)
    assert one.ready["ready"] is True
    same, daemon, orphan = tags(), tags(), tags()
    student = one.spawn(uid)
    reply = student.run(
        "import os, subprocess\n"
        f"subprocess.Popen(['sleep', '{same}'])\n"                                   # in the notebook's session
        f"subprocess.Popen(['sleep', '{daemon}'], start_new_session=True)\n"        # a session of its own
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        f"        os.execvp('sleep', ['sleep', '{orphan}'])\n    os._exit(0)\n"     # double-forked, parentless
        "open('/tmp/left', 'w').write('x')\nopen('/dev/shm/left', 'w').write('x')\nos.makedirs('/tmp/a/b')\n")
    assert reply["status"] == "ok", reply
    left = (same, daemon, orphan)
    assert wait_until(lambda: all(with_marker(t) for t in left))
    assert one.ask({"op": "reap"}) == {"clean": True}
    assert wait_until(lambda: not any(with_marker(t) for t in left)), "a process of the last notebook survived"
    assert one.ask({"op": "ping"}) == {"pong": True}
    nxt = one.spawn(uid).run("import os\nprint(sorted(os.listdir('/tmp')), os.listdir('/dev/shm'))\n"
                             "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), os.getpid())")
    listing, pids = nxt["stdout"].splitlines()
    assert listing == f"{ABOVE} []"
    seen, me = pids.rsplit(" ", 1)
    assert json.loads(seen) == sorted([1, 2, int(me)])             # bubblewrap's init, the server, this one


def test_reap_without_a_jail_kills_the_notebooks_session(tags, server):
    one = server()
    tag = tags()
    student = one.spawn()
    assert student.run(f"import subprocess\nsubprocess.Popen(['sleep', '{tag}'])")["status"] == "ok"
    assert wait_until(lambda: with_marker(tag))
    assert one.ask({"op": "reap"}) == {"clean": True}
    assert not is_running(student.pid)
    assert wait_until(lambda: not with_marker(tag))


@pytest.mark.skipif(not ROOT, reason="only root can run students as another uid")
def test_reap_as_root_without_a_jail_kills_every_process_of_the_students_uid(tags, server, uid, open_folder):
    one = server([open_folder], AUTOGRADER_REAP=f"uid:{uid}")
    tag = tags()
    student = one.spawn(uid)
    reply = student.run("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                        f"        os.execvp('sleep', ['sleep', '{tag}'])\n    os._exit(0)\n")
    assert reply["status"] == "ok", reply
    assert wait_until(lambda: with_marker(tag))
    assert one.ask({"op": "reap"}) == {"clean": True}
    assert wait_until(lambda: not with_marker(tag)), "a daemon of the student's uid survived"
    assert one.ask({"op": "ping"}) == {"pong": True}


# ------------------------------------------------------------------ the wipe: files

def test_the_wipe_empties_every_writable_folder_and_follows_no_link_out(tmp_path, monkeypatch):
    work, shm, outside = tmp_path / "work", tmp_path / "shm", tmp_path / "outside"
    for folder in (work, shm, outside / "keepdir"):
        folder.mkdir(parents=True)
    (outside / "keep.txt").write_text("keep")
    (outside / "keepdir" / "inner.txt").write_text("inner")
    work.chmod(0o1777)
    (work / "file").write_text("x")
    (work / "link-to-file").symlink_to(outside / "keep.txt")
    (work / "link-to-dir").symlink_to(outside / "keepdir")
    os.link(outside / "keep.txt", work / "hard-link")
    os.mkfifo(work / "fifo")
    deep = str(work)
    for _ in range(1500):                                         # deeper than Python's recursion limit
        deep = os.path.join(deep, "d")
        os.mkdir(deep)
    Path(deep, "bottom").write_text("x")
    (work / "ro" / "inner").mkdir(parents=True)
    (work / "ro" / "inner" / "f").write_text("x")
    (work / "ro" / "inner").chmod(0o500)
    (work / "ro").chmod(0o500)
    (work / "closed" / "sub").mkdir(parents=True)
    (work / "closed").chmod(0)
    (shm / "segment").write_bytes(b"\0" * 100)
    monkeypatch.setattr(zygote, "WRITABLE", (str(work), str(shm), str(tmp_path / "missing")))
    zygote._wipe()
    assert os.listdir(work) == [] and os.listdir(shm) == []
    assert stat.S_IMODE(os.stat(work).st_mode) == 0o1777                  # the folder itself stays as it was
    assert (outside / "keep.txt").read_text() == "keep" and os.stat(outside / "keep.txt").st_nlink == 1
    assert (outside / "keepdir" / "inner.txt").read_text() == "inner"


def in_jail(script: str, *mounts: str, uid: int | None = None) -> dict:
    """Run ``script`` (which sets ``result``) with zygote importable, in a minimal jail; as ``uid``."""
    code = (f"import json, os, sys\nsys.path.insert(0, {str(ZYGOTE.parent)!r})\nimport zygote\n"
            f"if {uid!r} is not None:\n    os.setgroups([])\n    os.setgid({uid!r})\n    os.setuid({uid!r})\n"
            f"{script}\nprint(json.dumps(result))\n")
    out = subprocess.run([*bwrap_prefix(*mounts), sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "AUTOGRADER_WRITABLE": "/tmp"}, timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@needs_bwrap
def test_the_wipe_opens_folders_a_student_closed_when_it_runs_without_privileges(uid):
    """As the student's own uid (the jail without root) permissions bind the wipe too: a folder
    the student made read-only or unreadable is opened, so what is in it goes."""
    result = in_jail("os.makedirs('/tmp/ro/inner')\nopen('/tmp/ro/inner/f', 'w').write('x')\n"
                     "open('/tmp/ro/g', 'w').write('x')\nos.makedirs('/tmp/closed/sub')\n"
                     "open('/tmp/closed/sub/f', 'w').write('x')\n"
                     "os.chmod('/tmp/ro/inner', 0o500)\nos.chmod('/tmp/ro', 0o500)\nos.chmod('/tmp/closed', 0)\n"
                     "try:\n    os.unlink('/tmp/ro/g')\n    result = 'privileged'\n"      # the case needs no privileges
                     "except PermissionError:\n    zygote._wipe()\n"
                     "    result = {'left': sorted(os.listdir('/tmp')), 'mode': oct(os.stat('/tmp').st_mode & 0o7777)}",
                     uid=uid)
    assert result == {"left": ABOVE, "mode": "0o1777"}


@needs_bwrap
def test_the_wipe_never_crosses_a_mount_nor_changes_a_parents_permissions(tmp_path):
    """With the course under /tmp, the jail's /tmp holds the course's binds below folders the
    jail made: the wipe removes the student's files around them and leaves the binds, what
    is in them, and the folders above them exactly as they were."""
    keep, frozen = tmp_path / "keep", tmp_path / "frozen"
    (keep / "sub").mkdir(parents=True)
    (keep / "sub" / "data.txt").write_text("course data")
    (frozen / "env").mkdir(parents=True)
    (frozen / "env" / "python").write_text("#!")
    result = in_jail(
        "stamp = lambda: [oct(os.stat(p).st_mode & 0o7777) for p in ('/tmp', '/tmp/course', '/tmp/course/deeper')]\n"
        "before = stamp()\n"
        "open('/tmp/student.txt', 'w').write('x')\nopen('/tmp/course/student.txt', 'w').write('x')\n"
        "os.makedirs('/tmp/course/deeper/mine/a')\nos.makedirs('/tmp/scratch/b')\n"
        "zygote._wipe()\n"
        f"left = sorted(r for d, dirs, files in os.walk('/tmp') for n in dirs + files "
        f"if (r := os.path.relpath(os.path.join(d, n), '/tmp')).split(os.sep)[0] not in {ABOVE!r})\n"
        "result = {'before': before, 'after': stamp(), 'left': left}",
        "--perms", "0755", "--dir", "/tmp/course", "--perms", "0751", "--dir", "/tmp/course/deeper",
        "--bind", str(keep), "/tmp/course/keep", "--ro-bind", str(frozen), "/tmp/course/deeper/venv")
    assert result["before"] == ["0o1777", "0o755", "0o751"]
    assert result["after"] == result["before"]
    assert result["left"] == ["course", "course/deeper", "course/deeper/venv", "course/deeper/venv/env",
                              "course/deeper/venv/env/python", "course/keep", "course/keep/sub",
                              "course/keep/sub/data.txt"]
    assert (keep / "sub" / "data.txt").read_text() == "course data"            # the host's files, untouched
    assert (frozen / "env" / "python").read_text() == "#!"
