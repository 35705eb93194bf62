"""The adversarial suite: every hostile or broken submission gets the score its real answers
earn, no more, every honest twin gets full marks, and the batch completes with no grader
failure (see ``_hostile.py`` for ch02's cases and ``_hostile_pooling.py`` for ch07's)."""

from __future__ import annotations

import pytest

from . import _hostile, _hostile_pooling
from .conftest import SUITES, TEST_LIMITS

CASES = {f"{suite.ASSIGNMENT}/{case.name}": (suite, case) for suite in SUITES for case in suite.cases()}
CH02_CELLS = {"correlate2d_edge", "correlate2d_random", "conv2d_basic", "conv2d_stride_padding", "conv2d_random",
              "output_size_a_check", "output_size_b_check", "output_params_c_check", "flip_choice_check",
              "torch_layer_check"}


def test_the_suite_is_big_enough():
    assert len(CASES) >= 60
    twins = [name for name in CASES if name.endswith("__twin")]
    assert len(twins) >= 20, "every attack of the pooling suite has an honest twin"
    for name in twins:
        assert name.removesuffix("__twin") in CASES, name


def test_the_batch_completes_without_grader_failures(hostile_batch):
    assert hostile_batch["failed"] == {}
    assert hostile_batch["graded"] == len(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_submission_scores_what_its_answers_earn(hostile_batch, name):
    suite, case = CASES[name]
    scores = hostile_batch["scores"][name]
    result = hostile_batch["results"][name]
    cells = CH02_CELLS if suite is _hostile else _hostile_pooling.CELLS
    assert set(scores) == cells
    reasons = result["reasons"] if result else None
    assert sum(v or 0 for v in scores.values()) == case.expected, (scores, reasons)
    if case.check:
        case.check({"limits": TEST_LIMITS}, result)


def test_no_process_outlives_the_run(hostile_batch):
    assert hostile_batch["survivors"] == []


def test_the_sandbox_reaches_no_network(hostile_batch):
    assert hostile_batch["connections"] == 0


@pytest.mark.parametrize("name", ["duplicated_test_cell", "deleted_test_cells", "points_edited",
                                  "answer_grade_id_edited", "invalid_json", "retyped_test_cell"])
def test_tampering_is_noted_for_a_human(hostile_batch, name):
    assert hostile_batch["results"][f"{_hostile.ASSIGNMENT}/{name}"]["notes"], name


def test_broken_metadata_is_noted_not_fatal(hostile_batch):
    for name in ("points_not_a_number", "points_huge", "junk_metadata", "json_nested_too_deep"):
        assert hostile_batch["results"][f"{_hostile_pooling.ASSIGNMENT}/{name}"]["notes"], name


def test_an_added_helper_cell_runs_where_the_student_put_it(hostile_batch):
    result = hostile_batch["results"][f"{_hostile_pooling.ASSIGNMENT}/helper_in_an_added_cell"]
    assert any("added" in note for note in result["notes"])
    added = [c for c in result["cells"] if c["kind"] == "added"]
    assert added and all(c["status"] == "ok" for c in added)
