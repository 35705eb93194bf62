"""cnn_core.grading.checks: PASS lines, failure messages, and answers that must not pass."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from cnn_core.grading import (check_choice, check_close, check_equal, check_in_range, check_number, check_option,
                              check_shape, check_true)


class Liar:
    """Claims to equal everything: a bare ``got == expected`` would pass it."""
    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.array([Liar()], dtype=object)


def test_pass_prints_one_line(capsys):
    check_close("conv2d, stride 2, padding 1", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 3e-7]), rtol=1e-6)
    out = capsys.readouterr().out
    assert out == "PASS conv2d, stride 2, padding 1: max difference 3e-07\n"


def test_failure_names_index_values_difference_and_input():
    got = np.zeros((2, 3))
    expected = np.zeros((2, 3))
    expected[1, 2] = 0.5
    with pytest.raises(AssertionError) as err:
        check_close("relu", got, expected, inputs={"x": np.ones((2, 3)), "stride": 2})
    msg = str(err.value)
    assert msg.startswith("FAIL relu:")
    assert "1 of 6 values differ" in msg and "(1, 2)" in msg and "expected 0.5, got 0" in msg
    assert "max difference 0.5" in msg and "x = array of shape (2, 3)" in msg and "stride = 2" in msg


def test_shape_mismatch_is_reported():
    with pytest.raises(AssertionError, match=r"expected an array of shape \(2, 2\), got shape \(3,\)"):
        check_close("x", np.zeros(3), np.zeros((2, 2)))


@pytest.mark.parametrize("bad", [Liar(), [Liar(), Liar()], np.array(["1", "2"]), "1.0", None, {"a": 1}])
def test_objects_and_text_never_pass(bad):
    for check in (lambda: check_close("c", bad, np.ones(2)), lambda: check_equal("e", bad, np.ones(2)),
                  lambda: check_number("n", bad, 1.0), lambda: check_shape("s", bad, (2,))):
        with pytest.raises(AssertionError, match="FAIL"):
            check()


def test_nan_never_passes():
    with pytest.raises(AssertionError, match="NaN or inf"):
        check_close("x", np.array([np.nan]), np.array([np.nan]))


def test_torch_tensors_are_accepted(capsys):
    t = torch.ones(2, 3, requires_grad=True) * 2
    check_close("torch", t, np.full((2, 3), 2.0))
    assert capsys.readouterr().out.startswith("PASS torch")


@given(arrays(np.float64, array_shapes(max_dims=3, max_side=4), elements=st.floats(-1e3, 1e3)),
       st.floats(1e-9, 1e-3))
def test_close_agrees_with_numpy_allclose(a, rtol):
    """Independent oracle: np.allclose with the same rtol/atol (and equal_nan=False)."""
    b = a * (1 + 2 * rtol) + 1e-12
    ok = np.allclose(b, a, rtol=rtol, atol=1e-10)
    if ok:
        check_close("a", b, a, rtol=rtol, atol=1e-10)
    else:
        with pytest.raises(AssertionError):
            check_close("a", b, a, rtol=rtol, atol=1e-10)


def test_check_equal_exact():
    check_equal("mask", np.array([True, False]), np.array([1, 0]))
    with pytest.raises(AssertionError, match=r"first at index \(1,\): expected 2, got 3"):
        check_equal("labels", [1, 3], np.array([1, 2]))


def test_check_number():
    check_number("size", np.int64(15), 15)
    check_number("pct", 12.34, 12.3456, atol=0.01)
    with pytest.raises(AssertionError, match="expected 15, got 16"):
        check_number("size", 16, 15)
    with pytest.raises(AssertionError, match="expected 86704128, got 86704129"):
        check_number("macs", 86704129, 86704128)   # in full, not 8.67041e+07 twice
    with pytest.raises(AssertionError, match="boolean"):
        check_number("size", True, 1)
    with pytest.raises(AssertionError, match="single number"):
        check_number("size", [1, 2], 1)


def test_check_shape_accepts_arrays_and_tuples():
    check_shape("s", np.zeros((2, 3)), (2, 3))
    check_shape("s", (2, 3), [2, 3])
    with pytest.raises(AssertionError, match=r"expected shape \(2, 3\), got \(3, 2\)"):
        check_shape("s", np.zeros((3, 2)), (2, 3))


def test_check_in_range():
    check_in_range("params", 9_000, high=10_000)
    with pytest.raises(AssertionError, match=r"in \[-inf, 10000\], got 10001"):
        check_in_range("params", 10_001, high=10_000)
    with pytest.raises(AssertionError):
        check_in_range("acc", float("nan"), low=0.5)


def test_check_true_needs_a_real_bool():
    check_true("frozen", np.bool_(True))
    with pytest.raises(AssertionError, match="expected True or False, got int"):
        check_true("frozen", 1)
    with pytest.raises(AssertionError, match="expected True, got False: hint"):
        check_true("frozen", False, "hint")


def test_check_choice():
    check_choice("q", " B ", "b", ["a", "b", "c"])
    with pytest.raises(AssertionError, match="not one of the options"):
        check_choice("q", "d", "b", ["a", "b", "c"])
    with pytest.raises(AssertionError, match="not the right choice"):
        check_choice("q", "a", "b", {"a": "x", "b": "y"})

    class Sneaky(str):
        def __eq__(self, other):
            return True
        __hash__ = str.__hash__
    with pytest.raises(AssertionError, match="as a string"):
        check_choice("q", Sneaky("a"), "b", ["a", "b"])


def test_check_option_only_checks_validity(capsys):
    check_option("q", "c", ["a", "b", "c"])
    assert "hidden test" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        check_option("q", "z", ["a", "b", "c"])


def test_the_verdict_comes_first_and_fits_a_short_line():
    """nbgrader validate cuts long lines: the count, the expected and the given value come first."""
    with pytest.raises(AssertionError) as err:
        check_close("conv1x1", np.full((2, 3, 4, 10), -0.16), np.full((2, 3, 4, 10), -0.99))
    first = str(err.value)
    assert first.startswith("FAIL conv1x1: 240 of 240 values differ, expected -0.99, got -0.16")
    assert len("FAIL conv1x1: 240 of 240 values differ, expected -0.99, got -0.16") <= 90


def test_a_float32_answer_is_held_to_what_float32_can_do():
    exact = np.array([-0.99382346], dtype=np.float64)
    got32 = exact.astype(np.float32)
    check_close("float32 answer", got32, exact, rtol=1e-12, atol=1e-12)        # passes: float32's floor
    with pytest.raises(AssertionError, match="the least a float32 answer can be held to"):
        check_close("float32 answer", got32 + np.float32(1e-3), exact, rtol=1e-12, atol=1e-12)
    with pytest.raises(AssertionError):
        check_close("float64 answer", exact + 1e-9, exact, rtol=1e-12, atol=1e-12)  # float64 keeps its tolerance


def test_a_list_works_where_an_array_is_asked_and_a_ragged_one_is_refused_with_a_sentence():
    check_close("list", [[1.0, 2.0]], np.array([[1.0, 2.0]]))
    with pytest.raises(AssertionError, match="cannot be turned into numbers|expected plain numbers"):
        check_close("ragged", [[1.0, 2.0], [3.0]], np.zeros((2, 2)))
