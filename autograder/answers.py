"""The student's side of grading: runs the student's cells, and answers the judge's questions.

One process per notebook (forked by ``zygote.py`` inside the jail). It holds the notebook's
namespace: the locked cells, the answer cells and any cells the student added, run in
notebook order; test cells never come here, so there is nothing in this process for the
student's code to read, patch or race: no expected value, no check, no score.

The judge (:mod:`autograder.judge`, a trusted process) sends one request at a time on the
RPC socket and waits for its reply; what the student's code prints goes to this process's
stdout and stderr, which the judge reads. Requests:

- ``cell``: run a cell's source (``imports_only``: only its import statements, for the
  imports a test cell made that later cells may use);
- ``lookup``: the values of some names, as plain data (:mod:`wire`);
- ``call`` / ``getattr`` / ``setattr`` / ``getitem`` / ``setitem`` / ``delitem`` / ``len`` / ``list`` /
  ``repr`` / ``bool`` / ``contains``: an operation on a name's object or on an object left here
  earlier (a handle). Arguments come from the judge as a pickle (the trusted side's data,
  with handles by number); results go back as plain data, with the arguments as they are
  after the call, so the judge sees what the call changed;
- every request may carry ``sync``: the names a test cell deleted or rebound, so that the
  student's functions see the same names the test does (``del squares`` in a test cell).

Only the standard library, ``wire`` and what the student's cells import are used here.
"""

from __future__ import annotations

import ast
import base64
import builtins
import io
import os
import pickle
import sys
import traceback

import wire

NAMESPACE = {"__name__": "__main__", "__builtins__": builtins}
MAIN_PID = os.getpid()
HANDLES = wire.Handles()
MISSING = {"$": "missing"}
TEXT_LIMIT = 4000


class _ArgsUnpickler(pickle.Unpickler):
    """The judge's arguments; handles (persistent ids) are objects of this process."""

    def persistent_load(self, pid):
        if isinstance(pid, tuple) and len(pid) == 2 and pid[0] == "handle":
            return HANDLES.get(pid[1])
        raise pickle.UnpicklingError("unknown persistent id")


def _unpickle(text: str):
    """(object, {id(object): memo index}, objects) of a pickle from the judge (``value[:grads]``:
    the gradients of its tensors, by memo index, travel beside it)."""
    text, _, grads = text.partition(":")
    unpickler = _ArgsUnpickler(io.BytesIO(base64.b64decode(text)))
    value = unpickler.load()
    memo = unpickler.memo.copy()
    if grads:
        for index, grad in pickle.loads(base64.b64decode(grads)).items():
            memo[index].grad = grad
    return value, {id(obj): index for index, obj in memo.items()}, list(memo.values())


def _error(err: BaseException) -> dict:
    tb = traceback.format_exception(type(err), err, err.__traceback__)
    try:
        text = str(err)
    except Exception:  # noqa: BLE001 - a student's exception whose __str__ fails
        text = "(its message could not be read)"
    return {"status": "error", "ename": type(err).__name__[:100], "evalue": text[:TEXT_LIMIT],
            "traceback": "".join(tb[1:])[-TEXT_LIMIT:]}


def _target(request):
    if "name" in request and "target" not in request:
        name = request["name"]
        if name not in NAMESPACE:
            raise NameError(f"name {name!r} is not defined")
        return NAMESPACE[name]
    return HANDLES.get(request["target"])


def _sync(updates) -> None:
    for update in updates or ():
        name, how = update[0], update[1]
        if how == "del":
            NAMESPACE.pop(name, None)
        elif how == "handle":
            NAMESPACE[name] = HANDLES.get(update[2])
        elif how == "value":
            NAMESPACE[name] = _unpickle(update[2])[0]


