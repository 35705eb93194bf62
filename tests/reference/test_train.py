"""fit / evaluate: same parameters as a hand-written torch loop, modes, history, data forms."""

import matplotlib
import numpy as np
import pytest
import torch

from cnn_core.reference import (SGD, Adam, CrossEntropyLoss, Dropout, History, Linear, MSELoss, ReLU,
                                Sequential, evaluate, fit)
from ._torch import copy_into_torch

matplotlib.use("Agg")


def blobs(n=96, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]])
    x = centres[y] + 0.5 * rng.standard_normal((n, 2))
    return x, y


def batches(x, y, size=16):
    return [(x[i:i + size], y[i:i + size]) for i in range(0, len(x), size)]


def model64():
    return Sequential(Linear(2, 8, rng=0, dtype=np.float64), ReLU(),
                      Linear(8, 3, rng=1, dtype=np.float64))


def test_fit_gives_the_same_parameters_and_losses_as_a_torch_loop():
    x, y = blobs()
    data = batches(x, y)
    model = model64()
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    copy_into_torch(theirs, model)
    history = fit(model, data, epochs=2, optimizer=SGD(model.parameters(), lr=0.1, momentum=0.9),
                  loss_fn=CrossEntropyLoss(), progress=False)

    opt = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(2):
        total, correct = 0.0, 0
        for xb, yb in data:
            opt.zero_grad()
            out = theirs(torch.tensor(xb))
            loss = torch.nn.functional.cross_entropy(out, torch.tensor(yb))
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            correct += int((out.argmax(1).numpy() == yb).sum())
        np.testing.assert_allclose(history.train_loss[epoch], total / len(y), rtol=1e-10)
        assert history.train_acc[epoch] == correct / len(y)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[k], v.numpy(), rtol=1e-9, atol=1e-12)


def test_fit_learns_and_records_validation_history():
    x, y = blobs(192)
    xv, yv = blobs(64, seed=1)
    model = model64()
    history = fit(model, lambda: iter(batches(x, y)), batches(xv, yv), epochs=4,
                  optimizer=SGD(model.parameters(), lr=0.2, momentum=0.9), progress=True)
    assert history.epochs == [1, 2, 3, 4]
    assert len(history.val_loss) == len(history.val_acc) == 4
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_acc[-1] > 0.9  # three well-separated blobs
    # the last validation entry equals evaluate, recomputed independently by hand
    out = model.eval()(xv)
    logp = out - out.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    np.testing.assert_allclose(history.val_loss[-1], -logp[np.arange(len(yv)), yv].mean(), rtol=1e-10)
    assert evaluate(model, batches(xv, yv))[1] == np.mean(out.argmax(1) == yv)
    axes = history.plot()
    assert len(axes) == 2


def test_train_and_eval_modes_are_set():
    seen = []

    class ModeSpy(ReLU):
        def forward(self, x):
            seen.append(self.training)
            return super().forward(x)

    x, y = blobs(32)
    model = Sequential(Linear(2, 3, rng=0, dtype=np.float64), ModeSpy(), Dropout(0.2, rng=0))
    fit(model, batches(x, y), batches(x, y), optimizer=SGD(model.parameters(), lr=0.1), progress=False)
    assert seen == [True, True] + [False, False]  # 2 training batches, then 2 validation batches
    assert model.training  # left in training mode
    model.eval()
    evaluate(model, batches(x, y))
    assert not model.training  # evaluate restores the mode it found


def test_regression_history_has_no_accuracy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    model = Sequential(Linear(3, 1, rng=0, dtype=np.float64))
    h = fit(model, batches(x, y, 8), batches(x, y, 8), epochs=3, optimizer=SGD(model.parameters(), lr=0.1),
            loss_fn=MSELoss(), progress=False)
    assert isinstance(h, History) and h.train_acc == [None] * 3 and h.val_acc == [None] * 3
    assert h.train_loss[-1] < h.train_loss[0]


def test_bad_usage_gives_clear_errors():
    x, y = blobs(32)
    model = model64()
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="one-shot iterator.*lambda"):
        fit(model, (b for b in batches(x, y)), epochs=2, optimizer=opt, progress=False)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(model, batches(x, y), epochs=0, optimizer=opt)
    with pytest.raises(ValueError, match="gave no batches"):
        fit(model, [], optimizer=opt, progress=False)
    # the order of cnn_core.training.fit: a loss or an optimizer where the batches go is named
    with pytest.raises(TypeError, match=r"train is a CrossEntropyLoss, not batches.*fit\(model, train, val, epochs"):
        fit(model, CrossEntropyLoss(), opt, batches(x, y), progress=False)
    with pytest.raises(TypeError, match="val is a SGD, not batches"):
        fit(model, batches(x, y), opt, progress=False)
    with pytest.raises(TypeError, match="optimizer must be None, an optimizer, or an optimizer class"):
        fit(model, batches(x, y), optimizer="sgd", progress=False)


def test_optimizer_by_class_or_default_is_built_like_training_fit():
    """``optimizer=SGD, lr=...`` builds SGD(params, lr); no optimizer is Adam(lr=1e-3), as
    cnn_core.training.fit; checked against the same steps taken by hand."""
    x, y = blobs(32)
    data = batches(x, y)
    for optimizer, by_hand in [(SGD, lambda m: SGD(m.parameters(), lr=0.05)),
                               (None, lambda m: Adam(m.parameters(), lr=1e-3))]:
        built, manual = model64(), model64()
        fit(built, data, epochs=2, optimizer=optimizer, lr=0.05 if optimizer else 1e-3, progress=False)
        fit(manual, data, epochs=2, optimizer=by_hand(manual), progress=False)
        for k, v in manual.state_dict().items():
            np.testing.assert_array_equal(built.state_dict()[k], v)
        assert any(not np.array_equal(v, model64().state_dict()[k]) for k, v in built.state_dict().items())
