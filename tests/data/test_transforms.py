import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st
from scipy.ndimage import shift as nd_shift

from cnn_core.data.transforms import (Compose, GaussianNoise, RandomFlip, RandomShift, channel_stats, denormalize,
                                      gaussian_noise, normalize, random_flip, random_shift)


def batch(seed=0, n=8, c=3, h=6, w=5):
    return np.random.default_rng(seed).random((n, c, h, w), dtype=np.float32)


def test_normalize_matches_the_formula_and_torch():
    x = batch()
    mean, std = [0.1, 0.5, 0.9], [0.2, 0.3, 0.4]
    out = normalize(x, mean, std)
    t = torch.from_numpy(x)
    expected = (t - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(denormalize(out, mean, std), x, atol=1e-6)
    assert out.dtype == np.float32


def test_channel_stats_then_normalize_gives_zero_mean_unit_std():
    x = batch(n=20) * np.array([1, 5, 10], dtype=np.float32).reshape(1, 3, 1, 1)
    mean, std = channel_stats(x)
    np.testing.assert_allclose(mean, torch.from_numpy(x).mean(dim=(0, 2, 3)).numpy(), rtol=1e-5)
    z = normalize(x, mean, std)
    np.testing.assert_allclose(z.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(axis=(0, 2, 3)), 1, atol=1e-4)


def test_normalize_errors():
    with pytest.raises(ValueError, match="3 values but the batch has 1 channels"):
        normalize(batch(c=1), [0, 0, 0], 1)
    with pytest.raises(ValueError, match="std must be positive"):
        normalize(batch(), 0, [1, 0, 1])
    with pytest.raises(ValueError, match=r"\(N, C, H, W\) batch.*x\[None\]"):
        normalize(batch()[0], 0, 1)
    with pytest.raises(TypeError, match="astype"):
        normalize(np.zeros((1, 1, 2, 2), dtype=np.uint8), 0, 1)


@given(seed=st.integers(0, 1000), max_shift=st.integers(0, 3))
def test_random_shift_is_a_translation_within_range(seed, max_shift):
    x = batch(seed, n=5, c=2, h=7, w=6)
    out = random_shift(x, max_shift, rng=seed)
    assert out.shape == x.shape and out.dtype == x.dtype
    for original, shifted in zip(x, out):
        # oracle: scipy's integer shift with zero fill; some shift in range must reproduce the output
        matches = [(dy, dx) for dy in range(-max_shift, max_shift + 1) for dx in range(-max_shift, max_shift + 1)
                   if np.array_equal(nd_shift(original, (0, dy, dx), order=0, cval=0.0), shifted)]
        assert matches


def test_random_shift_varies_per_image_and_keeps_input():
    x = np.zeros((30, 1, 9, 9), dtype=np.float32)
    x[:, 0, 4, 4] = 1
    before = x.copy()
    out = random_shift(x, 2, rng=0)
    np.testing.assert_array_equal(x, before)
    positions = {tuple(np.argwhere(img[0])[0]) for img in out}
    assert len(positions) > 5 and all(2 <= r <= 6 and 2 <= c <= 6 for r, c in positions)
    with pytest.raises(ValueError, match="out of its frame"):
        random_shift(x, 9, rng=0)


def test_random_flip():
    x = batch(n=40)
    np.testing.assert_array_equal(random_flip(x, rng=0, p=1.0), x[..., ::-1])
    np.testing.assert_array_equal(random_flip(x, rng=0, p=1.0, axis="vertical"), x[:, :, ::-1, :])
    np.testing.assert_array_equal(random_flip(x, rng=0, p=0.0), x)
    out = random_flip(x, rng=0, p=0.5)
    flipped = [np.array_equal(o, i[..., ::-1]) for o, i in zip(out, x)]
    kept = [np.array_equal(o, i) for o, i in zip(out, x)]
    assert all(f or k for f, k in zip(flipped, kept)) and 5 < sum(flipped) < 35


def test_gaussian_noise_statistics():
    x = np.full((50, 1, 20, 20), 0.5, dtype=np.float32)
    noise = gaussian_noise(x, 0.1, rng=0, clip=None) - x
    assert abs(noise.mean()) < 0.005 and abs(noise.std() - 0.1) < 0.005
    clipped = gaussian_noise(x, 1.0, rng=0)
    assert clipped.min() == 0 and clipped.max() == 1
    np.testing.assert_array_equal(gaussian_noise(x, 0.0, rng=0), x)


def test_compose_is_seeded_and_chains():
    x = batch(n=10)
    augment = Compose([RandomShift(1), RandomFlip(0.5), GaussianNoise(0.05)])
    np.testing.assert_array_equal(augment(x, 3), augment(x, 3))
    assert not np.array_equal(augment(x, 3), augment(x, 4))
    assert "RandomShift(max_shift=1" in repr(augment)
