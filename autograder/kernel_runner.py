"""The process that runs one notebook's cells inside the sandbox (a tiny kernel, not IPython).

Started by :mod:`autograder.execute` as ``python -I kernel_runner.py`` with four pipes:

- fd 0 (stdin): one JSON line per cell from the grader:
  ``{"index": 7, "kind": "tests", "nonce": "...", "source": "..."}``;
- fd 1 / fd 2: the cell's printed output (read and capped by the grader);
- ``$AUTOGRADER_CONTROL_FD``: one JSON line back per finished cell: ``{"index", "nonce", "status": "ok"|"error",
  "ename", "evalue", "traceback"}``;
- ``$CNN_CORE_GRADING_CHANNEL``: the grading channel of :mod:`cnn_core.grading.channel`.

Why not an IPython kernel: a student's cell could register an input transformer and rewrite
the test cells that follow. Here a cell is compiled from the text the grader sends and
nothing else; there is no ``get_ipython``.

Before every locked and test cell the runner puts back what a student's cell may have
replaced: the modules the tests rely on (``cnn_core.grading``, ``numpy``, ``builtins``, ...)
as they were before any student code ran, the names the locked cells defined
(``check_close``, ``np``, ``part``), and no trace or profile hook. This is a repair, not a
wall: code in the same process can always reach further (see ``autograder/README.md``).
"""

import json
import os
import sys
import traceback

# Captured before any student code runs; used only by this module.
_read, _write, _compile, _exec, _dumps, _loads = os.read, os.write, compile, exec, json.dumps, json.loads
_settrace, _setprofile = sys.settrace, sys.setprofile
CONTROL_FD = int(os.environ.get("AUTOGRADER_CONTROL_FD", "3"))

PRELOAD = ["numpy", "cnn_core.grading", "torch"]      # imported before any student code (if installed)
PROTECTED = ["builtins", "os", "sys", "json", "math", "numpy", "numpy.testing", "numpy.linalg",
             "cnn_core.grading", "cnn_core.grading.channel", "cnn_core.grading.checks",
             "cnn_core.grading.forbid", "cnn_core.grading.report", "inspect", "dis", "ast", "types",
             "torch", "torch.nn", "torch.nn.functional", "torch.nn.modules", "torch.nn.modules.module",
             "torch.nn.modules.conv", "torch.nn.modules.linear", "torch.nn.modules.pooling"]
SYS_NAMES = ["stdout", "stderr", "stdin", "modules", "settrace", "setprofile", "exit", "_getframe"]


def _snapshot_modules():
    import importlib
    saved = {}
    for name in PROTECTED:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        saved[name] = (module, dict(vars(module)))
    return saved


def _restore(saved, sys_saved, locked_names, namespace):
    """Undo what student code did to the modules and names the tests rely on."""
    _settrace(None)
    _setprofile(None)
    try:
        import threading
        threading.settrace(None)
        threading.setprofile(None)
    except Exception:  # noqa: BLE001
        pass
    for name, (module, attrs) in saved.items():
        sys.modules[name] = module
        vars(module).update(attrs)
    for name, value in sys_saved.items():
        setattr(sys, name, value)
    namespace.update(locked_names)


def _message(entry):
    data = (_dumps(entry) + "\n").encode()
    while data:
        data = data[_write(CONTROL_FD, data):]


def _lines(fd):
    """JSON lines read from ``fd`` (stdin), one cell at a time."""
    buffer = b""
    while True:
        while b"\n" not in buffer:
            chunk = _read(fd, 1 << 16)
            if not chunk:
                return
            buffer += chunk
        line, buffer = buffer.split(b"\n", 1)
        yield _loads(line)


def main():
    import importlib
    for name in PRELOAD:                     # loaded (and snapshotted) before any student code
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    saved = _snapshot_modules()
    sys_saved = {name: getattr(sys, name) for name in SYS_NAMES}
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    locked_names = {}
    main_pid = os.getpid()
    _message({"ready": True})               # the grader starts the first cell's clock now
    for cell in _lines(0):
        if cell["kind"] != "answer":
            _restore(saved, sys_saved, locked_names, namespace)
        before = dict(namespace)
        entry = {"index": cell["index"], "nonce": cell["nonce"], "status": "ok"}
        try:
            code = _compile(cell["source"], f"<cell {cell['index']}>", "exec")
            _exec(code, namespace)
        except BaseException as err:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
            tb = traceback.format_exception(type(err), err, err.__traceback__)
            entry.update(status="error", ename=type(err).__name__, evalue=str(err)[:2000],
                         traceback="".join(tb[1:])[-4000:])
        finally:
            _settrace(None)
            _setprofile(None)
        if os.getpid() != main_pid:            # a child the cell forked came back here: not ours
            os._exit(0)
        try:
            sys.__stdout__.flush()
            sys.__stderr__.flush()
        except Exception:  # noqa: BLE001
            pass
        if cell["kind"] == "locked":
            locked_names.update({k: v for k, v in namespace.items() if k not in before or before[k] is not v})
        _message(entry)


if __name__ == "__main__":
    main()
