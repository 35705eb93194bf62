"""The adversarial suite: every hostile or broken submission gets the score its real answers
earn, no more, and the batch completes (see ``_hostile.py`` for the cases and their scores)."""

from __future__ import annotations

import pytest

from . import _hostile
from .conftest import TEST_LIMITS

CASES = {case.name: case for case in _hostile.cases()}


def test_the_suite_is_big_enough():
    assert len(CASES) >= 25


def test_the_batch_completes_without_grader_failures(hostile_batch):
    assert hostile_batch["failed"] == {}
    assert hostile_batch["graded"] == len(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_submission_scores_what_its_answers_earn(hostile_batch, name):
    case = CASES[name]
    scores = hostile_batch["scores"][name]
    result = hostile_batch["results"][name]
    assert set(scores) == {"correlate2d_edge", "correlate2d_random", "conv2d_basic", "conv2d_stride_padding",
                           "conv2d_random", "output_sizes_check", "flip_choice_check", "torch_layer_check"}
    reasons = result["reasons"] if result else None
    assert sum(scores.values()) == case.expected, (scores, reasons)
    if case.check:
        case.check({"limits": TEST_LIMITS}, result)


def test_no_process_outlives_the_run(hostile_batch):
    assert hostile_batch["survivors"] == []


def test_the_sandbox_reaches_no_network(hostile_batch):
    assert hostile_batch["connections"] == 0


@pytest.mark.parametrize("name", ["duplicated_test_cell", "deleted_test_cells", "points_edited",
                                  "answer_grade_id_edited", "invalid_json", "retyped_test_cell"])
def test_tampering_is_noted_for_a_human(hostile_batch, name):
    assert hostile_batch["results"][name]["notes"], name


@pytest.mark.parametrize("name", ["monkeypatched_checks", "forged_channel_lines", "patched_channel_record",
                                  "input_transformer", "writes_gradebook"])
def test_tampering_code_is_flagged(hostile_batch, name):
    assert hostile_batch["results"][name]["flags"], name


def test_honest_submissions_are_not_flagged(hostile_batch):
    for name in ("honest_solution", "honest_empty"):
        assert hostile_batch["results"][name]["flags"] == []
