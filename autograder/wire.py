"""Answers as plain data: how a value crosses from the student's jail to the trusted judge.

The jail (``answers.py``) *encodes* whatever the student's code produced into a tree of JSON
values; the judge (``judge.py``) *decodes* that tree into fresh objects of a short list of
types. Nothing the student wrote runs on the judge's side: no pickle, no ``__array__``, no
``__eq__``, no class the student defined. What can come back:

- ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``, and ``tuple``, ``list``,
  ``dict``, ``set``, ``frozenset``, ``range`` of those;
- NumPy arrays and scalars of bool, integer, float or complex dtypes (their bytes);
- PyTorch tensors (values, dtype, ``requires_grad``, ``.grad``), ``Parameter``\\ s, ``torch.Size``,
  ``torch.dtype``;
- modules made only of PyTorch's own ``torch.nn`` classes (no subclass, no hook, no attribute
  that is not plain data), rebuilt on the judge's side as real modules of those classes with
  the same parameters, buffers and settings: the tests then run PyTorch's own ``forward``;
- PyTorch's own optimizers, over parameters that came back too;
- anything else (a function, a class or an object the student defined, a generator that
  would not end) stays in the jail and comes back as a *handle*: the judge's
  :class:`autograder.remote.Remote` proxy, whose calls, attributes and items are requests
  to the jail, answered with more plain data.

Every object a call received from the judge and still holds (an array it filled in, a model
it trained) is sent back with the index the judge's pickler gave it, so the judge updates
its own object in place: the test sees the argument changed, as in a notebook.

The decoder checks every node (types, dtypes, shapes against byte counts, depth, total size)
and raises :class:`AnswerDecodeError` for anything else: a test that receives an answer it
cannot read fails, like any test that receives a wrong answer.

This module runs on both sides; in the jail it is imported as a plain file (``wire``).
"""

from __future__ import annotations

import base64
import json
import os
import struct
import sys

MAX_DEPTH = 64                  # nesting of containers
MAX_NODES = 2_000_000           # values in one message
MAX_BYTES = 64 * 1024 * 1024    # one message, and the arrays in it
MAX_ITEMS = 100_000             # items taken from an iterator (a generator is read this far)
NUMERIC = "biufc"               # the NumPy dtype kinds that cross: bool, int, uint, float, complex
#: the libraries whose modules a student's name may stand for (``import torch``): the judge's own copy
MODULES = {"numpy", "torch", "scipy", "sklearn", "skimage", "matplotlib", "cnn_core", "math", "collections",
           "functools", "itertools", "operator"}


class AnswerDecodeError(Exception):
    """An answer the judge cannot read as plain data (the test that asked for it fails)."""


class AnswerTooLarge(Exception):
    """An answer bigger than the limits (raised in the jail, reported as the answer's error)."""


# ---------------------------------------------------------------- framing (both sides)

_HEADER = struct.Struct(">Q")


def send_frame(fd: int, payload: dict) -> None:
    """Write one JSON message, length first."""
    data = json.dumps(payload, separators=(",", ":")).encode()
    data = _HEADER.pack(len(data)) + data
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def send_frame_nonblocking(fd: int, payload: dict, deadline: float) -> None:
    """Write one message to a non-blocking fd, waiting for room until ``deadline`` (monotonic
    seconds): TimeoutError when the reader stops reading."""
    import select
    import time

    data = json.dumps(payload, separators=(",", ":")).encode()
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the reader did not take the message in time") from None
            select.select([], [fd], [], min(remaining, 0.5))


def parse_frame(data: bytes) -> dict:
    """The message in ``data`` (a frame's payload), or AnswerDecodeError."""
    try:
        message = json.loads(data)
    except RecursionError:
        raise AnswerDecodeError("the answer is nested too deeply to read") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise AnswerDecodeError(f"the answer's process sent something that is not a message ({err})") from None
    if not isinstance(message, dict):
        raise AnswerDecodeError("the answer's process sent something that is not a message")
    return message


