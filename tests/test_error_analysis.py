"""cnn_core.error_analysis against the notes' dog classifier (set 004), by hand."""

import pytest

from cnn_core.error_analysis import gaps, largest_gap


def test_the_notes_two_cases():
    # train 2%, dev 10%; bridge 9% -> 7 points variance, 1 mismatch; bridge 3% -> 1 and 7
    assert gaps(2, 9, 10) == {"variance": 7, "data mismatch": 1}
    assert gaps(2, 3, 10) == {"variance": 1, "data mismatch": 7}
    assert largest_gap(2, 9, 10) == "variance"
    assert largest_gap(2, 3, 10) == "data mismatch"


def test_the_test_set_adds_the_dev_overfitting_gap():
    assert gaps(1.0, 2.0, 3.0, 9.5)["overfitting to dev"] == pytest.approx(6.5)
    assert largest_gap(1.0, 2.0, 3.0, 9.5) == "overfitting to dev"
