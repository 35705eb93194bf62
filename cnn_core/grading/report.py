"""How checks speak: one PASS line, or a failure that says what, where and by how much."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from .._numbers import number

_quiet = {"depth": 0, "passed": 0, "worst": 0.0}


def describe(value) -> str:
    """A short description of a check's input: arrays by shape, numbers by value."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_inputs(inputs) -> str:
    """``{'x': array, 'stride': 2}`` -> ``" (input: x = array of shape (1, 2, 5, 5), stride = 2)"``."""
    if not inputs:
        return ""
    parts = [f"{k} = {describe(v)}" for k, v in dict(inputs).items()]
    return " (input: " + ", ".join(parts) + ")"


def fmt(x) -> str:
    """A number, briefly: 3e-07, 0.25, 12 (three significant digits, :mod:`cnn_core._numbers`)."""
    return number(x, 3, whole_below=1e6)


def passed(name: str, detail: str = "", difference: float = 0.0) -> None:
    """Print the PASS line (or count it inside :func:`quietly`)."""
    if _quiet["depth"]:
        _quiet["passed"] += 1
        _quiet["worst"] = max(_quiet["worst"], float(difference))
        return
    print(f"PASS {name}" + (f": {detail}" if detail else ""))


@contextmanager
def quietly(description: str):
    """Run many checks (random cases, a property) and print one line for all of them.

    A failure still raises at once, with its full message.

    >>> with quietly("20 random convolutions"):   # doctest: +SKIP
    ...     for case in cases: check_close(...)
    PASS 20 random convolutions: 20 checks, max difference 4e-07
    """
    saved = dict(_quiet)
    _quiet.update(depth=saved["depth"] + 1, passed=0, worst=0.0)
    try:
        yield
        count, worst = _quiet["passed"], _quiet["worst"]
    finally:
        _quiet.update(saved)
    if count == 0:
        raise AssertionError(f"FAIL {description}: no check ran (an empty set of cases proves nothing)")
    passed(description, f"{count} checks, max difference {fmt(worst)}", worst)
