"""Grading beyond one machine: the same notebooks on a Dask ``distributed`` cluster.

Every worker machine needs this repository's environment (``.venv``, bubblewrap). A task is
plain data (the assignment's set-up message, a notebook's name and bytes) and returns plain
data; each Dask worker process keeps one grading worker (:class:`autograder.workers.WorkerProcess`)
per assignment, with its jails started, for all the tasks it runs. Only the process that
submitted the tasks writes the gradebook, which for several machines (or several
instructors) is a PostgreSQL database::

    python -m autograder grade ps1 --db postgresql://grader@dbhost/course \\
        --scheduler tcp://scheduler:8786
"""

from __future__ import annotations

import hashlib
import json
import threading

_WORKERS: dict[str, object] = {}
_LOCK = threading.Lock()


def _worker_for(setup: dict):
    from .workers import WorkerProcess

    key = hashlib.sha256(json.dumps(setup, sort_keys=True).encode()).hexdigest()
    with _LOCK:
        worker = _WORKERS.get(key)
        if worker is None:
            worker = _WORKERS[key] = WorkerProcess(setup)
        return worker


def remote_grade(setup: dict, notebook: str, data: bytes | None) -> dict:
    """One notebook, graded on whichever Dask worker runs this: {"result": ...} or {"fault": ...}."""
    try:
        return _worker_for(setup).grade(notebook, data)
    except Exception as err:  # noqa: BLE001 - a worker that cannot start is the grader's fault
        return {"fault": f"{type(err).__name__}: {err}"}


class run_on_cluster:  # noqa: N801 - used like a function by autograder.parallel
    """The cluster as :func:`autograder.parallel.grade_assignment` drives it."""

    def __init__(self, client, setup: dict):
        self.client, self.setup = client, setup

    def grade_solution(self, name: str) -> dict:
        return self.client.submit(remote_grade, self.setup, name, None, pure=False).result()

    def results(self, tasks, read):
        from distributed import as_completed

        from .parallel import missing_result

        futures = {}
        for task in tasks:
            data = read(task.path)
            if data == b"<missing>":
                yield task, data, {"result": missing_result(self.setup["templates"][task.notebook],
                                                            f"{task.notebook}.ipynb was not submitted")}
                continue
            futures[self.client.submit(remote_grade, self.setup, task.notebook, data, pure=False)] = (task, data)
        for future in as_completed(list(futures)):
            task, data = futures[future]
            try:
                reply = future.result()
            except Exception as err:  # noqa: BLE001
                reply = {"fault": f"{type(err).__name__}: {err}"}
            yield task, data, reply

    def close(self) -> None:
        pass


def client(address: str | None = None, *, n_workers: int = 2, threads_per_worker: int = 1):
    """A Dask client: connected to ``address`` (``tcp://host:8786``), or to a new LocalCluster."""
    from distributed import Client, LocalCluster

    if address:
        return Client(address)
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=True,
                           dashboard_address=None)
    return Client(cluster)
