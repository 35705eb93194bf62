"""Grading beyond one machine: the same tasks on a Dask ``distributed`` cluster.

Every worker machine needs this repository's environment (``.venv``, bubblewrap); the task
itself is plain data (template, solution stream, submitted bytes, limits) and returns plain
data, so nothing else is shared. Only the process that submitted the tasks writes the
gradebook, which for several machines (or several instructors) is a PostgreSQL database::

    python -m autograder grade ps1 --db postgresql://grader@dbhost/course \\
        --scheduler tcp://scheduler:8786

A worker runs as many tasks at once as it has threads; each takes a machine-wide sandbox
slot (:class:`autograder.sandbox.Slot`), so two tasks never share a uid.
"""

from __future__ import annotations

from .grade_one import grade_notebook
from .sandbox import Limits


def remote_task(template: dict, solution: dict, data: bytes, limits: Limits, missing_note: str,
                use_bwrap=None, require_sandbox: bool = False) -> dict:
    """One notebook, graded on whichever worker runs this (see :func:`grade_notebook`)."""
    if data == b"<missing>":
        from .parallel import missing_result
        return missing_result(template, missing_note)
    return grade_notebook(template, solution, data, limits, use_bwrap=use_bwrap, require_sandbox=require_sandbox)


def client(address: str | None = None, *, n_workers: int = 2, threads_per_worker: int = 1):
    """A Dask client: connected to ``address`` (``tcp://host:8786``), or to a new LocalCluster."""
    from distributed import Client, LocalCluster

    if address:
        return Client(address)
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=True,
                           dashboard_address=None)
    return Client(cluster)
