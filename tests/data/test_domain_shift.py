import hashlib

import numpy as np
import pytest
from scipy.ndimage import zoom

from cnn_core.data.bundled import load_digits_8x8, load_mnist_5k
from cnn_core.data.domain_shift import SOURCE, TARGET, degrade_digits, load_digit_domain_shift


@pytest.fixture(scope="module")
def splits():
    return load_digit_domain_shift(rng=0)


def fingerprints(images):
    return {hashlib.sha1(image.tobytes()).hexdigest() for image in images}


def test_shapes_types_sizes(splits):
    sizes = {name: len(split.labels) for name, split in splits.items()}
    assert sizes == {"train": 5000 + 200 - 500, "bridge": 500, "dev": 600, "test": 600}
    for split in splits.values():
        assert split.images.shape[1:] == (1, 28, 28) and split.images.dtype == np.float32
        assert split.labels.dtype == np.int64 and len(split.domain) == len(split.labels)
        assert 0 <= split.images.min() and split.images.max() <= 1


def test_splits_are_disjoint(splits):
    names = list(splits)
    prints = {name: fingerprints(splits[name].images) for name in names}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not prints[a] & prints[b], (a, b)


def test_dev_and_test_are_target_and_bridge_matches_train(splits):
    assert np.all(splits["dev"].domain == TARGET) and np.all(splits["test"].domain == TARGET)
    train_share = splits["train"].domain.mean()
    bridge_share = splits["bridge"].domain.mean()
    assert train_share == pytest.approx(200 / 5200, abs=0.01)
    assert bridge_share == pytest.approx(train_share, abs=0.01)
    # every example comes from where its domain flag says
    mnist = fingerprints(load_mnist_5k()[0])
    for split in splits.values():
        for image, domain in zip(split.images[:200], split.domain[:200]):
            assert (hashlib.sha1(image.tobytes()).hexdigest() in mnist) == (domain == SOURCE)


def test_all_classes_everywhere(splits):
    for split in splits.values():
        counts = np.bincount(split.labels, minlength=10)
        assert counts.min() >= 0.06 * len(split.labels)


def test_same_seed_same_splits_other_seed_other_splits(splits):
    again = load_digit_domain_shift(rng=0)
    other = load_digit_domain_shift(rng=1)
    for name in splits:
        np.testing.assert_array_equal(splits[name].images, again[name].images)
        np.testing.assert_array_equal(splits[name].labels, again[name].labels)
    assert not np.array_equal(splits["dev"].labels, other["dev"].labels)


def test_degrade_digits_without_blur_is_a_centred_upscale():
    small, _ = load_digits_8x8()
    out = degrade_digits(small[:5], digit_size=16, size=28, blur=0)
    expected = zoom(small[:5, 0], (1, 2, 2), order=1, grid_mode=True, mode="nearest")  # scipy oracle
    np.testing.assert_allclose(out[:, 0, 6:22, 6:22], np.clip(expected, 0, 1), atol=1e-6)
    assert out[:, :, :6].sum() == 0 and out[:, :, 22:].sum() == 0


def test_blur_lowers_sharpness():
    small, _ = load_digits_8x8()
    sharp = degrade_digits(small[:50], blur=0)
    blurry = degrade_digits(small[:50], blur=1.5)
    def gradient(x):
        return np.abs(np.diff(x, axis=-1)).mean()
    assert gradient(blurry) < 0.8 * gradient(sharp)


def test_too_many_target_images_is_explained():
    with pytest.raises(ValueError, match="dev=1000 \\+ test=700 \\+ target_in_train=200 = 1900 examples, but only 1797"):
        load_digit_domain_shift(rng=0, dev=1000, test=700, target_in_train=200)
