"""The grading channel: one JSON line per check, for a grader the student cannot reach.

By default :func:`record` does nothing. When the environment variable
``CNN_CORE_GRADING_CHANNEL`` is set, every check helper (and every :func:`part`)
writes one JSON line to it:

- a number (``"5"``): an open file descriptor inherited from the grader process;
- anything else: a path, opened in append mode.

A line looks like::

    {"seq": 3, "event": "check", "grade_id": "conv2d_stride", "check": "check_close",
     "name": "conv2d, stride 2", "passed": true, "got": {"shape": [1, 2, 3, 3], "values": [...]},
     "tolerance": {"rtol": 1e-05, "atol": 1e-06}}

``got`` is the student's value as plain numbers (at most :data:`MAX_VALUES` of them; a
bigger array is recorded by its shape, a strided sample and summary statistics, with
``"truncated": true``). ``passed`` is the verdict of the student's own kernel and is
not to be trusted: the grader of issue 9 re-runs the same test cells with the
instructor's solution in a trusted kernel and compares the two streams itself,
line by line (same ``seq``, ``grade_id``, ``check`` and ``name``; values within the
recorded ``tolerance``).
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

ENV_VAR = "CNN_CORE_GRADING_CHANNEL"
MAX_VALUES = 20_000
_state = {"grade_id": None, "seq": 0}


def part(grade_id: str) -> None:
    """Start the checks of one graded cell: later records carry this ``grade_id``.

    Every test cell of the course's notebooks begins with ``part("<its grade_id>")``
    (a test in ``tests/notebooks`` keeps the two equal).
    """
    if not isinstance(grade_id, str) or not grade_id:
        raise ValueError(f"part() needs the grade_id of the cell as a string, got {grade_id!r}")
    _state["grade_id"] = grade_id
    _write({"event": "part"})


def current_part() -> str | None:
    """The grade_id given to the last :func:`part` call (None before any)."""
    return _state["grade_id"]


def plain(value):
    """``value`` as JSON-ready plain data: numbers, strings, lists, or a capped summary."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return _number(value)
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything unconvertible is recorded by its type only
        return {"unconvertible": type(value).__name__}
    if arr.dtype.kind not in "biuf":
        return {"unconvertible": f"{type(value).__name__} with dtype {arr.dtype}"}
    if arr.ndim == 0:
        return _number(arr.item())
    if arr.size <= MAX_VALUES:
        return {"shape": list(arr.shape), "values": [_number(v) for v in arr.ravel().tolist()]}
    flat = arr.ravel().astype(float)
    step = math.ceil(arr.size / 1000)
    return {"shape": list(arr.shape), "truncated": True,
            "sample_every": step, "sample": [_number(v) for v in flat[::step].tolist()],
            "sum": _number(float(flat.sum())), "abs_sum": _number(float(np.abs(flat).sum())),
            "min": _number(float(flat.min())), "max": _number(float(flat.max()))}


def _number(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    v = float(v)
    return v if math.isfinite(v) else repr(v)  # JSON has no NaN/inf: 'nan', 'inf'


def record(check: str, name: str, passed: bool, got=None, tolerance: dict | None = None) -> None:
    """Write one check to the channel (a no-op unless ``CNN_CORE_GRADING_CHANNEL`` is set)."""
    if not os.environ.get(ENV_VAR):
        return
    _write({"event": "check", "check": check, "name": str(name), "passed": bool(passed),
            "got": plain(got), "tolerance": tolerance or {}})


def _write(entry: dict) -> None:
    target = os.environ.get(ENV_VAR)
    if not target:
        return
    _state["seq"] += 1
    line = json.dumps({"seq": _state["seq"], "grade_id": _state["grade_id"], **entry}) + "\n"
    data = line.encode()
    if target.isdigit():
        os.write(int(target), data)
    else:
        with open(target, "ab") as f:
            f.write(data)
