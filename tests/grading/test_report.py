"""cnn_core.grading.report: quiet loops print one summary line and never hide a failure."""

import numpy as np
import pytest

from cnn_core.grading import check_close, quietly


def test_quietly_summarises(capsys):
    with quietly("three cases"):
        for d in (0.0, 1e-9, 2e-9):
            check_close("c", np.array([1.0 + d]), np.array([1.0]), atol=1e-8)
    assert capsys.readouterr().out == "PASS three cases: 3 checks, max difference 2e-09\n"


def test_quietly_reraises_the_first_failure(capsys):
    with pytest.raises(AssertionError, match="FAIL bad"):
        with quietly("cases"):
            check_close("good", np.ones(1), np.ones(1))
            check_close("bad", np.zeros(1), np.ones(1))
    assert capsys.readouterr().out == ""
    check_close("after", np.ones(1), np.ones(1))   # printing is back to normal
    assert capsys.readouterr().out.startswith("PASS after")


def test_an_empty_loop_fails():
    with pytest.raises(AssertionError, match="no check ran"):
        with quietly("nothing"):
            pass
