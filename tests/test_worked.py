"""cnn_core.worked: the written-out arithmetic and the comparison with the notes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnn_core.worked import Discrepancy, compare_with_notes, dot_product_terms, show_matrix  # noqa: E402


def test_dot_product_terms_writes_the_notes_first_entry():
    # seed 001, first window of the 6x6 example with the [1 2 1; 0 0 0; 1 2 1] filter:
    # 2*1 + 4*2 + 5*1 + 0 + 0 + 0 + 2*1 + 3*2 + 1*1 = 24 (by hand)
    patch = [[2, 4, 5], [3, 1, 2], [2, 3, 1]]
    kernel = [[1, 2, 1], [0, 0, 0], [1, 2, 1]]
    assert dot_product_terms(patch, kernel) == (
        "(2x1) + (4x2) + (5x1) + (3x0) + (1x0) + (2x0) + (2x1) + (3x2) + (1x1) = 24")


def test_dot_product_terms_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        dot_product_terms(np.ones((2, 2)), np.ones((3, 3)))


def test_compare_with_notes_lists_each_slip():
    computed = np.array([[24.0, 28.0], [36.0, 38.0]])
    notes = np.array([[23, 28], [36, 36]])
    found = compare_with_notes(computed, notes)
    assert found == [Discrepancy((0, 0), 23.0, 24.0), Discrepancy((1, 1), 36.0, 38.0)]
    assert str(found[0]) == "entry (0, 0): the notes have 23, the computed value is 24"
    assert compare_with_notes(computed, computed) == []


def test_compare_with_notes_tolerates_rounding_only_when_asked():
    assert compare_with_notes([0.4898], [0.49]) != []
    assert compare_with_notes([0.4898], [0.49], atol=0.005) == []
    with pytest.raises(ValueError, match="shape"):
        compare_with_notes(np.ones((2, 2)), np.ones((3, 3)))


def test_show_matrix_frames_the_highlighted_cells():
    fig, ax = plt.subplots()
    show_matrix(ax, [[1, 2], [3, 4]], "m", highlight=[Discrepancy((1, 0), 5, 3)])
    frames = [p for p in ax.patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0)]
    assert len(frames) == 1 and frames[0].get_xy() == (-0.5, 0.5)
    assert [t.get_text() for t in ax.texts] == ["1", "2", "3", "4"]
    plt.close(fig)
