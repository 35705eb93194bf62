"""The graded notebook on disk: the rebuilt notebook with its outputs, and the verdict next to it.

``autograded/<student>/<assignment>/<notebook>.ipynb`` is the template with the student's
answers and the outputs of the sandboxed run (nbgrader's format: stream and error outputs);
``<notebook>.grading.json`` holds the grading result (:func:`autograder.worker.grade_notebook`), read
by ``feedback`` and ``report``.
"""

from __future__ import annotations

import json
from pathlib import Path

from cnn_core._files import write_text_atomic

from . import rebuild


def graded_notebook(template: dict, result: dict) -> dict:
    """The notebook as it was graded: the template's cells with the student's answers, the cells
    the student added where they ran, and each cell's outputs (nbgrader's format)."""
    nb = json.loads(json.dumps(template))
    answers = result.get("answers", {})
    added = iter(result.get("added", []))
    by_index, after, last = {}, {}, None
    for run in result.get("cells", []):
        if run.get("index") is None:
            after.setdefault(last, []).append(({"cell_type": "code", "metadata": {}, "source": next(added, "")}, run))
        else:
            by_index[run["index"]] = run
            last = run["index"]
    cells = [_with_outputs(c, r) for c, r in after.get(None, [])]
    for index, cell in enumerate(nb["cells"]):
        meta = rebuild.nbgrader_meta(cell)
        if cell.get("cell_type") == "code" and rebuild.cell_kind(cell) is None:
            continue                                   # the release's own cells: the student's copies ran
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell["source"] = answers[meta["grade_id"]]
        cells.append(_with_outputs(cell, by_index.get(index)))
        cells += [_with_outputs(c, r) for c, r in after.get(index, [])]
    nb["cells"] = cells
    return nb


def _with_outputs(cell: dict, run: dict | None) -> dict:
    if cell.get("cell_type") != "code":
        return cell
    cell["outputs"], cell["execution_count"] = [], None
    if run is None:
        return cell
    for name in ("stdout", "stderr"):
        if run.get(name):
            text = run[name] + ("\n[output truncated]\n" if run.get("truncated") and name == "stdout" else "")
            cell["outputs"].append({"output_type": "stream", "name": name, "text": text})
    if run["status"] not in ("ok", "skipped", "manual"):
        cell["outputs"].append({"output_type": "error", "ename": run.get("ename") or run["status"],
                                "evalue": run.get("evalue", ""),
                                "traceback": (run.get("traceback") or "").splitlines()})
    return cell


def save(folder: Path, notebook: str, template: dict, result: dict) -> None:
    write_text_atomic(folder / f"{notebook}.ipynb", json.dumps(graded_notebook(template, result), indent=1))
    write_text_atomic(folder / f"{notebook}.grading.json", json.dumps(result, indent=1))


def load(folder: Path, notebook: str) -> dict | None:
    """The grading result saved for ``notebook``, None if there is none; a damaged file is named."""
    path = folder / f"{notebook}.grading.json"
    if not path.exists():
        return None
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        result, reason = None, str(err)
    else:
        reason = "it holds no grading result"
    if not isinstance(result, dict) or not isinstance(result.get("scores"), dict):
        from .cli import Mistake

        student, assignment = folder.parent.name, folder.name
        raise Mistake(f"{path} is damaged ({reason}): grade it again with `autograder grade {assignment} "
                      f"--student {student} --force`")
    return result
