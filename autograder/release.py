"""``release``: the student version of an assignment, made by nbgrader itself.

Runs ``nbgrader generate_assignment`` on ``source/<assignment>/`` (solutions and hidden
tests removed, cells locked, checksums computed, the gradebook told about the graded
cells), so the released notebooks are exactly nbgrader's format.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .course import Course


def release(course: Course, assignment: str, course_id: str = "default_course") -> Path:
    """Write ``release/<assignment>/``; return that folder. Raises RuntimeError with nbgrader's output."""
    course.templates(assignment)                       # a clear error when the source is missing
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", "--create",
           f"--CourseDirectory.root={course.root}", f"--CourseDirectory.db_url={course.db_url}",
           f"--CourseDirectory.course_id={course_id}"]
    proc = subprocess.run(cmd, cwd=course.root, capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{proc.stdout}\n{proc.stderr}")
    return course.release(assignment)
