"""Rebuild a submission from the instructor's template: only answer cells come from the student.

The template is the nbgrader *source* notebook (solutions and hidden tests included). Every
cell keeps the template's source, kind and metadata, except answer cells (nbgrader
``solution: true``), whose source is taken from the student's cell with the same
``grade_id``. So a student cannot edit, delete, duplicate or retype a test cell, nor change
its points or grade_id: those cells are never read from the submission. What the student
changed is noted in :attr:`Rebuilt.notes` (shown in the report: "needs a human").

A notebook that is not valid JSON, is empty, or lacks an answer cell still rebuilds: the
missing answers are empty cells (so the tests that need them fail, the others run).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field


@dataclass
class Rebuilt:
    """cells: [{"index", "kind": answer|locked|tests, "grade_id", "points", "source"}] (code cells only)."""

    cells: list[dict]
    notes: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)


def source_text(cell: dict) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(str(s) for s in src)
    return src if isinstance(src, str) else ""


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def cell_kind(cell: dict) -> str | None:
    """answer, tests, locked, or None (a markdown cell that is not an answer)."""
    meta = nbgrader_meta(cell)
    if meta.get("solution"):
        return "answer"
    if cell.get("cell_type") != "code":
        return None
    return "tests" if meta.get("grade") else "locked"


def graded_cells(template: dict) -> dict[str, float]:
    """{grade_id: points} of the template's graded cells (autograded tests and manual answers)."""
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0))
            for c in template["cells"] if nbgrader_meta(c).get("grade")}


def load_submission(data: bytes | str) -> tuple[dict | None, str | None]:
    """(notebook, None) or (None, why it could not be read)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if not data.strip():
        return None, "the submitted file is empty"
    try:
        nb = json.loads(data)
    except ValueError as err:
        return None, f"the submitted file is not valid notebook JSON ({err})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "the submitted file is JSON but not a notebook (no list of cells)"
    return nb, None


def rebuild(template: dict, submission: dict | None, *, use_template_answers: bool = False) -> Rebuilt:
    """The cells to run: the template's, with the student's answers.

    use_template_answers: run the instructor's solution (for the trusted reference run).
    """
    notes: list[str] = []
    by_id: dict[str, list[dict]] = {}
    if submission is not None:
        for cell in submission["cells"]:
            gid = nbgrader_meta(cell).get("grade_id") if isinstance(cell, dict) else None
            if isinstance(gid, str):
                by_id.setdefault(gid, []).append(cell)
    template_ids = {nbgrader_meta(c).get("grade_id"): c for c in template["cells"] if nbgrader_meta(c)}
    cells, answers = [], {}
    for index, cell in enumerate(template["cells"]):
        kind = cell_kind(cell)
        if kind is None:
            continue
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if kind == "answer":
            if cell.get("cell_type") != "code":
                continue                                  # a written answer: graded by hand
            if use_template_answers:
                source = source_text(cell)
            else:
                source = _student_answer(gid, cell, by_id, notes, submission is not None)
            answers[gid] = source
        else:
            source = source_text(cell)
            if kind == "tests" and submission is not None and not use_template_answers:
                _note_test_changes(gid, cell, by_id, notes)
        cells.append({"index": index, "kind": kind, "grade_id": gid, "points": float(meta.get("points", 0) or 0),
                      "source": source})
    if submission is not None and not use_template_answers:
        extra = sorted(set(by_id) - set(template_ids))
        if extra:
            notes.append(f"cells with unknown grade_ids were ignored: {', '.join(extra)}")
    return Rebuilt(cells, notes, answers)


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
                     f"{student.get('cell_type')}; its text is run as code")
    if not nbgrader_meta(student).get("solution"):
        notes.append(f"answer cell {gid!r} lost its nbgrader metadata in the submission")
    return source_text(student)


def _note_test_changes(gid: str, cell: dict, by_id: dict, notes: list[str]) -> None:
    found = by_id.get(gid, [])
    if not found:
        notes.append(f"test cell {gid!r} was deleted from the submission (the instructor's copy ran)")
        return
    if len(found) > 1:
        notes.append(f"test cell {gid!r} appears {len(found)} times (the instructor's copy ran once)")
    student = found[0]
    meta = nbgrader_meta(student)
    if student.get("cell_type") != cell.get("cell_type"):
        notes.append(f"test cell {gid!r} was changed to {student.get('cell_type')} (the instructor's copy ran)")
    if float(meta.get("points", 0) or 0) != float(nbgrader_meta(cell).get("points", 0) or 0):
        notes.append(f"test cell {gid!r}: points changed to {meta.get('points')!r} (ignored)")
    visible = strip_hidden(source_text(cell)).strip()
    if strip_hidden(source_text(student)).strip() != visible:
        notes.append(f"test cell {gid!r} was edited (the instructor's copy ran)")


_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)


def strip_hidden(source: str, placeholder: str = "") -> str:
    """``source`` without its hidden-test blocks (what the student's release shows)."""
    return _HIDDEN.sub(placeholder, source)
