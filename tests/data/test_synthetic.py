import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from cnn_core.data.synthetic import (LETTERS, SHAPE_CLASSES, XO_CLASSES, letter, make_bars,
                                     make_shapes, make_xo_letters)


def test_o_reproduces_the_worked_example_of_the_notes():
    # Notes 000, "Tic-Tac-Toe": the O convolved with the anti-diagonal filter, bias -2.
    notes_feature_map = np.array([[1, -1, -2, -1],
                                  [-1, -2, -1, -2],
                                  [-2, -1, -2, -1],
                                  [-1, -2, -1, 1]], dtype=np.float32)
    kernel = torch.tensor([[0, 0, 1], [0, 1, 0], [1, 0, 0]], dtype=torch.float32)
    o = torch.from_numpy(letter("O"))[None, None]
    feature_map = F.conv2d(o, kernel[None, None], bias=torch.tensor([-2.0]))[0, 0].numpy()
    np.testing.assert_array_equal(feature_map, notes_feature_map)
    np.testing.assert_array_equal(np.maximum(feature_map, 0), np.diag([1, 0, 0, 1]).astype(np.float32))


def test_x_is_the_two_diagonals():
    x = letter("x")
    assert x.shape == (6, 6) and x.dtype == np.float32
    np.testing.assert_array_equal(x, np.maximum(np.eye(6), np.fliplr(np.eye(6))))


def test_letters_are_read_only_and_letter_copies():
    with pytest.raises(ValueError):
        LETTERS["X"][0, 0] = 5
    copy = letter("O")
    copy[0, 0] = 5
    assert LETTERS["O"][0, 0] == 0
    np.testing.assert_array_equal(letter("O", signed=True), np.where(LETTERS["O"] > 0, 1, -1))
    with pytest.raises(ValueError, match="'X' and 'O'"):
        letter("Z")


@given(seed=st.integers(0, 2**16), size=st.integers(6, 14), data=st.data())
def test_shifted_letters_stay_whole_inside_the_canvas(seed, size, data):
    max_shift = data.draw(st.integers(0, (size - 6) // 2))
    images, labels = make_xo_letters(12, rng=seed, size=size, max_shift=max_shift)
    assert images.shape == (12, 1, size, size) and images.dtype == np.float32
    assert labels.dtype == np.int64 and np.bincount(labels, minlength=2).tolist() == [6, 6]
    centre = (size - 6) // 2
    for image, label in zip(images[:, 0], labels):
        pattern = LETTERS[XO_CLASSES[label]]
        # the letter is somewhere within max_shift of the centre, whole, on an empty canvas
        found = [(dy, dx) for dy in range(-max_shift, max_shift + 1) for dx in range(-max_shift, max_shift + 1)
                 if np.array_equal(image[centre + dy:centre + dy + 6, centre + dx:centre + dx + 6], pattern)]
        assert found and image.sum() == pattern.sum()


def test_shifts_actually_vary_and_seed_reproduces():
    a, la = make_xo_letters(40, rng=7, size=12, max_shift=3)
    b, lb = make_xo_letters(40, rng=7, size=12, max_shift=3)
    c, _ = make_xo_letters(40, rng=8, size=12, max_shift=3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(a, c)
    centres = {tuple(np.argwhere(img[0] > 0).mean(axis=0).round(1)) for img in a}
    assert len(centres) > 5


def test_noise_and_rotation_stay_in_range_and_keep_the_letter_visible():
    clean, labels = make_xo_letters(20, rng=1, size=10, max_shift=0)
    noisy, labels2 = make_xo_letters(20, rng=1, size=10, max_shift=0, noise=0.2, max_rotation=10)
    assert noisy.min() >= 0 and noisy.max() <= 1
    assert not np.array_equal(clean, noisy)
    np.testing.assert_array_equal(labels, labels2)
    # the noisy image is still closer to its own clean letter than to the other one
    for img, label in zip(noisy[:, 0], labels2):
        own = LETTERS[XO_CLASSES[label]]
        other = LETTERS[XO_CLASSES[1 - label]]
        crop = img[2:8, 2:8]
        assert np.abs(crop - own).sum() < np.abs(crop - other).sum()


def test_a_shift_that_does_not_fit_is_explained():
    with pytest.raises(ValueError, match="does not fit an 8x8 canvas.*size >= 12"):
        make_xo_letters(4, rng=0, size=8, max_shift=3)


@given(seed=st.integers(0, 2**16), size=st.integers(10, 20))
def test_shapes(seed, size):
    images, labels = make_shapes(9, rng=seed, size=size)
    assert images.shape == (9, 1, size, size) and set(np.unique(images)) <= {0.0, 1.0}
    assert np.bincount(labels, minlength=3).tolist() == [3, 3, 3]
    for image, label in zip(images[:, 0], labels):
        rows, cols = np.nonzero(image)
        assert rows.min() >= 1 and cols.min() >= 1  # a one-pixel margin
        assert rows.max() <= size - 2 and cols.max() <= size - 2
        box = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        fill = image.sum() / box
        name = SHAPE_CLASSES[label]
        if name == "square":
            assert fill == 1.0 and rows.max() - rows.min() == cols.max() - cols.min()
        elif name == "circle":  # pi/4 of the box, left-right and top-bottom symmetric
            assert 0.6 < fill < 0.95
            crop = image[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
            np.testing.assert_array_equal(crop, crop[::-1, ::-1])
        else:  # a triangle pointing up: about half the box, rows widen downwards
            assert 0.35 < fill < 0.75
            widths = image[rows.min():rows.max() + 1].sum(axis=1)
            assert np.all(np.diff(widths) >= 0) and widths[-1] > widths[0]


@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0, 90.0, 135.0])
def test_bars_point_the_right_way(angle):
    images, labels = make_bars(6, rng=0, size=24, angles=(angle,), width=2.0, length=16)
    assert np.all(labels == 0)
    for image in images[:, 0]:
        rows, cols = np.nonzero(image)
        # principal direction of the bar's pixels, with y pointing up on screen
        coords = np.stack([cols - cols.mean(), -(rows - rows.mean())])
        eigenvalues, eigenvectors = np.linalg.eigh(np.cov(coords))
        vx, vy = eigenvectors[:, -1]
        measured = np.degrees(np.arctan2(vy, vx)) % 180
        assert min(abs(measured - angle), 180 - abs(measured - angle)) < 4, measured


def test_bars_labels_index_the_angles():
    images, labels = make_bars(8, rng=3, size=16, angles=(0, 90))
    assert np.bincount(labels).tolist() == [4, 4]
    for image, label in zip(images[:, 0], labels):
        rows, cols = np.nonzero(image)
        spread_rows, spread_cols = np.ptp(rows), np.ptp(cols)
        assert (spread_cols > spread_rows) if label == 0 else (spread_rows > spread_cols)


def test_generators_refuse_a_missing_seed():
    for make in (make_xo_letters, make_shapes, make_bars):
        with pytest.raises(TypeError, match="int seed"):
            make(4, rng=None)
