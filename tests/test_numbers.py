"""``cnn_core._numbers.number``: the one rule every formatter of the package follows.

Expected strings are written by hand; the property tests check the two promises that
matter to a reader: a whole number is never written with a point or an exponent below
its bound, and the text reads back as the number it stands for, within its rounding.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_core._numbers import number
from cnn_core.grading.report import fmt as brief
from cnn_core.widgets._draw import fmt as drawn


@pytest.mark.parametrize("x, text", [
    (24.0, "24"), (-0.0, "0"), (3.25, "3.25"), (3e-7, "3e-07"), (2 / 3, "0.667"), (1e9, "1e+09"),
    (float("nan"), "nan"), (float("inf"), "inf"),
])
def test_default_three_significant_digits(x, text):
    assert number(x) == text


@pytest.mark.parametrize("x, text", [
    (12.0, "12"), (0.25, "0.25"), (3e-7, "3e-07"), (999_999.0, "999999"), (1_000_000.0, "1e+06"),
    (0.123456, "0.123"),
])
def test_the_checks_brief_difference(x, text):
    assert brief(x) == text


@pytest.mark.parametrize("x, digits, text", [
    (24.0, 3, "24"), (3.25, 3, "3.25"), (-0.5, 3, "-0.5"), (1 / 3, 4, "0.3333"), (1234.5678, 3, "1234.57"),
    (0.004567, 3, "0.00457"), (123456.7, 3, "1.23e+05"), (2.0 ** 0.5, 2, "1.41"),
])
def test_the_explorers_decimals(x, digits, text):
    assert drawn(x, digits) == text


@pytest.mark.parametrize("x, text", [(7 / 3, "2.33"), (2.5, "2.5"), (3.0, "3"), (-0.5, "-0.5"), (1e12, "1000000000000")])
def test_the_shape_messages(x, text):
    assert number(x, 6, decimals=2, whole_below=math.inf if x == 1e12 else 1e9) == text


def test_values_in_full_keep_large_whole_numbers():
    assert number(86704128.0, 10, whole_below=1e16) == "86704128"
    assert number(0.1234567891234, 10, whole_below=1e16) == "0.1234567891"


@given(st.integers(-10**8, 10**8))
def test_whole_numbers_are_written_as_integers(n):
    assert number(float(n)) == str(n)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12), st.integers(1, 8))
def test_text_reads_back_within_its_rounding(x, digits):
    back = float(number(x, digits, decimals=digits))  # decimals keep at most six significant digits
    assert math.isclose(back, x, rel_tol=max(10.0 ** (1 - digits), 1e-5), abs_tol=10.0 ** -digits)


@given(st.floats(min_value=1e-2, max_value=9999.99))
def test_two_decimals_as_the_shape_messages_always_wrote_them(x):
    assert number(x, 6, decimals=2, whole_below=math.inf) == f"{x:.2f}".rstrip("0").rstrip(".")
