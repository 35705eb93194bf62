"""``feedback``: one HTML page per student and notebook, from the graded notebook and verdict.

Each test cell shows its score, and when it did not score, why (the check's own message:
what was expected, what was given, for which input). The cells the student added appear
where they ran. Hidden tests are shown as a one-line placeholder
unless the instructor asks for them (``--show-hidden``); the student's own output is shown
as it came, capped as it was captured. Markdown cells (instructions, written answers) are
rendered, with any raw HTML in them escaped.
"""

from __future__ import annotations

import html
from pathlib import Path

from cnn_core._files import write_text_atomic

from . import rebuild, store
from .course import Course

STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.cell{border-left:4px solid #ccc;margin:1em 0;padding-left:1em}.ok{border-color:#2a2}.bad{border-color:#c22}
.score{font-weight:bold}.note{color:#a60}.markdown{border-left-color:transparent}"""


def markdown(text: str) -> str:
    """Markdown as HTML, with any raw HTML in it shown as text (a student's answer can hold some)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render(text)


def render(template: dict, result: dict, title: str, *, show_hidden: bool = False) -> str:
    nb = store.graded_notebook(template, result)
    total = sum(v for v in result["scores"].values() if v is not None)
    possible = sum(p for g, p in result["points"].items() if g in result["scores"])
    out = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title><style>{STYLE}</style>",
           f"<h1>{html.escape(title)}</h1><p class='score'>Score: {total:g} / {possible:g}</p>"]
    for note in result.get("notes", []):
        out.append(f"<p class='note'>{html.escape(note)}</p>")
    for cell in nb["cells"]:
        meta = rebuild.nbgrader_meta(cell)
        gid = meta.get("grade_id")
        source = rebuild.source_text(cell)
        if meta.get("solution") and gid not in result.get("answers", {}):
            source = ""                     # no answer in the result: the template's text is the solution
        css = "cell"
        header = ""
        if meta.get("grade") and gid in result["scores"]:      # every graded cell, written answers too
            score, points = result["scores"][gid], result["points"].get(gid, 0)
            css += " ok" if score == points else " bad" if score is not None else ""
            shown = "to be graded by hand" if score is None else f"{score:g}"
            header = f"<p class='score'>{html.escape(gid)}: {shown} / {points:g}</p>"
            if gid in result.get("reasons", {}):
                header += f"<p>{html.escape(result['reasons'][gid])}</p>"
        if cell.get("cell_type") == "markdown":
            out.append(f"<div class='cell markdown'>{header}{markdown(source)}</div>")
            continue
        if header:
            if not show_hidden:
                source = rebuild.strip_hidden(source, "# (hidden tests: they ran, their source is not shown)\n")
        elif not meta.get("solution") and not show_hidden:
            source = rebuild.strip_hidden(source, "")
        out.append(f"<div class='{css}'>{header}<pre>{html.escape(source)}</pre>")
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                out.append(f"<pre>{html.escape(output['text'])}</pre>")
            elif output["output_type"] == "error":
                text = f"{output['ename']}: {output['evalue']}"
                if show_hidden:
                    text += "\n" + "\n".join(output.get("traceback", []))
                out.append(f"<pre>{html.escape(text)}</pre>")
        out.append("</div>")
    return "\n".join(out)


def feedback(course: Course, assignment: str, *, show_hidden: bool = False) -> list[Path]:
    """Write ``feedback/<student>/<assignment>/<notebook>.html``; return the pages written."""
    written = []
    for name, template in course.templates(assignment).items():
        for student in course.students(assignment):
            result = store.load(course.autograded(student, assignment), name)
            if result is None:
                continue
            page = course.feedback(student, assignment) / f"{name}.html"
            write_text_atomic(page, render(template, result, f"{assignment} / {name}: {student}",
                                            show_hidden=show_hidden))
            written.append(page)
    return written
