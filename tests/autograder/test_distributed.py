"""Grading on a Dask cluster (a LocalCluster of worker processes here) into a shared PostgreSQL
gradebook: the same tasks, the same scores, and only the submitting process writes grades."""

from __future__ import annotations

import json

from autograder.distributed import client as dask_client
from autograder.gradebook import open_gradebook, scores
from autograder.parallel import grade_assignment

from . import _hostile
from .conftest import TEST_LIMITS, make_course

A = _hostile.ASSIGNMENT


def test_dask_local_cluster_grades_into_postgresql(tmp_path, postgres):
    url = postgres.create_database("dask_graded")
    course = make_course(tmp_path / "course")
    course = type(course)(course.root, url)
    cases = {"right": ({}, _hostile.TOTAL),
             "no_conv": ({"conv2d": _hostile.CONV_ZEROS}, _hostile.score_without("conv2d")),
             "exits": ({"torch_layer": "import os\nos._exit(0)\n"}, _hostile.score_without("torch_layer"))}
    for student, (answers, _) in cases.items():
        folder = course.submitted(student, A)
        folder.mkdir(parents=True)
        (folder / f"{A}.ipynb").write_text(json.dumps(_hostile.notebook(answers)))
    client = dask_client(None, n_workers=2)
    try:
        summary = grade_assignment(course, A, limits=TEST_LIMITS, executor=client, progress=False)
        workers = len(client.scheduler_info()["workers"])
    finally:
        client.close()
    assert workers == 2
    assert summary.failed == {} and len(summary.graded) == 3
    with open_gradebook(url) as gb:
        got = {s: sum(scores(gb, A, s, A).values()) for s in cases}
    assert got == {s: expected for s, (_, expected) in cases.items()}