class FrameReader:
    """Collects bytes from a non-blocking fd and yields whole frames (at most ``limit`` bytes)."""

    def __init__(self, limit: int = MAX_BYTES + 1024):
        self.buffer = bytearray()
        self.limit = limit

    def feed(self, chunk: bytes) -> list[bytes]:
        self.buffer += chunk
        frames = []
        while len(self.buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.buffer)
            if size > self.limit:
                raise AnswerTooLarge(f"a message of {size:,} bytes (the limit is {self.limit:,})")
            if len(self.buffer) < _HEADER.size + size:
                break
            frames.append(bytes(self.buffer[_HEADER.size:_HEADER.size + size]))
            del self.buffer[:_HEADER.size + size]
        return frames


def read_frame_blocking(fd: int, limit: int = MAX_BYTES + 1024) -> dict | None:
    """One message from a blocking fd, None at end of file (the jail's side)."""
    def exactly(n: int) -> bytes | None:
        parts, got = [], 0
        while got < n:
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                return None
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    header = exactly(_HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > limit:
        raise AnswerTooLarge(f"a message of {size:,} bytes")
    data = exactly(size)
    return None if data is None else parse_frame(data)


# ---------------------------------------------------------------- encoding (the jail)

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Handles:
    """The jail's table of objects that stay in the jail, by number."""

    def __init__(self):
        self.objects: dict[int, object] = {}
        self.numbers: dict[int, int] = {}

    def add(self, obj) -> int:
        number = self.numbers.get(id(obj))
        if number is None or self.objects.get(number) is not obj:
            number = len(self.objects) + 1
            self.objects[number] = obj
            self.numbers[id(obj)] = number
        return number

    def get(self, number):
        try:
            return self.objects[number]
        except (KeyError, TypeError):
            raise LookupError(f"no object {number!r} in this notebook's process") from None


class Encoder:
    """Turn an object of the jail into a tree of JSON values (see the module docstring).

    origin: {id(object): index} of the objects the current call received from the judge
    (the memo of the judge's pickle), so that they go back as updates of the judge's objects.
    """

    def __init__(self, handles: Handles, origin: dict[int, int] | None = None):
        self.handles = handles
        self.origin = origin or {}
        self.memo: dict[int, int] = {}
        self.keep: list = []               # objects whose ids are in memo stay alive until the end
        self.nodes = 0
        self.bytes = 0

    def encode(self, obj, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise AnswerTooLarge(f"more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise AnswerTooLarge(f"nested more than {MAX_DEPTH} levels deep")
        kind = type(obj)
        if obj is None or kind in (bool, str):
            return obj
        if kind is int:
            return obj if abs(obj) < 2 ** 63 else {"$": "int", "v": str(obj)}
        if kind is float:
            return obj if obj == obj and obj not in (float("inf"), float("-inf")) else {"$": "float", "v": repr(obj)}
        if id(obj) in self.memo:
            return {"$": "ref", "id": self.memo[id(obj)]}
        np = sys.modules.get("numpy")
        torch = sys.modules.get("torch")
        if np is not None and isinstance(obj, np.generic) and obj.dtype.kind in NUMERIC:
            return {"$": "npscalar", "dtype": obj.dtype.str, "b": _b64(obj.tobytes())}
        if np is not None and isinstance(obj, np.ndarray) and obj.dtype.kind in NUMERIC:
            return self._array(obj)
        if torch is not None:
            found = self._torch(obj, torch, depth)
            if found is not None:
                return found
        if isinstance(obj, (list, tuple, set, frozenset, dict)) and kind in (list, tuple, set, frozenset, dict):
            return self._container(obj, kind, depth)
        if kind is complex:
            return {"$": "complex", "re": self.encode(obj.real), "im": self.encode(obj.imag)}
        if kind in (bytes, bytearray):
            self._count(len(obj))
            return {"$": kind.__name__, "b": _b64(bytes(obj))}
        if kind is range:
            return {"$": "range", "v": [obj.start, obj.stop, obj.step]}
        if isinstance(obj, (int, float, str)) and not callable(obj):   # an int, float or str subclass
            base = next(t for t in (bool, int, float, str) if isinstance(obj, t))
            return self.encode(base(obj) if base is not str else str.__str__(obj), depth)
        if isinstance(obj, type(sys)):
            return {"$": "pymodule", "name": str(type(sys).__getattribute__(obj, "__name__"))[:200]}
        if _is_iterator(obj):
            items = []
            for item in obj:
                items.append(item)
                if len(items) > MAX_ITEMS:
                    raise AnswerTooLarge(f"an iterator with more than {MAX_ITEMS:,} items")
            return self._container(items, list, depth)
        return self._handle(obj)

    def _remember(self, obj, node: dict) -> dict:
        number = len(self.memo) + 1
        self.memo[id(obj)] = number
        self.keep.append(obj)
        node["id"] = number
        if id(obj) in self.origin:
            node["origin"] = self.origin[id(obj)]
        return node

    def _count(self, nbytes: int) -> None:
        self.bytes += nbytes
        if self.bytes > MAX_BYTES:
            raise AnswerTooLarge(f"more than {MAX_BYTES // (1024 * 1024)} MiB of data")

    def _array(self, arr) -> dict:
        import numpy as np
        base = np.ascontiguousarray(np.ndarray.view(arr, np.ndarray))
        self._count(base.nbytes)
        return self._remember(arr, {"$": "ndarray", "dtype": base.dtype.str, "shape": list(base.shape),
                                    "b": _b64(base.tobytes())})

    def _container(self, obj, kind, depth) -> dict:
        node = self._remember(obj, {"$": kind.__name__})
        if kind is dict:
            node["items"] = [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in obj.items()]
        else:
            node["items"] = [self.encode(v, depth + 1) for v in obj]
        return node

    def _handle(self, obj) -> dict:
        kind = "class" if isinstance(obj, type) else "callable" if callable(obj) else "object"
        name = type.__getattribute__(type(obj), "__name__") if not isinstance(obj, type) else "class"
        return {"$": "handle", "id": self.handles.add(obj), "kind": kind, "type": str(name)[:80]}

    # -- PyTorch

    def _torch(self, obj, torch, depth):
        if isinstance(obj, torch.Tensor):
            return self._tensor(obj, torch, depth)
        if type(obj) is torch.Size:
            return {"$": "size", "items": [int(v) for v in obj]}
        if isinstance(obj, torch.dtype):
            return {"$": "torch.dtype", "name": str(obj).removeprefix("torch.")}
        if isinstance(obj, torch.device):
            return {"$": "torch.device", "name": str(obj)}
        if isinstance(obj, torch.nn.Module):
            return self._module(obj, torch, depth) if _plain_module(obj, torch) else self._handle(obj)
        if isinstance(obj, torch.optim.Optimizer) and _torch_class(type(obj), "torch.optim."):
            return self._optimizer(obj, torch, depth)
        return None

    def _tensor(self, t, torch, depth) -> dict:
        if t.layout != torch.strided or t.is_quantized or t.device.type == "meta":
            return self._handle(t)
        data = t.detach().to("cpu")
        dtype = str(data.dtype).removeprefix("torch.")
        if data.dtype == torch.bfloat16:              # NumPy has no bfloat16: sent as float32
            data = data.float()
        if data.is_conj():
            data = data.resolve_conj()
        arr = data.contiguous().numpy()
        self._count(arr.nbytes)
        node = self._remember(t, {"$": "tensor", "dtype": dtype, "np": arr.dtype.str, "shape": list(arr.shape),
                                  "b": _b64(arr.tobytes()), "requires_grad": bool(t.requires_grad),
                                  "parameter": isinstance(t, torch.nn.Parameter)})
        if t.is_leaf and t.grad is not None:
            node["grad"] = self.encode(t.grad, depth + 1)
        return node

    def _module(self, m, torch, depth) -> dict:
        node = self._remember(m, {"$": "module", "class": _class_path(type(m)), "training": bool(m.training)})
        state = vars(m)
        node["attrs"] = [[k, self.encode(v, depth + 1)] for k, v in state.items() if k not in _MODULE_INTERNALS]
        node["params"] = [[k, self.encode(v, depth + 1)] for k, v in m._parameters.items()]
        node["buffers"] = [[k, self.encode(v, depth + 1)] for k, v in m._buffers.items()]
        node["transient"] = sorted(m._non_persistent_buffers_set)
        node["children"] = [[k, self.encode(v, depth + 1)] for k, v in m._modules.items()]
        return node

    def _optimizer(self, opt, torch, depth) -> dict:
        node = self._remember(opt, {"$": "optimizer", "class": _class_path(type(opt))})
        node["defaults"] = self.encode(dict(opt.defaults), depth + 1)
        node["groups"] = [[[k, self.encode(v, depth + 1)] for k, v in group.items()] for group in opt.param_groups]
        node["state"] = [[self.encode(p, depth + 1), self.encode(dict(s), depth + 1)] for p, s in opt.state.items()]
        return node


_MODULE_INTERNALS = {"training", "_parameters", "_buffers", "_non_persistent_buffers_set", "_modules",
                     "_backward_pre_hooks", "_backward_hooks", "_is_full_backward_hook", "_forward_hooks",
                     "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_forward_pre_hooks",
                     "_forward_pre_hooks_with_kwargs", "_state_dict_hooks", "_state_dict_pre_hooks",
                     "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks"}
_HOOKS = {k for k in _MODULE_INTERNALS if "hook" in k}
_PLAIN_ATTR_TYPES = (type(None), bool, int, float, str, tuple, list)


def _class_path(cls) -> str:
    return f"{type.__getattribute__(cls, '__module__')}.{type.__getattribute__(cls, '__qualname__')}"


def _torch_class(cls, prefix: str) -> bool:
    """``cls`` is one of PyTorch's own classes under ``prefix`` (not a subclass defined elsewhere)."""
    module = type.__getattribute__(cls, "__module__")
    return isinstance(module, str) and module.startswith(prefix) and \
        getattr(sys.modules.get(module), type.__getattribute__(cls, "__qualname__"), None) is cls


def _plain_module(m, torch) -> bool:
    """A module the judge can rebuild: PyTorch's own classes throughout, no hooks, plain attributes."""
    for sub in m.modules():
        if not _torch_class(type(sub), "torch.nn.modules."):
            return False
        state = vars(sub)
        if any(state.get(k) for k in _HOOKS):
            return False
        if not all(_plain_value(v) for k, v in state.items() if k not in _MODULE_INTERNALS):
            return False
    return True


def _plain_value(value, depth=0) -> bool:
    if depth > 8 or not isinstance(value, _PLAIN_ATTR_TYPES) or type(value) not in _PLAIN_ATTR_TYPES:
        return False
    if isinstance(value, (tuple, list)):
        return all(_plain_value(v, depth + 1) for v in value)
    return True


def _is_iterator(obj) -> bool:
    import types
    return isinstance(obj, (types.GeneratorType, map, filter, zip, enumerate, reversed)) or \
        type(obj).__name__ in ("dict_keys", "dict_values", "dict_items", "list_iterator", "tuple_iterator",
                               "odict_keys", "odict_values", "odict_items")


# ---------------------------------------------------------------- decoding (the judge)

class Decoder:
    """Rebuild a tree from :class:`Encoder` as trusted objects (see the module docstring).

    remote: a function (number, kind, type name) -> the proxy of an object left in the jail;
    originals: {pickle memo index: object} of what the judge sent with the call.
    """

    def __init__(self, remote, originals: dict[int, object] | None = None):
        self.remote = remote
        self.originals = originals or {}
        self.memo: dict[int, object] = {}
        self.nodes = 0
        self.bytes = 0

    def decode(self, node, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise AnswerDecodeError("the answer is too large or nested too deeply to read")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is not dict:
            raise AnswerDecodeError(f"unexpected {type(node).__name__} in the answer")
        tag = node.get("$")
        method = getattr(self, "_d_" + str(tag).replace(".", "_"), None) if isinstance(tag, str) else None
        if method is None:
            raise AnswerDecodeError(f"unknown kind of value {tag!r} in the answer")
        try:
            return method(node, depth)
        except AnswerDecodeError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError, RuntimeError) as err:
            raise AnswerDecodeError(f"a malformed {tag} in the answer ({type(err).__name__}: {err})") from None

    # helpers

    def _register(self, node, obj):
        number = node.get("id")
        if number is not None:
            if type(number) is not int or number in self.memo:
                raise AnswerDecodeError("a malformed reference in the answer")
            self.memo[number] = obj
        return obj

    def _original(self, node, kind):
        index = node.get("origin")
        if index is None:
            return None
        obj = self.originals.get(index) if type(index) is int else None
        return obj if obj is not None and isinstance(obj, kind) else None

    def _bytes(self, text) -> bytes:
        if type(text) is not str:
            raise AnswerDecodeError("malformed bytes in the answer")
        data = base64.b64decode(text, validate=True)
        self.bytes += len(data)
        if self.bytes > MAX_BYTES:
            raise AnswerDecodeError("the answer holds too much data")
        return data

    def _ndarray_from(self, dtype_text, shape, data):
        import numpy as np
        dtype = np.dtype(str(dtype_text))
        if dtype.kind not in NUMERIC or dtype.fields is not None or dtype.subdtype is not None:
            raise AnswerDecodeError(f"an array of dtype {dtype} cannot be graded")
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 32:
            raise AnswerDecodeError("an array with a malformed shape")
        count = 1
        for n in shape:
            count *= n
        if count * dtype.itemsize != len(data):
            raise AnswerDecodeError("an array whose data does not match its shape")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()

    def _items(self, node, depth) -> list:
        items = node["items"]
        if type(items) is not list:
            raise AnswerDecodeError("a malformed container in the answer")
        return items

    def _pairs(self, value) -> list:
        if type(value) is not list or not all(type(p) is list and len(p) == 2 for p in value):
            raise AnswerDecodeError("a malformed mapping in the answer")
        return value

    # plain values

    def _d_ref(self, node, depth):
        number = node.get("id")
        if type(number) is not int or number not in self.memo:
            raise AnswerDecodeError("a reference to nothing in the answer")
        return self.memo[number]

    def _d_int(self, node, depth):
        return int(str(node["v"]))

    def _d_float(self, node, depth):
        text = str(node["v"])
        if text not in ("nan", "inf", "-inf"):
            raise AnswerDecodeError("a malformed float in the answer")
        return float(text)

    def _d_complex(self, node, depth):
        re, im = self.decode(node["re"], depth + 1), self.decode(node["im"], depth + 1)
        if not all(type(v) in (int, float) for v in (re, im)):
            raise AnswerDecodeError("a malformed complex number in the answer")
        return complex(re, im)

    def _d_bytes(self, node, depth):
        return self._bytes(node["b"])

    def _d_bytearray(self, node, depth):
        return bytearray(self._bytes(node["b"]))

    def _d_range(self, node, depth):
        start, stop, step = node["v"]
        if not all(type(v) is int for v in (start, stop, step)):
            raise AnswerDecodeError("a malformed range in the answer")
        return range(start, stop, step)

    def _d_list(self, node, depth):
        target = self._original(node, list)
        out = self._register(node, target if target is not None else [])
        items = [self.decode(v, depth + 1) for v in self._items(node, depth)]
        out[:] = items
        return out

    def _d_tuple(self, node, depth):
        return self._register(node, tuple(self.decode(v, depth + 1) for v in self._items(node, depth)))

    def _d_set(self, node, depth):
        target = self._original(node, set)
        out = self._register(node, target if target is not None else set())
        items = {self._key(self.decode(v, depth + 1)) for v in self._items(node, depth)}
        out.clear()
        out.update(items)
        return out

    def _d_frozenset(self, node, depth):
        return self._register(node, frozenset(self._key(self.decode(v, depth + 1)) for v in self._items(node, depth)))

    def _d_dict(self, node, depth):
        target = self._original(node, dict)
        out = self._register(node, target if target is not None else {})
        pairs = [(self._key(self.decode(k, depth + 1)), self.decode(v, depth + 1))
                 for k, v in self._pairs(node["items"])]
        out.clear()
        out.update(pairs)
        return out

    def _key(self, key):
        try:
            hash(key)
        except TypeError:
            raise AnswerDecodeError("an unhashable key in the answer") from None
        return key

    def _d_npscalar(self, node, depth):
        return self._ndarray_from(node["dtype"], [], self._bytes(node["b"]))[()]

    def _d_ndarray(self, node, depth):
        arr = self._ndarray_from(node["dtype"], node["shape"], self._bytes(node["b"]))
        target = self._original(node, __import__("numpy").ndarray)
        if target is not None and target.shape == arr.shape and target.dtype == arr.dtype and target.flags.writeable:
            target[...] = arr
            return self._register(node, target)
        return self._register(node, arr)

    def _d_pymodule(self, node, depth):
        """A module the student imported is the judge's own module of that name, if the judge has
        it loaded (it imports what the template imports); any other stays unreadable."""
        name = node.get("name")
        module = sys.modules.get(name) if isinstance(name, str) and name.split(".")[0] in MODULES else None
        if module is None:
            raise AnswerDecodeError(f"the module {name!r} is not one the tests use")
        return module

    def _d_handle(self, node, depth):
        number, kind, name = node["id"], node.get("kind"), node.get("type")
        if type(number) is not int or kind not in ("callable", "object", "class") or type(name) is not str:
            raise AnswerDecodeError("a malformed handle in the answer")
        return self.remote(number, kind, name[:80])

    # PyTorch

    def _d_size(self, node, depth):
        import torch
        items = self._items(node, depth)
        if not all(type(v) is int and v >= 0 for v in items):
            raise AnswerDecodeError("a malformed torch.Size in the answer")
        return torch.Size(items)

    def _d_torch_dtype(self, node, depth):
        import torch
        dtype = getattr(torch, str(node["name"]), None)
        if not isinstance(dtype, torch.dtype):
            raise AnswerDecodeError("an unknown torch dtype in the answer")
        return dtype

    def _d_torch_device(self, node, depth):
        import torch
        return torch.device(str(node["name"]))

    def _d_tensor(self, node, depth):
        import torch
        arr = self._ndarray_from(node["np"], node["shape"], self._bytes(node["b"]))
        dtype = getattr(torch, str(node["dtype"]), None)
        if not isinstance(dtype, torch.dtype):
            raise AnswerDecodeError("an unknown torch dtype in the answer")
        value = torch.from_numpy(arr).to(dtype)
        grad_ok = value.is_floating_point() or value.is_complex()
        requires_grad = bool(node.get("requires_grad")) and grad_ok
        target = self._original(node, torch.Tensor)
        if target is not None and target.is_leaf:
            with torch.no_grad():
                target.data = value
            target.requires_grad_(requires_grad)
            out = target
        elif node.get("parameter"):
            out = torch.nn.Parameter(value, requires_grad=requires_grad)
        else:
            out = value.requires_grad_(requires_grad)
        self._register(node, out)
        if "grad" in node:
            grad = self.decode(node["grad"], depth + 1)
            if not isinstance(grad, torch.Tensor) or grad.shape != out.shape:
                raise AnswerDecodeError("a gradient that does not match its tensor")
            out.grad = grad.detach().to(out.dtype)
        elif out is target:
            out.grad = None
        return out

    def _d_module(self, node, depth):
        import torch
        cls = _trusted_class(node["class"], "torch.nn.modules.", torch.nn.Module)
        target = self._original(node, torch.nn.Module)
        if target is not None and type(target) is not cls:
            target = None
        m = target if target is not None else cls.__new__(cls)
        if target is None:
            torch.nn.Module.__init__(m)
        self._register(node, m)
        attrs = {}
        for key, value in self._pairs(node["attrs"]):
            if type(key) is not str or key.startswith("__") or key in _MODULE_INTERNALS:
                raise AnswerDecodeError(f"a module attribute {key!r} that cannot be graded")
            value = self.decode(value, depth + 1)
            if not _plain_value(value):
                raise AnswerDecodeError(f"a module attribute {key!r} that is not plain data")
            attrs[key] = value
        params, buffers, children = {}, {}, {}
        for key, value in self._pairs(node["params"]):
            value = self.decode(value, depth + 1)
            if value is not None and not isinstance(value, torch.nn.Parameter):
                value = torch.nn.Parameter(value.detach(), requires_grad=value.requires_grad) \
                    if isinstance(value, torch.Tensor) else _bad("a parameter that is not a tensor")
            params[str(key)] = value
        for key, value in self._pairs(node["buffers"]):
            value = self.decode(value, depth + 1)
            if value is not None and not isinstance(value, torch.Tensor):
                _bad("a buffer that is not a tensor")
            buffers[str(key)] = value
        for key, value in self._pairs(node["children"]):
            value = self.decode(value, depth + 1)
            if value is not None and not isinstance(value, torch.nn.Module):
                _bad("a submodule that cannot be graded")
            children[str(key)] = value
        transient = node.get("transient", [])
        if type(transient) is not list or not all(type(k) is str for k in transient):
            _bad("a malformed module")
        for key in [k for k in vars(m) if k not in _MODULE_INTERNALS]:
            del vars(m)[key]
        vars(m).update(attrs)
        m.training = bool(node.get("training"))
        m._parameters.clear()
        m._parameters.update(params)
        m._buffers.clear()
        m._buffers.update(buffers)
        m._non_persistent_buffers_set = set(transient)
        m._modules.clear()
        m._modules.update(children)
        return m

    def _d_optimizer(self, node, depth):
        import torch
        cls = _trusted_class(node["class"], "torch.optim.", torch.optim.Optimizer)
        defaults = self.decode(node["defaults"], depth + 1)
        groups = []
        for group in node["groups"]:
            decoded = {str(k): self.decode(v, depth + 1) for k, v in self._pairs(group)}
            params = decoded.get("params")
            if not isinstance(params, list) or not all(isinstance(p, torch.Tensor) for p in params):
                _bad("an optimizer group without parameters")
            groups.append(decoded)
        state = {}
        for param, values in self._pairs(node["state"]):
            param, values = self.decode(param, depth + 1), self.decode(values, depth + 1)
            if not isinstance(param, torch.Tensor) or not isinstance(values, dict):
                _bad("a malformed optimizer state")
            state[param] = values
        if not isinstance(defaults, dict) or not groups:
            _bad("a malformed optimizer")
        target = self._original(node, torch.optim.Optimizer)
        opt = target if target is not None and type(target) is cls else \
            cls([{"params": g["params"]} for g in groups], **{k: v for k, v in defaults.items()
                                                               if k not in ("params",)})
        self._register(node, opt)
        opt.defaults = defaults
        opt.param_groups = groups
        opt.state.clear()
        opt.state.update(state)
        return opt


def _bad(message: str):
    raise AnswerDecodeError(message)


def _trusted_class(path, prefix: str, base: type) -> type:
    """PyTorch's own class at ``path`` (``torch.nn.modules.conv.Conv2d``), never anything else."""
    if type(path) is not str or not path.startswith(prefix) or path.count(".") > 6:
        raise AnswerDecodeError(f"a {path!r} cannot be graded as data")
    module, _, name = path.rpartition(".")
    cls = getattr(sys.modules.get(module), name, None)
    if not isinstance(cls, type) or not issubclass(cls, base) or cls.__module__ != module:
        raise AnswerDecodeError(f"a {path!r} cannot be graded as data")
    return cls
