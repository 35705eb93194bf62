"""Loading a pickle without letting it run code.

A pickle is a small program: loading one can call any function it names, e.g.
``os.system("...")``. CIFAR-10's "python version" is a set of pickles, so they are
loaded with :class:`RestrictedUnpickler`, which resolves only the few names that
rebuild NumPy arrays and refuses every other one *before* anything is called.

What may come out: dicts, lists, tuples, str, bytes, int, float, bool, None,
NumPy number scalars and NumPy arrays of numbers or bytes (no object arrays).
"""

from __future__ import annotations

import io
import pickle

import numpy as np

__all__ = ["UnsafePickleError", "RestrictedUnpickler", "safe_load", "safe_loads"]


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle asked for something other than arrays, bytes, strings, numbers, lists and dicts."""


def _dtype(*args, **kwargs) -> np.dtype:
    dtype = np.dtype(*args, **kwargs)
    if dtype.hasobject:
        raise UnsafePickleError(f"refusing a NumPy array of Python objects (dtype {dtype!r})")
    return dtype


def _latin1_encode(text, encoding="latin1"):
    # Python 3 writes bytes into protocol-2 pickles as _codecs.encode(text, "latin1").
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise UnsafePickleError(f"refusing _codecs.encode({type(text).__name__}, {encoding!r})")
    return text.encode("latin1")


_multiarray = np._core.multiarray
_ALLOWED = {
    # Python 2 era NumPy (CIFAR-10's files) and NumPy 1.x name the module numpy.core.
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy.core.multiarray", "scalar"): _multiarray.scalar,
    ("numpy._core.multiarray", "scalar"): _multiarray.scalar,
    ("numpy.core.numeric", "_frombuffer"): np._core.numeric._frombuffer,
    ("numpy._core.numeric", "_frombuffer"): np._core.numeric._frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _dtype,
    ("_codecs", "encode"): _latin1_encode,
}

_PLAIN = (dict, list, tuple, str, bytes, int, float, bool, type(None))


class RestrictedUnpickler(pickle.Unpickler):
    """An ``Unpickler`` whose ``find_class`` knows only the names that rebuild NumPy arrays."""

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise UnsafePickleError(
                f"refusing to load this pickle: it asks for {module}.{name}, and only NumPy arrays, "
                f"bytes, strings, numbers, lists and dicts are allowed. Loading a pickle can run any "
                f"code it names; this file is not a plain data file (delete it if it should be one)."
            ) from None

    def persistent_load(self, pid):
        raise UnsafePickleError("refusing a pickle with persistent ids")


def _check(value, where: str = "the pickle") -> None:
    """Refuse anything in the loaded tree that is not plain data."""
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray or value.dtype.hasobject:
            raise UnsafePickleError(f"{where} holds an array of Python objects or an array subclass")
    elif isinstance(value, np.generic):
        if not isinstance(value, (np.number, np.bool_, np.bytes_, np.str_)):
            raise UnsafePickleError(f"{where} holds a NumPy scalar of type {type(value).__name__}")
    elif not isinstance(value, _PLAIN):
        raise UnsafePickleError(f"{where} holds a {type(value).__name__}")
    if isinstance(value, dict):
        for key, item in value.items():
            _check(key, f"a key of {where}")
            _check(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")


def safe_load(file, encoding: str = "bytes"):
    """Load a pickle from a binary file object, refusing anything but plain data.

    ``encoding="bytes"`` reads Python 2 strings as ``bytes`` (CIFAR-10's keys are
    ``b"data"``, ``b"labels"``...), as the CIFAR-10 page recommends.
    """
    value = RestrictedUnpickler(file, encoding=encoding).load()
    _check(value)
    return value


def safe_loads(data: bytes, encoding: str = "bytes"):
    """:func:`safe_load` for a bytes object."""
    return safe_load(io.BytesIO(data), encoding=encoding)
