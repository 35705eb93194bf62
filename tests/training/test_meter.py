"""``Meter``: the running loss and accuracy of ``fit`` and ``torch_ops.evaluate``, against the
same numbers computed by hand over the whole data at once."""

import pytest
import torch

from cnn_core.training.meter import Meter, is_classification


def test_batch_weighted_loss_and_accuracy_equal_the_whole_data_at_once():
    torch.manual_seed(0)
    out, y = torch.randn(10, 3, dtype=torch.float64), torch.randint(0, 3, (10,))
    meter = Meter()
    for lo, hi in [(0, 4), (4, 9), (9, 10)]:                       # batches of 4, 5 and 1
        meter.add(torch.nn.functional.cross_entropy(out[lo:hi], y[lo:hi]), out[lo:hi], y[lo:hi])
    loss, acc = meter.results()
    assert loss == pytest.approx(torch.nn.functional.cross_entropy(out, y).item(), rel=1e-12)
    assert acc == int((out.argmax(1) == y).sum()) / 10


def test_half_precision_losses_are_summed_in_float32():
    meter = Meter()
    for _ in range(3000):                       # bfloat16 would stop growing near 256 * 2 ** 8
        meter.add(torch.tensor(1.0, dtype=torch.bfloat16), torch.zeros(1, 2), torch.zeros(1, dtype=torch.long))
    assert meter.results()[0] == 1.0


def test_regression_targets_have_no_accuracy():
    meter = Meter()
    out = torch.randn(4, 1)
    meter.add(torch.tensor(0.5), out, torch.randn(4, 1))
    assert meter.results() == (0.5, None)
    assert not is_classification(out, torch.randn(4)) and is_classification(torch.randn(4, 3), torch.arange(4))


def test_no_batches_is_an_error():
    with pytest.raises(ValueError, match="no batches"):
        Meter().results()
