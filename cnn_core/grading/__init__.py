"""Checks for the graded notebooks, and the channel that lets a grader trust them.

Student-facing (used by every test cell of ``notebooks/``):

- :func:`check_close`, :func:`check_equal`, :func:`check_shape`, :func:`check_number`,
  :func:`check_in_range`, :func:`check_true`, :func:`check_choice`, :func:`check_option`: compare an answer
  with the expected value (computed at run time by ``cnn_core`` or PyTorch, never typed);
  print one ``PASS`` line, or raise ``AssertionError`` saying what was expected, what
  was given and for which input. Answers are converted to plain NumPy numbers first, so
  an object that "equals everything" cannot pass.
- :func:`quietly`: one line for a loop of random cases.
- :func:`forbid`: the anti-reference rule (a part that asks you to write X may not call
  the reference or PyTorch's X).
- :func:`part`: the first line of every test cell, naming its nbgrader ``grade_id``.

How grading stays honest (issue 9, ``autograder/``)
---------------------------------------------------
A student can change anything inside their own kernel, including these functions. So the
verdict printed in the notebook is feedback, not the grade. The grader:

1. rebuilds the submission from the instructor's template (only answer cells come from
   the student) and runs it in a sandbox that hides ``cnn_core.reference``, ``torch``'s
   functional ops and the like from student code;
2. sets ``CNN_CORE_GRADING_CHANNEL`` to a file descriptor (or path): every :func:`part`
   and every check then writes one JSON line (grade_id, check, name, the student's value
   as plain numbers, the tolerance) — see :mod:`cnn_core.grading.channel`;
3. runs the same test cells with the instructor's solution in a trusted kernel, and
   compares the two streams itself: a cell scores only if its lines match (same checks,
   in the same order, values within the recorded tolerance).

For that to work, test cells must be deterministic (seeded NumPy generators, hypothesis
with ``derandomize=True``) and every graded value must pass through a check helper
(never a bare ``assert``). ``tests/notebooks`` enforces both.
"""

from .channel import ENV_VAR, current_part, part, record
from .checks import (check_choice, check_close, check_equal, check_in_range, check_number, check_option,
                     check_true,
                     check_shape)
from .forbid import forbid, forbidden_uses
from .report import quietly

__all__ = ["ENV_VAR", "part", "current_part", "record", "check_close", "check_equal", "check_shape",
           "check_number", "check_in_range", "check_choice", "check_option", "check_true", "forbid", "forbidden_uses",
           "quietly"]
