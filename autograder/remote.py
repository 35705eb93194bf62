"""The judge's view of the student's process: requests, and proxies for what stays there.

A :class:`Jail` is one student process (``answers.py``, forked in a jail by ``zygote.py``)
seen from the trusted judge: a socket for requests and two pipes for what the student's
code prints. Every request has a deadline; while waiting, the judge collects that output.

What a test cell gets for a student's name is plain data (:mod:`autograder.wire`) or a
:class:`Remote`: a stand-in for an object that stays in the jail (a function, a class, an
instance of a class the student wrote). Calling it, reading its attributes or items,
iterating it, asking its ``len`` are requests; their results are plain data again (or more
proxies). Arguments go to the jail as a pickle of the judge's own objects, and come back
after the call, so an argument the student's code changed (an array filled in, a model
trained one step) is changed in the judge too (copy-restore).

An exception raised by the student's code is raised again here: as the same built-in
exception (``ValueError``, ``NameError``, ...) so that tests can catch it, or as
:class:`AnswerError`. A student process that runs past the deadline or dies raises
:class:`AnswerTimeout` / :class:`AnswerDied`, which are ``BaseException``\\ s: a test's
``except Exception`` cannot swallow them, and the judge restarts the process.
"""

from __future__ import annotations

import base64
import builtins
import io
import os
import pickle
import selectors
import time

from cnn_core.grading import RemoteAnswer

from . import wire

OUTPUT_LIMIT = 100_000

#: built-in exceptions re-raised as themselves (anything else becomes AnswerError)
RAISED_AS_IS = {name: getattr(builtins, name) for name in (
    "ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError", "ImportError", "IndexError",
    "KeyError", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "NotImplementedError",
    "OverflowError", "RecursionError", "RuntimeError", "TypeError", "UnboundLocalError", "ValueError",
    "ZeroDivisionError")}


class AnswerError(Exception):
    """An exception of a kind defined by the student's code, raised again on the judge's side."""


class AnswerTimeout(BaseException):
    """The student's process did not answer in time; it is killed and started again."""


class AnswerDied(BaseException):
    """The student's process died (``os._exit``, a crash, the memory limit)."""


class Jail:
    """One student process: its request socket and output pipes (see the module docstring)."""

    def __init__(self, rpc_fd: int, out_fd: int, err_fd: int, hidden: tuple[str, ...] = (), label: str = "",
                 output_limit: int = OUTPUT_LIMIT):
        self.rpc_fd, self.hidden, self.label, self.output_limit = rpc_fd, tuple(hidden), label, output_limit
        self.selector = selectors.DefaultSelector()
        for fd, name in ((rpc_fd, "rpc"), (out_fd, "stdout"), (err_fd, "stderr")):
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ, name)
        self.fds = [rpc_fd, out_fd, err_fd]
        self.open = {"rpc", "stdout", "stderr"}
        self.reader = wire.FrameReader()          # replies carry the number of their request
        self.sink: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}
        self.truncated = False
        self.deadline = float("inf")
        self.alive = True
        self.seq = 0

    # output

    def take_output(self) -> tuple[str, str, bool]:
        """(stdout, stderr, truncated) collected since the last call, after a last short read."""
        self._pump(0.01)
        out, err = (self.sink[k].decode("utf-8", "replace") for k in ("stdout", "stderr"))
        truncated = self.truncated
        self.sink = {"stdout": bytearray(), "stderr": bytearray()}
        self.truncated = False
        return out, err, truncated

    def _keep(self, name: str, data: bytes) -> None:
        room = self.output_limit - len(self.sink[name])
        if len(data) > room:
            self.truncated = True
        self.sink[name] += data[:max(room, 0)]

    def _pump(self, timeout: float) -> list[bytes]:
        frames = []
        for key, _ in self.selector.select(timeout=max(timeout, 0)):
            try:
                data = os.read(key.fd, 1 << 20)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                self.selector.unregister(key.fd)
                self.open.discard(key.data)
                continue
            if key.data == "rpc":
                frames += self.reader.feed(data)
            else:
                self._keep(key.data, data)
        return frames

    # requests

    def request(self, message: dict) -> dict:
        """Send ``message`` and wait for its reply, until :attr:`deadline`."""
        if not self.alive:
            raise AnswerDied("the student's process is gone")
        self.seq += 1
        message = {**message, "seq": self.seq}
        try:
            wire.send_frame_nonblocking(self.rpc_fd, message, self.deadline)
        except TimeoutError:
            self.alive = False
            raise AnswerTimeout("the student's code did not take the request in time") from None
        except OSError:
            self.alive = False
            raise AnswerDied("the student's process stopped reading requests") from None
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self.alive = False
                raise AnswerTimeout("the student's code ran past the time limit")
            if "rpc" not in self.open:
                self.alive = False
                raise AnswerDied("the student's process died")
            try:
                frames = self._pump(min(remaining, 0.5))
            except wire.AnswerTooLarge as err:
                self.alive = False
                raise AnswerDied(f"the student's process sent {err}") from None
            for frame in frames:           # a reply to an earlier request, or garbage, is dropped
                try:
                    reply = wire.parse_frame(frame)
                except wire.AnswerDecodeError:
                    continue
                if reply.get("seq") == self.seq:
                    return reply

    def close(self) -> None:
        self.alive = False
        self.selector.close()
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass


class _Pickler(pickle.Pickler):
    def __init__(self, buffer, session):
        super().__init__(buffer, protocol=5)
        self.session = session

    def persistent_id(self, obj):
        if isinstance(obj, Remote):
            if object.__getattribute__(obj, "_session") is not self.session:
                raise pickle.PicklingError("an object of another part's process cannot be sent here")
            return ("handle", object.__getattribute__(obj, "_number"))
        return None


class Session:
    """The judge's dealings with one jail: proxies, names, copy-restore."""

    def __init__(self, jail: Jail):
        self.jail = jail
        self.remotes: dict[int, Remote] = {}
        self.namespace: dict | None = None
        self.synced: dict[str, object] = {}

    # pickling and decoding

    def pickle(self, obj) -> tuple[str, dict[int, object]]:
        buffer = io.BytesIO()
        pickler = _Pickler(buffer, self)
        try:
            pickler.dump(obj)
        except (pickle.PicklingError, TypeError, AttributeError) as err:
            raise TypeError(f"this value cannot be sent to the student's code: {err}") from None
        originals = {index: value for index, value in pickler.memo.copy().values()}
        blob = base64.b64encode(buffer.getvalue()).decode("ascii")
        grads = _gradients(originals)
        if grads:                  # a pickled tensor leaves its .grad behind: send it beside
            buffer = io.BytesIO()
            pickle.Pickler(buffer, protocol=5).dump(grads)
            blob += ":" + base64.b64encode(buffer.getvalue()).decode("ascii")
        return blob, originals

    def remote(self, number: int, kind: str, type_name: str) -> "Remote":
        found = self.remotes.get(number)
        if found is None:
            found = self.remotes[number] = Remote(self, number, kind, type_name)
        return found

    def decode(self, node, originals=None):
        return wire.Decoder(self.remote, originals).decode(node)

    def ask(self, message: dict, originals=None):
        """A request whose reply holds ``result`` (and ``sent``): the decoded result."""
        message["sync"] = self._sync_updates()
        reply = self.jail.request(message)
        if reply.get("status") != "ok":
            raise_answer_error(reply)
        decoder = wire.Decoder(self.remote, originals)
        result = decoder.decode(reply.get("result"))
        decoder.decode(reply.get("sent"))                  # updates the judge's arguments in place
        return result

    # the test cell's names

    def bind(self, namespace: dict, names) -> None:
        """Put the student's current values of ``names`` into ``namespace`` (missing: removed)."""
        names = sorted(set(names))
        if not names:
            return
        self.namespace = namespace
        reply = self.jail.request({"op": "lookup", "names": names, "sync": self._sync_updates()})
        if reply.get("status") != "ok":
            raise_answer_error(reply)
        values = reply.get("values")
        if not isinstance(values, dict):
            raise wire.AnswerDecodeError("a malformed reply")
        for name in names:
            node = values.get(name)
            if isinstance(node, dict) and node.get("$") == "missing":
                if name in self.synced:
                    namespace.pop(name, None)
                self.synced.pop(name, None)
                continue
            try:
                value = self.decode(node)
            except wire.AnswerDecodeError as err:
                value = Unreadable(name, str(err))
            namespace[name] = value
            self.synced[name] = value

    def release(self, namespace: dict, keep=()) -> None:
        """After a cell: the student's values leave the judge's namespace, except the names the
        cell itself binds (``keep``: its imports and assignments are the judge's own now, and the
        student's process was told of them)."""
        for name, value in self.synced.items():
            if name not in keep and namespace.get(name, _MISSING) is value:
                del namespace[name]
        self.synced.clear()
        self.namespace = None

    def _sync_updates(self) -> list:
        """What the test did to the student's names since the last request (``del squares``)."""
        if self.namespace is None:
            return []
        updates = []
        for name, before in list(self.synced.items()):
            now = self.namespace.get(name, _MISSING)
            if now is before:
                continue
            self.synced[name] = now
            if now is _MISSING:
                updates.append([name, "del"])
                del self.synced[name]
            elif isinstance(now, Remote) and object.__getattribute__(now, "_session") is self:
                updates.append([name, "handle", object.__getattribute__(now, "_number")])
            else:
                try:
                    updates.append([name, "value", self.pickle(now)[0]])
                except TypeError:
                    pass                       # a value the jail cannot hold (a test's own lambda)
        return updates


