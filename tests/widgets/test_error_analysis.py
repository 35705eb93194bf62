"""The error-analysis explorer against the notes' dog classifier, worked by hand."""

import pytest

from cnn_core.widgets.error_analysis import error_analysis_explorer


def test_the_notes_variance_case():
    # train 2%, bridge 9%, dev 10%: 7 points of variance, 1 of data mismatch (set 004)
    ex = error_analysis_explorer(scenario="notes: bridge 9% (variance)")
    assert ex.gaps["variance"] == pytest.approx(7.0)
    assert ex.gaps["data mismatch"] == pytest.approx(1.0)
    assert ex.largest == "variance"
    assert "largest gap: variance (7.0 points)" in ex.render()


def test_the_notes_mismatch_case():
    # train 2%, bridge 3%, dev 10%: 1 point of variance, 7 of data mismatch
    ex = error_analysis_explorer().update(scenario="notes: bridge 3% (data mismatch)")
    assert (ex.gaps["variance"], ex.gaps["data mismatch"]) == pytest.approx((1.0, 7.0))
    assert ex.largest == "data mismatch"


def test_moving_a_slider_makes_the_scenario_custom():
    ex = error_analysis_explorer()
    ex.update(test=15.0)
    assert ex.state["scenario"] == "custom"
    assert ex.gaps["overfitting to dev"] == pytest.approx(5.0)
    assert ex.largest == "variance"          # 7 points still beat 5
    ex.update(test=20.0)
    assert ex.largest == "overfitting to dev"


def test_results_from_a_page_become_scenarios():
    ex = error_analysis_explorer({"model B": {"train": 2.94, "bridge": 5.0, "dev": 13.8, "test": 12.0}},
                                 scenario="model B")
    assert ex.state["train"] == 2.9
    assert ex.largest == "data mismatch"
    knobs, states = ex.static_states()
    assert [k.name for k in knobs] == ["scenario"] and len(states) == 4   # 3 presets + custom
    with pytest.raises(ValueError, match="missing bridge"):
        error_analysis_explorer({"broken": {"train": 1, "dev": 2, "test": 3}})


def test_errors_outside_the_range_are_refused():
    ex = error_analysis_explorer()
    with pytest.raises(ValueError, match="train error % must be one of"):
        ex.update(train=75.0)
    assert ex.state["train"] == 2.0
