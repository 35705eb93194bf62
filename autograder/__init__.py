"""The instructor's grading pipeline: nbgrader's formats and gradebook, graded safely.

A submission is rebuilt from the instructor's template (:mod:`autograder.rebuild`). The
student's cells run in a jailed process (:mod:`autograder.answers`, forked by a fork server
in a bubblewrap jail: :mod:`autograder.zygote`, :mod:`autograder.sandbox`), where the
modules a part forbids do not exist (:mod:`autograder.hiding`). The test cells run in a
trusted judge (:mod:`autograder.judge`) that gets the student's answers only as plain data
(:mod:`autograder.wire`) or as proxies whose calls run in the jail (:mod:`autograder.remote`),
and scores each cell as nbgrader does. Workers hold the jails and fork a judge per notebook
(:mod:`autograder.worker`); batches run in parallel and resume after a crash
(:mod:`autograder.parallel`), here or on a Dask cluster (:mod:`autograder.distributed`); the
parent alone writes nbgrader's gradebook (:mod:`autograder.gradebook`). The command line is
:mod:`autograder.cli`; the threat model is in ``autograder/README.md``.
"""

from .course import Course
from .parallel import grade_assignment
from .sandbox import Limits

__all__ = ["Course", "Limits", "grade_assignment"]
