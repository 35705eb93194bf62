"""Student-facing checks: compare an answer with the expected value, say clearly how it went.

Every check converts the answer to a plain NumPy number array *first* (object arrays and
strings are refused), so an object that claims to equal everything cannot pass; then it
compares numbers. On success it prints one ``PASS`` line; on failure it raises
``AssertionError`` with what was expected, what was given and for which input (so
nbgrader marks the cell failed).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .._numbers import number
from .report import describe_inputs, fmt, passed

_in_full = partial(number, digits=10, whole_below=1e16)  # 86704128, not 8.67e+07


def _fail(check: str, name: str, message: str, got, tolerance=None, inputs=None):
    raise AssertionError(f"FAIL {name}: {message}{describe_inputs(inputs)}")


def _recordable(got) -> bool:
    return not isinstance(got, np.ndarray) or got.dtype.kind in "biuf"


def _as_numbers(check: str, name: str, value, what: str, inputs=None) -> np.ndarray:
    """``value`` as a NumPy array of bools, ints or floats, or a failure that says why not."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if value is None:
        _fail(check, name, f"{what} is None (did the function forget to return its result?)", None, inputs=inputs)
    if isinstance(value, str):
        _fail(check, name, f"{what} is the text {value!r}, expected numbers", None, inputs=inputs)
    try:
        arr = np.asarray(value)
    except Exception as err:  # noqa: BLE001 - report any conversion problem as a failure
        _fail(check, name, f"{what} ({type(value).__name__}) cannot be turned into numbers: {err}", None,
              inputs=inputs)
    if arr.dtype.kind not in "biuf":
        _fail(check, name, f"{what} is a {type(value).__name__} with dtype {arr.dtype}, expected plain numbers "
              f"(an array of float or int)", None, inputs=inputs)
    return arr


def check_shape(name: str, got, expected_shape, *, inputs=None) -> None:
    """Check that ``got`` (an array, or a shape tuple) has ``expected_shape``."""
    expected = tuple(int(v) for v in expected_shape)
    if isinstance(got, (tuple, list)) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                               for v in got):
        shape = tuple(int(v) for v in got)
    else:
        shape = tuple(_as_numbers("check_shape", name, got, "the answer", inputs).shape)
    if shape != expected:
        _fail("check_shape", name, f"expected shape {expected}, got {shape}", list(shape), inputs=inputs)
    passed(name, f"shape {expected}")


#: the closest a correct answer of each float dtype can come: (rtol, atol) floors
DTYPE_TOLERANCE = {np.dtype(np.float16): (1e-3, 1e-3), np.dtype(np.float32): (1e-5, 1e-6)}


def check_close(name: str, got, expected, *, rtol: float = 1e-5, atol: float = 1e-8, inputs=None) -> None:
    """Check that the array ``got`` equals ``expected`` within ``atol + rtol * |expected|``.

    got, expected: arrays (or numbers) of the same shape; a list or a tensor works where an
    array is asked. ``inputs``: a dict describing the case (``{"x": x, "stride": 2}``), shown
    in the failure message. The tolerance follows the answer's dtype: an answer in float32
    (or float16) is allowed at least the rounding error of that dtype, and a failure says so.
    """
    exp = np.asarray(expected, dtype=float)
    arr = _as_numbers("check_close", name, got, "the answer", inputs)
    floor = DTYPE_TOLERANCE.get(arr.dtype)
    note = ""
    if floor is not None and (rtol < floor[0] or atol < floor[1]):
        rtol, atol = max(rtol, floor[0]), max(atol, floor[1])
        note = f", the least a {arr.dtype} answer can be held to"
    if arr.shape != exp.shape:
        _fail("check_close", name, f"expected an array of shape {exp.shape}, got shape {arr.shape}", arr,
              inputs=inputs)
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        _fail("check_close", name, f"the answer contains NaN or inf (first at index {idx}: {arr[idx]})", arr,
              inputs=inputs)
    diff = np.abs(arr - exp)
    bad = diff > atol + rtol * np.abs(exp)
    worst = float(diff.max()) if diff.size else 0.0
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"first at index {idx}; " if idx else ""
        _fail("check_close", name,
              f"{int(bad.sum())} of {bad.size} values differ, expected {exp[idx]:.6g}, got {arr[idx]:.6g} "
              f"({where}max difference {fmt(worst)}, allowed {fmt(atol)} + {fmt(rtol)} x |expected|{note})",
              arr, inputs=inputs)
    passed(name, f"max difference {fmt(worst)}", worst)


