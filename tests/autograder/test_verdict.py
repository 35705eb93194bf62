"""The verdict compares recorded streams in the grader's process; hand-written records here."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from autograder.verdict import cell_verdict, compare_streams, values_close


def _rec(check, got, name="case", tol=None, passed=True, gid="g"):
    return {"seq": 1, "grade_id": gid, "event": "check", "check": check, "name": name, "passed": passed,
            "got": got, "tolerance": tol or {}}


PART = {"seq": 0, "grade_id": "g", "event": "part"}


def _cell(records, status="ok", **kw):
    return {"status": status, "records": records, "bad_lines": 0, "ename": kw.get("ename", ""),
            "evalue": kw.get("evalue", "")}


def test_matching_streams_score_the_points():
    rec = [PART, _rec("check_close", {"shape": [2], "values": [1.0, 2.0]}, tol={"rtol": 1e-5, "atol": 1e-8})]
    v = cell_verdict("g", 3.0, _cell(rec), _cell(rec))
    assert (v.score, v.reason) == (3.0, "")


def test_values_within_twice_the_tolerance_match_and_beyond_do_not():
    tol = {"rtol": 0.0, "atol": 0.1}
    want = [PART, _rec("check_close", {"shape": [1], "values": [1.0]}, tol=tol)]
    near = [PART, _rec("check_close", {"shape": [1], "values": [1.19]}, tol=tol)]
    far = [PART, _rec("check_close", {"shape": [1], "values": [1.21]}, tol=tol)]
    assert compare_streams(near, want) is None
    assert "1.21" in compare_streams(far, want)


def test_the_students_own_tolerance_is_not_used():
    want = [PART, _rec("check_close", 1.0, tol={"rtol": 0, "atol": 1e-9})]
    got = [PART, _rec("check_close", 5.0, tol={"rtol": 0, "atol": 100.0})]
    assert compare_streams(got, want) is not None


def test_a_cell_that_failed_scores_nothing_even_with_matching_lines():
    rec = [PART, _rec("check_number", 3)]
    v = cell_verdict("g", 2.0, _cell(rec, status="error", ename="AssertionError", evalue="x"), _cell(rec))
    assert v.score == 0 and "AssertionError" in v.reason


def test_missing_extra_and_reordered_checks_fail():
    a, b = _rec("check_number", 1, name="a"), _rec("check_number", 2, name="b")
    want = [PART, a, b]
    assert compare_streams([PART, a], want) == "the cell wrote 2 lines to the grading channel, the solution 3"
    assert compare_streams([PART, a, b, b], want) is not None
    assert compare_streams([PART, b, a], want) is not None


def test_pass_only_checks_need_a_passed_line():
    want = [PART, _rec("forbid", None)]
    assert compare_streams([PART, _rec("forbid", None, passed=False)], want) == "line 2 (case): did not pass"


def test_in_range_uses_the_solutions_bounds():
    want = [PART, _rec("check_in_range", 0.9, tol={"low": 0.8, "high": None})]
    assert compare_streams([PART, _rec("check_in_range", 0.85)], want) is None
    assert compare_streams([PART, _rec("check_in_range", 0.5, tol={"low": 0.0, "high": None})], want) is not None


def test_nan_and_strings_compare_exactly():
    assert values_close("nan", "nan", 0, 0) is None
    assert values_close(1.0, "nan", 1, 1) is not None
    assert compare_streams([PART, _rec("check_choice", "a")], [PART, _rec("check_choice", "b")]) is not None


def test_types_do_not_mix():
    # JSON true is not the number 1, a list is not a dict
    assert compare_streams([PART, _rec("check_equal", True)], [PART, _rec("check_equal", 1)]) is not None
    assert values_close([1.0], {"shape": [1], "values": [1.0]}, 0, 0) is not None


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20), st.floats(0, 1e-3))
def test_records_that_went_through_json_match_themselves(values, rtol):
    rec = [PART, _rec("check_close", {"shape": [len(values)], "values": values}, tol={"rtol": rtol, "atol": 0})]
    assert compare_streams(json.loads(json.dumps(rec)), rec) is None


@pytest.mark.parametrize("shape", [[2, 3], [6], [3, 2]])
def test_shapes_must_agree(shape):
    want = [PART, _rec("check_close", {"shape": [2, 3], "values": [0.0] * 6})]
    got = [PART, _rec("check_close", {"shape": shape, "values": [0.0] * 6})]
    assert (compare_streams(got, want) is None) == (shape == [2, 3])
