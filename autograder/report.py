"""``report``: the class summary of an assignment, for the instructor.

Writes ``reports/<assignment>/``:

- ``scores.csv``: one row per student, one column per graded cell (from the gradebook);
- ``questions.md``: per graded cell, its points, mean, how many scored full / zero, and
  how many runs ended in a timeout or a kernel death;
- ``distribution.png``: the score distribution of each graded cell, and of the total;
- ``needs_a_human.md``: submissions to look at: tampering flags, rebuilt-notebook notes
  (deleted or duplicated cells, invalid files, renamed notebooks), timeouts and kernel
  deaths, and submitted notebooks the grader could not grade at all.
"""

from __future__ import annotations

import csv
from pathlib import Path

from . import rebuild, store
from .course import DEFAULT_COURSE_ID, Course
from .gradebook import open_gradebook


def class_scores(course: Course, assignment: str,
                 course_id: str = DEFAULT_COURSE_ID) -> dict[str, dict[str, float | None]]:
    """{student: {grade_id: score or None}} over every notebook of the assignment (nbgrader's score:
    a person's, where one was given, else the grader's)."""
    from nbgrader.api import MissingEntry

    templates = course.templates(assignment)
    table = {}
    with open_gradebook(course.db_url, course_id) as gb:
        for student in course.students(assignment):
            row = {}
            for name in templates:
                try:
                    row.update(_cell_scores(gb, assignment, student, name))
                except MissingEntry:
                    row.update({g: None for g in rebuild.graded_cells(templates[name])})
            table[student] = row
    return table


def _cell_scores(gb, assignment: str, student: str, notebook: str) -> dict[str, float | None]:
    """{grade_id: score} of one submitted notebook as nbgrader counts it (a person's score over the
    grader's, extra credit included: ``Grade.score``); None where neither has scored the cell."""
    nb = gb.find_submission_notebook(notebook, assignment, student)
    return {g.name: None if g.auto_score is None and g.manual_score is None else float(g.score) for g in nb.grades}


def needs_a_human(course: Course, assignment: str) -> list[str]:
    lines = []
    for name in course.templates(assignment):
        for student in course.students(assignment):
            result = store.load(course.autograded(student, assignment), name)
            if result is None:
                lines.append(f"- **{student}** / {name}: not graded (the grader failed on it; see its log)")
                continue
            for note in result.get("notes", []):
                lines.append(f"- **{student}** / {name}: {note}")
            for flag in result.get("flags", []):
                lines.append(f"- **{student}** / {name}: suspicious code: {flag}")
            for gid, reason in result.get("reasons", {}).items():
                if "ran out of time" in reason or "kernel died" in reason:
                    lines.append(f"- **{student}** / {name}: {gid}: {reason[:200]}")
    return lines


def report(course: Course, assignment: str, out: Path | None = None,
           course_id: str = DEFAULT_COURSE_ID) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out) if out else course.root / "reports" / assignment
    table = class_scores(course, assignment, course_id)       # an unknown assignment fails here, writing nothing
    points = {}
    for template in course.templates(assignment).values():
        points.update(rebuild.graded_cells(template))
    out.mkdir(parents=True, exist_ok=True)
    ids = list(points)
    with open(out / "scores.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *ids, "total", "max"])
        for student, row in table.items():
            vals = [row.get(g) for g in ids]
            writer.writerow([student, *["" if v is None else v for v in vals],
                             sum(v or 0 for v in vals), sum(points.values())])
    lines = ["| graded cell | points | mean | full marks | zero | not graded |", "|---|---|---|---|---|---|"]
    for g in ids:
        vals = [row.get(g) for row in table.values()]
        got = [v for v in vals if v is not None]
        mean = sum(got) / len(got) if got else 0.0
        lines.append(f"| {g} | {points[g]:g} | {mean:.2f} | {sum(v == points[g] for v in got)} | "
                     f"{sum(v == 0 for v in got)} | {len(vals) - len(got)} |")
    (out / "questions.md").write_text(f"# {assignment}: {len(table)} submissions\n\n" + "\n".join(lines) + "\n")
    human = needs_a_human(course, assignment)
    (out / "needs_a_human.md").write_text(f"# {assignment}: submissions that need a human\n\n"
                                          + ("\n".join(human) if human else "None.") + "\n")
    cols = min(4, len(ids) + 1)
    rows = -(-(len(ids) + 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    for ax, g in zip(axes.flat, ids):
        got = [row.get(g) or 0 for row in table.values()]
        values = sorted(set(got) | {0.0, points[g]})
        ax.bar([f"{v:g}" for v in values], [got.count(v) for v in values], color="#4a7")
        ax.set_title(f"{g} ({points[g]:g})", fontsize=9)
        ax.set_xlabel("score", fontsize=8)
        ax.set_ylabel("students", fontsize=8)
    totals = [sum(v or 0 for v in row.values()) for row in table.values()]
    ax = axes.flat[len(ids)]
    ax.hist(totals, bins=max(1, min(20, int(sum(points.values())) + 1)), color="#47a")
    ax.set_title("total", fontsize=9)
    ax.set_xlabel(f"total score (of {sum(points.values()):g})", fontsize=8)
    ax.set_ylabel("students", fontsize=8)
    for extra in list(axes.flat)[len(ids) + 1:]:
        extra.axis("off")
    fig.suptitle(f"{assignment}: score distribution ({len(table)} submissions)")
    fig.tight_layout()
    fig.savefig(out / "distribution.png", dpi=90)
    plt.close(fig)
    return out