def run_cell(source: str, index: int, imports_only: bool = False) -> dict:
    try:
        if imports_only:
            tree = ast.parse(source)
            for node in tree.body:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    try:
                        exec(compile(ast.Module([node], []), f"<cell {index}>", "exec"), NAMESPACE)
                    except ImportError:
                        pass
            return {"status": "ok"}
        exec(compile(source, f"<cell {index}>", "exec"), NAMESPACE)
        return {"status": "ok"}
    except BaseException as err:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
        return _error(err)
    finally:
        _flush()


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


def _operation(request: dict):
    """(result, [objects whose changes go back], origin) of one operation."""
    op = request["op"]
    origin: dict[int, int] = {}
    sent: list = []
    if op == "call":
        (args, kwargs), origin, _ = _unpickle(request["args"])
        result = _target(request)(*args, **kwargs)
        return result, [list(args), kwargs], origin
    target = _target(request)
    if op == "getattr":
        return getattr(target, request["attr"]), sent, origin
    if op == "setattr":
        value, origin, _ = _unpickle(request["value"])
        setattr(target, request["attr"], value)
        return None, [value], origin
    if op == "getitem":
        key, origin, _ = _unpickle(request["key"])
        return target[key], [key], origin
    if op == "setitem":
        (key, value), origin, _ = _unpickle(request["value"])
        target[key] = value
        return None, [key, value], origin
    if op == "delitem":
        key, origin, _ = _unpickle(request["key"])
        del target[key]
        return None, sent, origin
    if op == "len":
        return len(target), sent, origin
    if op == "list":
        items = []
        for item in target:
            items.append(item)
            if len(items) > wire.MAX_ITEMS:
                raise wire.AnswerTooLarge(f"more than {wire.MAX_ITEMS:,} items")
        return items, sent, origin
    if op == "repr":
        return repr(target)[:TEXT_LIMIT], sent, origin
    if op == "str":
        return str(target)[:TEXT_LIMIT], sent, origin
    if op == "bool":
        return bool(target), sent, origin
    if op == "contains":
        value, origin, _ = _unpickle(request["value"])
        return value in target, [value], origin
    raise ValueError(f"unknown request {op!r}")


def handle(request: dict) -> dict:
    op = request.get("op")
    if op == "cell":
        return run_cell(request["source"], request.get("index", -1), request.get("imports_only", False))
    try:
        _sync(request.get("sync"))
        if op == "lookup":
            values = {}
            for name in request["names"]:
                values[name] = wire.Encoder(HANDLES).encode(NAMESPACE[name]) if name in NAMESPACE else MISSING
            return {"status": "ok", "values": values}
        if op == "bind":
            return {"status": "ok"}
        result, sent, origin = _operation(request)
        encoder = wire.Encoder(HANDLES, origin)
        return {"status": "ok", "result": encoder.encode(result), "sent": encoder.encode(sent)}
    except BaseException as err:  # noqa: BLE001
        return _error(err)
    finally:
        _flush()


def serve(fd: int) -> None:
    """Answer requests on ``fd`` until the judge closes it."""
    global MAIN_PID
    MAIN_PID = os.getpid()
    for name in [k for k in os.environ if k.startswith("AUTOGRADER_")]:
        del os.environ[name]
    sys.path.insert(0, os.getcwd())           # as in a notebook: a module the student wrote next to it imports
    while True:
        try:
            request = wire.read_frame_blocking(fd)
        except (wire.AnswerDecodeError, wire.AnswerTooLarge, OSError):
            return
        if request is None:
            return
        reply = handle(request)
        reply["seq"] = request.get("seq")
        if os.getpid() != MAIN_PID:          # a child the student's code forked came back here: not ours
            os._exit(0)
        try:
            wire.send_frame(fd, reply)
        except (TypeError, ValueError) as err:       # a reply JSON cannot hold (should not happen)
            wire.send_frame(fd, _error(err))
        except OSError:
            return


if __name__ == "__main__":          # for tests: serve on fd 3 without a zygote
    serve(int(os.environ.get("AUTOGRADER_RPC_FD", "3")))
