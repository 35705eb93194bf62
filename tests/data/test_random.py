import numpy as np
import pytest

from cnn_core.data._random import as_generator


def test_int_seed_is_reproducible():
    assert as_generator(3).random() == as_generator(3).random()
    assert as_generator(np.int64(3)).random() == np.random.default_rng(3).random()


def test_generator_is_used_as_is():
    gen = np.random.default_rng(0)
    assert as_generator(gen) is gen


@pytest.mark.parametrize("bad", [None, 1.5, "0", True])
def test_refuses_anything_else(bad):
    with pytest.raises(TypeError, match="int seed or a numpy.random.Generator"):
        as_generator(bad)


def test_refuses_negative_seed():
    with pytest.raises(ValueError, match="non-negative"):
        as_generator(-1)