_MISSING = object()


def _gradients(originals: dict[int, object]) -> dict[int, object]:
    """{pickle memo index: .grad} of the leaf tensors being sent that have one."""
    import sys
    torch = sys.modules.get("torch")
    if torch is None:
        return {}
    return {i: t.grad.detach() for i, t in originals.items()
            if isinstance(t, torch.Tensor) and t.is_leaf and t.grad is not None}


def raise_answer_error(reply: dict):
    """Raise, on the judge's side, the error the student's code raised."""
    ename, evalue = str(reply.get("ename", "Error"))[:100], str(reply.get("evalue", ""))[:4000]
    cls = RAISED_AS_IS.get(ename)
    err = cls(evalue) if cls is not None else AnswerError(f"{ename}: {evalue}" if evalue else ename)
    err.answer_traceback = str(reply.get("traceback", ""))[-4000:]
    raise err


class Unreadable:
    """A student's value that could not be read as data: any use of it fails, saying why."""

    def __init__(self, name, why):
        self.name, self.why = name, why

    def __getattr__(self, attr):
        raise wire.AnswerDecodeError(f"{self.name} could not be graded: {self.why}")

    def __repr__(self):
        return f"<{self.name}: {self.why}>"


class Remote(RemoteAnswer):
    """A stand-in for an object that stays in the student's process (see the module docstring)."""

    __slots__ = ("_session", "_number", "_kind", "_type")

    def __init__(self, session: Session, number: int, kind: str, type_name: str):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_type", type_name)

    def answer_hidden_modules(self) -> tuple[str, ...]:
        return object.__getattribute__(self, "_session").jail.hidden

    def _ask(self, op: str, originals=None, **fields):
        session = object.__getattribute__(self, "_session")
        return session.ask({"op": op, "target": object.__getattribute__(self, "_number"), **fields}, originals)

    def _pickled(self, value):
        return object.__getattribute__(self, "_session").pickle(value)

    def __call__(self, *args, **kwargs):
        blob, originals = self._pickled((list(args), dict(kwargs)))
        return self._ask("call", originals, args=blob)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", attr=name)

    def __setattr__(self, name, value):
        blob, originals = self._pickled(value)
        self._ask("setattr", originals, attr=name, value=blob)

    def __getitem__(self, key):
        blob, originals = self._pickled(key)
        return self._ask("getitem", originals, key=blob)

    def __setitem__(self, key, value):
        blob, originals = self._pickled((key, value))
        self._ask("setitem", originals, value=blob)

    def __delitem__(self, key):
        blob, originals = self._pickled(key)
        self._ask("delitem", originals, key=blob)

    def __len__(self):
        n = self._ask("len")
        if type(n) is not int or n < 0:
            raise TypeError("len() of the student's object is not a non-negative int")
        return n

    def __iter__(self):
        items = self._ask("list")
        if not isinstance(items, list):
            raise TypeError("the student's object did not iterate to a list")
        return iter(items)

    def __contains__(self, value):
        blob, originals = self._pickled(value)
        return bool(self._ask("contains", originals, value=blob) is True)

    def __bool__(self):
        value = self._ask("bool")
        if type(value) is not bool:
            raise TypeError("bool() of the student's object is not a bool")
        return value

    def __repr__(self):
        text = self._ask("repr")
        return text if isinstance(text, str) else f"<{object.__getattribute__(self, '_type')}>"

    def __str__(self):
        text = self._ask("str")
        return text if isinstance(text, str) else repr(self)

    def __reduce__(self):
        raise TypeError("a proxy of the student's process cannot be copied")

    __hash__ = object.__hash__
