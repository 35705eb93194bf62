import numpy as np
import pytest
from hypothesis import given, strategies as st

from cnn_core.data.batches import iterate_minibatches, num_batches


@given(n=st.integers(0, 60), batch_size=st.integers(1, 20), shuffle=st.booleans(), drop_last=st.booleans(),
       seed=st.integers(0, 1000))
def test_every_example_once_in_batches_of_the_right_size(n, batch_size, shuffle, drop_last, seed):
    images = np.arange(n * 4, dtype=np.float32).reshape(n, 1, 2, 2)
    labels = np.arange(n)
    batches = list(iterate_minibatches(images, labels, batch_size, shuffle=shuffle, rng=seed, drop_last=drop_last))
    assert len(batches) == num_batches(n, batch_size, drop_last)
    seen = np.concatenate([y for _, y in batches]) if batches else np.array([], dtype=int)
    full = n - n % batch_size if drop_last else n
    assert len(seen) == full and len(set(seen.tolist())) == full
    for x, y in batches:
        assert len(x) == len(y) <= batch_size
        np.testing.assert_array_equal(x, images[y])  # images stay paired with their labels
    if drop_last:
        assert all(len(y) == batch_size for _, y in batches)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(full))


def test_shuffle_is_seeded():
    labels = np.arange(50)
    order = lambda seed: np.concatenate([y for _, y in iterate_minibatches(labels, labels, 8, True, seed)])
    np.testing.assert_array_equal(order(1), order(1))
    assert not np.array_equal(order(1), order(2))
    assert not np.array_equal(order(1), labels)


def test_batches_are_copies():
    images = np.zeros((4, 1, 2, 2), dtype=np.float32)
    for x, _ in iterate_minibatches(images, np.arange(4), 2):
        x += 1
    assert images.sum() == 0


def test_transform_is_applied_with_the_generator():
    images = np.zeros((6, 1, 2, 2), dtype=np.float32)
    calls = []
    def transform(x, rng):
        calls.append(isinstance(rng, np.random.Generator))
        return x + 1
    out = [x for x, _ in iterate_minibatches(images, np.arange(6), 4, rng=0, transform=transform)]
    assert calls == [True, True] and all(np.all(x == 1) for x in out)


def test_errors_are_explained():
    with pytest.raises(ValueError, match="5 images .* 4 labels"):
        next(iterate_minibatches(np.zeros((5, 1, 2, 2)), np.zeros(4), 2))
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        next(iterate_minibatches(np.zeros((5, 1)), np.zeros(5), 0))
    with pytest.raises(ValueError, match="needs rng"):
        next(iterate_minibatches(np.zeros((5, 1)), np.zeros(5), 2, shuffle=True))