def check_equal(name: str, got, expected, *, inputs=None) -> None:
    """Check that ``got`` equals ``expected`` exactly (integers, booleans, masks, labels)."""
    exp = np.asarray(expected)
    arr = _as_numbers("check_equal", name, got, "the answer", inputs)
    if arr.shape != exp.shape:
        _fail("check_equal", name, f"expected shape {exp.shape}, got shape {arr.shape}", arr, inputs=inputs)
    bad = arr.astype(float) != exp.astype(float)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {idx}" if idx else ""
        _fail("check_equal", name, f"{int(bad.sum())} of {bad.size} values differ; first{where}: "
              f"expected {exp[idx].item()!r}, got {arr[idx].item()!r}", arr, inputs=inputs)
    passed(name, "exact match")


def check_number(name: str, got, expected, *, rtol: float = 0.0, atol: float = 0.0, inputs=None) -> None:
    """Check a single number (an output size, a parameter count, a percentage).

    Booleans and text are refused; ``rtol``/``atol`` default to exact equality.
    """
    tol = {"rtol": float(rtol), "atol": float(atol)}
    if isinstance(got, (bool, np.bool_)):
        _fail("check_number", name, f"expected a number, got the boolean {got}", None, tol, inputs)
    arr = _as_numbers("check_number", name, got, "the answer", inputs)
    if arr.size != 1:
        _fail("check_number", name, f"expected a single number, got an array of shape {arr.shape}", arr, tol, inputs)
    value, exp = float(arr.ravel()[0]), float(expected)
    if not abs(value - exp) <= atol + rtol * abs(exp):
        allowed = f" (allowed difference {fmt(atol + rtol * abs(exp))})" if atol or rtol else ""
        _fail("check_number", name, f"expected {_in_full(exp)}, got {_in_full(value)}{allowed}", value, tol, inputs)
    passed(name, _in_full(value))


def check_in_range(name: str, got, *, low=None, high=None, inputs=None) -> None:
    """Check that a number lies in [low, high] (a parameter budget, an accuracy target)."""
    tol = {"low": low, "high": high}
    arr = _as_numbers("check_in_range", name, got, "the answer", inputs)
    if arr.size != 1 or isinstance(got, (bool, np.bool_)):
        _fail("check_in_range", name, f"expected a single number, got {arr.shape}", None, tol, inputs)
    value = float(arr.ravel()[0])
    if (low is not None and not value >= low) or (high is not None and not value <= high):
        span = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
        _fail("check_in_range", name, f"expected a value in {span}, got {_in_full(value)}", value, tol, inputs)
    passed(name, _in_full(value))


def check_choice(name: str, got, expected: str, options) -> None:
    """Check a multiple-choice answer: ``got`` must be one of ``options`` (plain strings).

    options: a dict {letter: text} or a list of letters. Answers are compared as plain
    ``str`` (a subclass is refused), ignoring case and surrounding spaces.
    """
    letters = [str(k) for k in (options.keys() if isinstance(options, dict) else options)]
    if type(got) is not str:
        _fail("check_choice", name, f"answer with one of {letters} as a string, got {type(got).__name__} "
              f"{got!r}" if len(repr(got)) < 80 else f"answer with one of {letters} as a string", None)
    answer = str.strip(got).lower()
    known = [o.lower() for o in letters]
    if answer not in known:
        _fail("check_choice", name, f"{got!r} is not one of the options {letters}", got)
    if answer != str(expected).lower():
        _fail("check_choice", name, f"{got!r} is not the right choice; re-read the question", got)
    passed(name, f"{answer!r}")


def check_option(name: str, got, options) -> None:
    """Visible half of a choice question: ``got`` is one of ``options`` (the grade is hidden)."""
    letters = [str(k) for k in (options.keys() if isinstance(options, dict) else options)]
    if type(got) is not str or str.strip(got).lower() not in [o.lower() for o in letters]:
        _fail("check_option", name, f"answer with one of {letters} as a string, got {got!r}"[:200], None)
    print(f"OK {name}: {got!r} is one of the options (a hidden test grades it)")


def check_true(name: str, condition, hint: str = "") -> None:
    """Check a yes/no property (``isinstance(layer, nn.Conv2d)``, "the weights are frozen").

    ``condition`` must be a real ``bool`` (or NumPy bool): anything else fails.
    """
    if type(condition) not in (bool, np.bool_):
        _fail("check_true", name, f"expected True or False, got {type(condition).__name__}", None)
    if not condition:
        _fail("check_true", name, "expected True, got False" + (f": {hint}" if hint else ""), False)
    passed(name, "yes")
