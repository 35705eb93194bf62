"""Checks for the graded notebooks.

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

How grading stays honest (``autograder/README.md``)
---------------------------------------------------
A student can change anything inside their own kernel, including these functions, so
what a notebook prints is feedback, not the grade. When a notebook is graded, the
student's cells run in a sandboxed process of their own, where the modules a part forbids
do not exist; the test cells, these checks and the scores run in a separate, trusted
process, which receives the student's answers as plain data (a function's outputs on
inputs the tests chose, numbers, arrays, modules of PyTorch's own classes). The same test
source runs in both places: in a student's kernel it checks the student's objects
directly; in the grader it gets stand-ins (:class:`RemoteAnswer`) for them.
"""

from .checks import (check_choice, check_close, check_equal, check_in_range, check_number, check_option,
                     check_shape, check_true)
from .forbid import forbid, forbidden_uses
from .parts import current_part, part
from .remote import RemoteAnswer
from .report import quietly

__all__ = ["part", "current_part", "check_close", "check_equal", "check_shape", "check_number", "check_in_range",
           "check_choice", "check_option", "check_true", "forbid", "forbidden_uses", "quietly", "RemoteAnswer"]
