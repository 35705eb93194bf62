"""The instructor's grading pipeline (issue 9): nbgrader's formats and gradebook, graded safely.

Student code runs in a sandbox (:mod:`autograder.sandbox`), from a notebook rebuilt from
the instructor's template (:mod:`autograder.rebuild`), one cell at a time under the
grader's clock (:mod:`autograder.execute`); the verdict compares what the test cells
recorded with what they recorded for the instructor's solution (:mod:`autograder.verdict`),
in the parent process, which alone writes the gradebook (:mod:`autograder.gradebook`).
Batches run in parallel and resume after a crash (:mod:`autograder.parallel`), here or on
a Dask cluster (:mod:`autograder.distributed`). The command line is :mod:`autograder.cli`;
the threat model is in ``autograder/README.md``.
"""

from .course import Course
from .grade_one import grade_notebook, solution_run
from .parallel import grade_assignment
from .sandbox import Limits

__all__ = ["Course", "Limits", "grade_assignment", "grade_notebook", "solution_run"]
