"""``part(grade_id)``: the first line of every test cell, naming the graded cell it checks.

The course's test cells begin with ``part("<their grade_id>")`` (``tests/notebooks`` keeps
the two equal), so that a failure message and the grader's notes can say which part of
the assignment a check belongs to.
"""

from __future__ import annotations

_state = {"grade_id": None}


def part(grade_id: str) -> None:
    """Start the checks of one graded cell."""
    if not isinstance(grade_id, str) or not grade_id:
        raise ValueError(f"part() needs the grade_id of the cell as a string, got {grade_id!r}")
    _state["grade_id"] = grade_id


def current_part() -> str | None:
    """The grade_id given to the last :func:`part` call (None before any)."""
    return _state["grade_id"]
