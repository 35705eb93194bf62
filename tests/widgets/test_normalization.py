"""The normalization explorer against torch's BatchNorm2d and layer_norm."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.widgets import normalization_explorer
from cnn_core.widgets.normalization import WARMUP_BATCHES, make_batch

SIZES = [1, 2, 4, 8, 16, 32, 64, 128]


@given(n=st.sampled_from(SIZES), seed=st.integers(0, 9))
def test_batch_norm_train_matches_torch(n, seed):
    ex = normalization_explorer(batch_size=n, seed=seed)
    x = torch.tensor(ex.batch)
    expected = F.batch_norm(x, None, None, training=True, eps=1e-5).numpy()
    np.testing.assert_allclose(ex.output, expected, atol=1e-10)


@pytest.mark.parametrize("n", [2, 16])
def test_batch_norm_eval_uses_running_statistics_like_torch(n):
    ex = normalization_explorer(batch_size=n, mode="eval", seed=3)
    bn = torch.nn.BatchNorm2d(3, momentum=0.1, affine=False).double()
    for b in range(WARMUP_BATCHES):                 # the same training batches, through torch
        bn(torch.tensor(make_batch(n, [3, 100 + b])))
    bn.eval()
    mean, var = ex.running_stats()
    np.testing.assert_allclose(mean, bn.running_mean.numpy(), atol=1e-10)
    np.testing.assert_allclose(var, bn.running_var.numpy(), atol=1e-10)
    np.testing.assert_allclose(ex.output, bn(torch.tensor(ex.batch)).detach().numpy(), atol=1e-10)
    assert "running mean" in ex.render()


@given(n=st.sampled_from(SIZES), mode=st.sampled_from(["train", "eval"]))
def test_layer_norm_matches_torch_in_both_modes(n, mode):
    ex = normalization_explorer(batch_size=n, norm="layer norm", mode=mode)
    x = torch.tensor(ex.batch)
    np.testing.assert_allclose(ex.output, F.layer_norm(x, x.shape[1:]).numpy(), atol=1e-10)


def test_the_table_shows_statistics_before_and_after():
    ex = normalization_explorer(batch_size=8)
    x = ex.batch
    html = ex.render()
    assert f"{round(float(x[:, 0].mean()), 3):g}" in html           # channel 0's batch mean
    assert "<td style='padding:2px 8px;text-align:right'>0</td><td style='padding:2px 8px;text-align:right'>1</td>" \
        in html                                                      # mean 0, std 1 after
    ex.update(norm="layer norm", batch_size=64)
    assert "first 6 of 64 examples shown" in ex.render()


def test_batches_are_drawn_as_documented():
    x = make_batch(4096, 0)
    # channel means scaled by the mean example scale 1.25 (uniform on [0.5, 2])
    np.testing.assert_allclose(x.mean(axis=(0, 2, 3)), [5.0, -2.5, 0.625], atol=0.1)
