"""What the grader's stand-ins for a student's objects have in common.

When a notebook is graded (``autograder/``), the student's code runs in a separate,
sandboxed process and the test cells run in a trusted one. A test cell that uses a
student's function gets a stand-in, a subclass of :class:`RemoteAnswer`, whose calls are
carried out in the student's process. The checks of this package need to know one thing
about such a stand-in: which modules are absent from the process its code runs in.
"""

from __future__ import annotations


class RemoteAnswer:
    """Base class of the grader's stand-ins for objects that live in the student's process."""

    __slots__ = ()

    def answer_hidden_modules(self) -> tuple[str, ...]:
        """The modules that do not exist in the process where this object's code runs."""
        raise NotImplementedError
