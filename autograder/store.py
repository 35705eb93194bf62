"""The graded notebook on disk: the rebuilt notebook with its outputs, and the verdict next to it.

``autograded/<student>/<assignment>/<notebook>.ipynb`` is the template with the student's
answers and the outputs of the sandboxed run (nbgrader's format: stream and error outputs);
``<notebook>.grading.json`` holds :func:`autograder.grade_one.grade_notebook`'s result, read
by ``feedback`` and ``report``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import rebuild


def graded_notebook(template: dict, result: dict) -> dict:
    """The template with the student's answers in place and each cell's outputs."""
    nb = json.loads(json.dumps(template))
    by_index = {c["index"]: c for c in result["cells"]}
    answers = result.get("answers", {})
    for index, cell in enumerate(nb["cells"]):
        meta = rebuild.nbgrader_meta(cell)
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell["source"] = answers[meta["grade_id"]]
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        run = by_index.get(index)
        if run is None:
            continue
        for name in ("stdout", "stderr"):
            if run.get(name):
                text = run[name] + ("\n[output truncated]\n" if run.get("truncated") and name == "stdout" else "")
                cell["outputs"].append({"output_type": "stream", "name": name, "text": text})
        if run["status"] != "ok":
            cell["outputs"].append({"output_type": "error", "ename": run.get("ename") or run["status"],
                                    "evalue": run.get("evalue", ""),
                                    "traceback": (run.get("traceback") or "").splitlines()})
    return nb


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def save(folder: Path, notebook: str, template: dict, result: dict) -> None:
    write_atomic(folder / f"{notebook}.ipynb", json.dumps(graded_notebook(template, result), indent=1))
    write_atomic(folder / f"{notebook}.grading.json", json.dumps(result, indent=1))


def load(folder: Path, notebook: str) -> dict | None:
    path = folder / f"{notebook}.grading.json"
    return json.loads(path.read_text()) if path.exists() else None
