"""``export``: the gradebook as CSV, one row per student and assignment (nbgrader's columns).

Columns: ``assignment, duedate, timestamp, student_id, last_name, first_name, email,
raw_score, late_submission_penalty, score, max_score``, like ``nbgrader export``, plus
``needs_review`` (a notebook of the submission is flagged, or an answer awaits a person's
grade). Rows are sorted by assignment and student; ``timestamp`` is the submission's time
(from the LMS zip, written by ``collect``), so late penalties can be computed from it.
"""

from __future__ import annotations

import csv
import io

from .course import DEFAULT_COURSE_ID
from .gradebook import open_gradebook

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
           "raw_score", "late_submission_penalty", "score", "max_score", "needs_review"]


def export_csv(db_url: str, course_id: str = DEFAULT_COURSE_ID) -> tuple[str, int]:
    """(the CSV, how many rows have a graded submission)."""
    from nbgrader.api import MissingEntry

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS)
    writer.writeheader()
    graded = 0
    with open_gradebook(db_url, course_id) as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            for student in sorted(gb.students, key=lambda s: s.id):
                row = {"assignment": assignment.name, "duedate": assignment.duedate or "", "student_id": student.id,
                       "last_name": student.last_name or "", "first_name": student.first_name or "",
                       "email": student.email or ""}
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0,
                               max_score=assignment.max_score, needs_review=False)
                else:
                    penalty = sub.late_submission_penalty or 0.0          # never below 0, as nbgrader's CSV
                    row.update(timestamp=sub.timestamp or "", raw_score=sub.score,
                               late_submission_penalty=penalty, score=max(0.0, sub.score - penalty),
                               max_score=sub.max_score,
                               needs_review=any(nb.flagged or nb.needs_manual_grade for nb in sub.notebooks))
                    graded += 1
                writer.writerow(row)
    return buffer.getvalue(), graded
