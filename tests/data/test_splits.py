import numpy as np
import pytest
from hypothesis import given, strategies as st

from cnn_core.data.splits import split_indices


@given(n=st.integers(0, 200), a=st.integers(0, 80), b=st.integers(0, 80), seed=st.integers(0, 2**16))
def test_parts_are_disjoint_sized_and_reproducible(n, a, b, seed):
    if a + b > n:
        with pytest.raises(ValueError, match="only"):
            split_indices(n, {"a": a, "b": b}, rng=seed)
        return
    parts = split_indices(n, {"a": a, "b": b}, rng=seed)
    assert len(parts["a"]) == a and len(parts["b"]) == b
    assert not set(parts["a"]) & set(parts["b"])
    assert all(0 <= i < n for p in parts.values() for i in p)
    again = split_indices(n, {"a": a, "b": b}, rng=seed)
    assert all(np.array_equal(parts[k], again[k]) for k in parts)
    assert all(p.dtype == np.int64 for p in parts.values())


def test_fractions_and_different_seeds():
    p0 = split_indices(100, {"train": 0.8, "test": 0.2}, rng=0)
    p1 = split_indices(100, {"train": 0.8, "test": 0.2}, rng=1)
    assert (len(p0["train"]), len(p0["test"])) == (80, 20)
    assert sorted(np.concatenate([p0["train"], p0["test"]])) == list(range(100))
    assert not np.array_equal(p0["test"], p1["test"])


@given(seed=st.integers(0, 2**16), counts=st.lists(st.integers(1, 40), min_size=2, max_size=5),
       sizes=st.tuples(st.integers(0, 30), st.integers(0, 30)))
def test_stratified_parts_keep_class_proportions(seed, counts, sizes):
    labels = np.repeat(np.arange(len(counts)), counts)
    n = len(labels)
    a, b = min(sizes[0], n), min(sizes[1], n - min(sizes[0], n))
    parts = split_indices(n, {"a": a, "b": b}, rng=seed, stratify=labels)
    for name, size in (("a", a), ("b", b)):
        got = np.bincount(labels[parts[name]], minlength=len(counts))
        want = size * np.array(counts) / n
        assert np.all(np.abs(got - want) <= 2), (name, got, want)


def test_bad_sizes_are_explained():
    with pytest.raises(ValueError, match="train=8 \\+ test=5 = 13 examples, but only 10"):
        split_indices(10, {"train": 8, "test": 5}, rng=0)
    with pytest.raises(ValueError, match="fraction"):
        split_indices(10, {"train": 1.5}, rng=0)
    with pytest.raises(ValueError, match="shape \\(10,\\)"):
        split_indices(10, {"train": 5}, rng=0, stratify=np.zeros(9))


def test_sizes_must_be_a_dict_of_names():
    with pytest.raises(TypeError, match="sizes must be a dict"):
        split_indices(10, [5, 5], rng=0)
