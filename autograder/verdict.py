"""The verdict, made in the grader's process: does a test cell's stream match the solution's?

A test cell scores its points only if

1. it completed without an error in the student's run, and
2. its grading-channel lines (see :mod:`cnn_core.grading.channel`) match, one for one and
   in order, the lines the same cell wrote when the instructor's solution ran: same
   ``event``, ``check``, ``grade_id`` and ``name``; the student's value within the
   tolerance that the *solution's* line recorded.

Values arrive as JSON (numbers, strings, lists), parsed here: an object that claims to equal
everything cannot cross a pipe. What each check compares:

- ``check_close``: shapes equal, every value within ``2 * (atol + rtol * |solution|)``
  (both runs are within one tolerance of the expected value, so of each other within two);
- ``check_equal``, ``check_shape``, ``check_choice`` and anything unknown: equal values;
- ``check_number``: within ``atol + rtol * |solution|`` (exact by default);
- ``check_in_range``: inside the solution line's ``[low, high]`` (answers may differ);
- ``check_true``, ``forbid``, ``check_option``: the student's line says passed (the
  cell must also have completed; these carry no value to compare).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PASS_ONLY = {"check_true", "forbid", "check_option"}


@dataclass
class CellVerdict:
    grade_id: str
    points: float
    score: float
    reason: str            # "" when it scored; otherwise why not, in words


def cell_verdict(grade_id: str, points: float, student, solution) -> CellVerdict:
    """student, solution: :class:`autograder.execute.CellResult` (or dicts of one)."""
    student = student if isinstance(student, dict) else student.to_dict()
    solution = solution if isinstance(solution, dict) else solution.to_dict()
    if solution["status"] != "ok":
        return CellVerdict(grade_id, points, 0.0, "the instructor's solution fails this cell: grade it by hand")
    if student["status"] != "ok":
        what = {"timeout": "ran out of time", "died": "the kernel died", "skipped": "did not run"}.get(
            student["status"], "raised an error")
        detail = f" ({student['ename']}: {student['evalue']})" if student.get("ename") else ""
        return CellVerdict(grade_id, points, 0.0, f"the cell {what}{detail}"[:600])
    if student.get("bad_lines"):
        return CellVerdict(grade_id, points, 0.0, "something wrote lines that are not checks to the grading channel")
    problem = compare_streams(student["records"], solution["records"])
    return CellVerdict(grade_id, points, 0.0 if problem else points, problem or "")


def compare_streams(got: list[dict], want: list[dict]) -> str | None:
    """None when the streams match; otherwise the first difference, in words."""
    for i, (g, w) in enumerate(zip(got, want)):
        if not isinstance(g, dict):
            return f"line {i + 1}: not a check record"
        for key in ("event", "check", "grade_id", "name"):
            if g.get(key) != w.get(key):
                return (f"line {i + 1} differs from the solution's: {key} is {str(g.get(key))[:80]!r}, "
                        f"expected {str(w.get(key))[:80]!r}")
        if w.get("event") == "check":
            problem = compare_check(g, w)
            if problem:
                return f"line {i + 1} ({w.get('name')}): {problem}"
    if len(got) != len(want):
        return f"the cell wrote {len(got)} lines to the grading channel, the solution {len(want)}"
    return None


def compare_check(got: dict, want: dict) -> str | None:
    check = want.get("check")
    if check in PASS_ONLY:
        return None if got.get("passed") is True else "did not pass"
    tol = want.get("tolerance") if isinstance(want.get("tolerance"), dict) else {}
    if check == "check_in_range":
        value = _number(got.get("got"))
        low, high = tol.get("low"), tol.get("high")
        if value is None or (low is not None and not value >= low) or (high is not None and not value <= high):
            return f"{got.get('got')!r} is outside [{low}, {high}]"
        return None
    if check == "check_close":
        return values_close(got.get("got"), want.get("got"), 2 * float(tol.get("rtol", 0)),
                            2 * float(tol.get("atol", 0)))
    if check == "check_number":
        return values_close(got.get("got"), want.get("got"), float(tol.get("rtol", 0)), float(tol.get("atol", 0)))
    return None if _same(got.get("got"), want.get("got")) else "a different value from the solution's"


def _number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _same(a, b) -> bool:
    """Plain-data equality that never calls a student's __eq__ (JSON gives only plain types)."""
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                       and not isinstance(a, bool) and not isinstance(b, bool)):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def values_close(got, want, rtol: float, atol: float) -> str | None:
    """Compare two recorded values (numbers, or {"shape", "values"} / truncated summaries)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return "not an array like the solution's"
        if got.get("shape") != want.get("shape"):
            return f"shape {got.get('shape')} differs from the solution's {want.get('shape')}"
        if want.get("truncated"):
            if not got.get("truncated") or got.get("sample_every") != want.get("sample_every"):
                return "not summarised like the solution's"
            pairs = list(zip(got.get("sample") or [], want.get("sample") or []))
            if len(pairs) != len(want.get("sample") or []):
                return "a different number of sampled values"
            scale = max(1.0, float(len(want.get("sample") or [])) * want["sample_every"])
            for key in ("sum", "abs_sum"):
                problem = _close_pair(got.get(key), want.get(key), rtol, atol * scale, key)
                if problem:
                    return problem
            for key in ("min", "max"):
                problem = _close_pair(got.get(key), want.get(key), rtol, atol, key)
                if problem:
                    return problem
        else:
            pairs = list(zip(got.get("values") or [], want.get("values") or []))
            if len(pairs) != len(want.get("values") or []) or len(got.get("values") or []) != len(pairs):
                return "a different number of values"
        for k, (g, w) in enumerate(pairs):
            problem = _close_pair(g, w, rtol, atol, f"value {k}")
            if problem:
                return problem
        return None
    return _close_pair(got, want, rtol, atol, "the value")


def _close_pair(g, w, rtol: float, atol: float, what: str) -> str | None:
    if isinstance(w, str) or isinstance(g, str):           # 'nan', 'inf' as the channel writes them
        return None if g == w else f"{what} is {g!r}, the solution's {w!r}"
    gv, wv = _number(g), _number(w)
    if gv is None or wv is None:
        return None if _same(g, w) else f"{what} is {g!r}, the solution's {w!r}"
    if not math.isfinite(gv) or abs(gv - wv) > atol + rtol * abs(wv):
        return f"{what} is {gv:.6g}, the solution's {wv:.6g}"
    return None
