"""Rebuild a submission from the instructor's template, as nbgrader's autograde does.

The template is the nbgrader *source* notebook (solutions and hidden tests included); the
released test cells, where nbgrader recorded them in the gradebook when it released the
assignment (expanded ``AUTOTEST`` lines included), override the template's. The cells to
run, in the template's order:

- **locked** and **test** cells: always the template's (or the gradebook's) source, kind,
  points and grade_id, whatever the student did to their copy;
- **answer** cells (nbgrader ``solution: true``): the student's cell with the same
  ``grade_id``; a missing answer runs empty (never the solution); when it appears twice, the
  first is graded; an answer that is also graded (``grade: true``) is graded by hand;
- **added** cells: every code cell of the submission that is not one of the template's
  graded or locked cells (a helper the student wrote, a scratch cell, the release's own
  unlocked cells), run where the student put it: after the template cell that precedes it
  in the submission.

What the student changed in the cells that are not theirs is written down as a note.
A notebook that is not valid JSON, is empty, or lacks an answer cell still rebuilds:
missing answers are empty cells (so the tests that need them fail, the others run).
Nothing in a submission's metadata is trusted: a value of the wrong type is ignored, and
noted, never fatal.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

MAX_CELLS = 5_000
MAX_SOURCE = 2_000_000            # characters of one cell's source


@dataclass
class Rebuilt:
    """cells: [{"index", "kind": locked|answer|added|tests|manual, "grade_id", "points", "source",
    "cell_type"}] in the order they run; ``index`` is the template's cell index (None for added
    cells); ``manual`` marks a graded answer (by hand)."""

    cells: list[dict]
    notes: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)


def source_text(cell) -> str:
    src = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(src, list):
        src = "".join(s for s in src if isinstance(s, str))
    return src[:MAX_SOURCE] if isinstance(src, str) else ""


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def points_of(meta: dict) -> float:
    """A cell's points as nbgrader reads them (the template's; a bad value counts 0)."""
    try:
        value = float(meta.get("points", 0) or 0)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return value if math.isfinite(value) and value >= 0 else 0.0


def cell_kind(cell: dict) -> str | None:
    """answer, manual, tests, locked, or None (a cell that is not nbgrader's)."""
    meta = nbgrader_meta(cell)
    if meta.get("solution"):
        return "manual" if meta.get("grade") else "answer"
    if meta.get("grade"):
        return "tests" if cell.get("cell_type") == "code" else "manual"
    if meta.get("locked") and grade_id(cell):
        return "locked"
    return None


def graded_cells(template: dict) -> dict[str, float]:
    """{grade_id: points} of the template's graded cells (autograded tests and manual answers)."""
    return {grade_id(c): points_of(nbgrader_meta(c)) for c in template["cells"]
            if nbgrader_meta(c).get("grade") and grade_id(c)}


def load_submission(data: bytes | str) -> tuple[dict | None, str | None]:
    """(notebook, None) or (None, why it could not be read)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if not data.strip():
        return None, "the submitted file is empty"
    try:
        nb = json.loads(data)
    except RecursionError:
        return None, "the submitted file is JSON nested too deeply to be a notebook"
    except ValueError as err:
        return None, f"the submitted file is not valid notebook JSON ({err})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "the submitted file is JSON but not a notebook (no list of cells)"
    if len(nb["cells"]) > MAX_CELLS:
        return None, f"the submitted notebook has {len(nb['cells']):,} cells (more than {MAX_CELLS:,})"
    nb["cells"] = [c for c in nb["cells"] if isinstance(c, dict)]
    return nb, None


def rebuild(template: dict, submission: dict | None, *, sources: dict[str, str] | None = None,
            use_template_answers: bool = False) -> Rebuilt:
    """The cells to run: the template's, with the student's answers and added cells.

    sources: {grade_id: source} of test and locked cells recorded by nbgrader at release
    (they override the template's); use_template_answers: run the instructor's solution.
    """
    sources = sources or {}
    notes: list[str] = []
    template_ids = {grade_id(c) for c in template["cells"] if cell_kind(c)}
    by_id: dict[str, list[dict]] = {}
    after: dict[str | None, list[dict]] = {}
    if submission is not None and not use_template_answers:
        anchor = None
        for cell in submission["cells"]:
            gid = grade_id(cell)
            if gid in template_ids:
                by_id.setdefault(gid, []).append(cell)
                if len(by_id[gid]) == 1:
                    anchor = gid
            elif cell.get("cell_type") == "code" and source_text(cell).strip():
                after.setdefault(anchor, []).append(cell)
                if gid:
                    notes.append(f"a cell with the unknown grade_id {gid!r} ran as a cell the student added")

    cells, answers, added = [], {}, []

    def emit_added(anchor):
        for cell in after.get(anchor, []):
            cells.append({"index": None, "kind": "added", "grade_id": None, "points": 0.0,
                          "source": source_text(cell), "cell_type": "code"})
            added.append(source_text(cell))

    emit_added(None)
    for index, cell in enumerate(template["cells"]):
        kind = cell_kind(cell)
        if kind is None:
            if use_template_answers and cell.get("cell_type") == "code" and source_text(cell).strip():
                cells.append({"index": index, "kind": "added", "grade_id": None, "points": 0.0,
                              "source": source_text(cell), "cell_type": "code"})
            continue
        meta, gid = nbgrader_meta(cell), grade_id(cell)
        entry = {"index": index, "kind": kind, "grade_id": gid, "points": points_of(meta),
                 "cell_type": cell.get("cell_type", "code")}
        if kind in ("answer", "manual") and meta.get("solution"):
            if use_template_answers:
                entry["source"] = source_text(cell)
            else:
                entry["source"] = _student_answer(gid, cell, by_id, notes, submission is not None)
            answers[gid] = entry["source"]
        else:
            entry["source"] = sources.get(gid, source_text(cell))
            if submission is not None and not use_template_answers:
                _note_changes(gid, kind, cell, by_id, notes, entry["source"])
        cells.append(entry)
        emit_added(gid)
    if added:
        notes.append(f"{len(added)} cell(s) the student added ran in the order they appear")
    return Rebuilt(cells, notes, answers, added)


def _student_answer(gid: str, cell: dict, by_id: dict, notes: list[str], have_submission: bool) -> str:
    found = by_id.get(gid, [])
    if not found:
        if have_submission:
            notes.append(f"answer cell {gid!r} is missing from the submission (run as empty)")
        return ""
    if len(found) > 1:
        notes.append(f"answer cell {gid!r} appears {len(found)} times; the first one is graded")
    student = found[0]
    if student.get("cell_type") != cell.get("cell_type"):
        notes.append(f"answer cell {gid!r} was changed from {cell.get('cell_type')} to "
                     f"{student.get('cell_type')}; its text is graded as the template's kind")
    if not nbgrader_meta(student).get("solution"):
        notes.append(f"answer cell {gid!r} lost its nbgrader metadata in the submission")
    return source_text(student)


def _note_changes(gid: str, kind: str, cell: dict, by_id: dict, notes: list[str], source: str) -> None:
    what = "test cell" if kind == "tests" else "locked cell"
    found = by_id.get(gid, [])
    if not found:
        notes.append(f"{what} {gid!r} was deleted from the submission (the instructor's copy ran)")
        return
    if len(found) > 1:
        notes.append(f"{what} {gid!r} appears {len(found)} times (the instructor's copy ran once)")
    student = found[0]
    meta = nbgrader_meta(student)
    if student.get("cell_type") != cell.get("cell_type"):
        notes.append(f"{what} {gid!r} was changed to {str(student.get('cell_type'))[:20]} (the instructor's copy ran)")
    if "points" in meta and _points_text(meta.get("points")) != _points_text(nbgrader_meta(cell).get("points")):
        notes.append(f"{what} {gid!r}: its points were changed to {str(meta.get('points'))[:40]!r} (ignored)")
    if strip_hidden(source_text(student)).strip() != strip_hidden(source).strip():
        notes.append(f"{what} {gid!r} was edited (the instructor's copy ran)")


def _points_text(value) -> str:
    try:
        return repr(float(value))
    except (TypeError, ValueError, OverflowError):
        return repr(value)[:40]


_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)


def strip_hidden(source: str, placeholder: str = "") -> str:
    """``source`` without its hidden-test blocks (what the student's release shows)."""
    return _HIDDEN.sub(placeholder, source)
