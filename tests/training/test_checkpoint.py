import os

import pytest
import torch

from cnn_core.models import lenet5, resnet18
from cnn_core.training import CheckpointMismatchError, fit, load_checkpoint, save_checkpoint
from tests.training._data import blobs, loader, mlp


class Untouchable:
    """Data that fails the test if anyone iterates over it (proves no training happened)."""

    def __iter__(self):
        raise AssertionError("fit trained although a checkpoint was present")


def test_second_call_loads_and_does_not_train(tmp_path):
    path = tmp_path / "model.pt"
    torch.manual_seed(0)
    first = mlp()
    h1 = fit(first, loader(*blobs(64)), loader(*blobs(32)), epochs=3, lr=0.05,
             checkpoint=path, progress=False)
    assert path.exists() and not h1.loaded_from_checkpoint

    torch.manual_seed(123)                 # a differently initialised model of the same shape
    second = mlp()
    h2 = fit(second, Untouchable(), Untouchable(), epochs=3, lr=0.05, checkpoint=path, progress=False)
    assert h2.loaded_from_checkpoint
    assert h2.train_loss == h1.train_loss and h2.val_acc == h1.val_acc
    for (name, a), b in zip(first.state_dict().items(), second.state_dict().values()):
        assert torch.equal(a, b), name


def test_changed_settings_are_refused_with_both_recipes(tmp_path):
    """A checkpoint trained with other settings (epochs, learning rate, data size) is stale: loading it
    would show another experiment's results (the book's shipped models rely on this)."""
    path = tmp_path / "m.pt"
    fit(mlp(), loader(*blobs(32)), epochs=1, checkpoint=path, progress=False)
    with pytest.raises(CheckpointMismatchError, match=r"trained with \{'epochs': 1.*asks for \{'epochs': 5"):
        fit(mlp(), Untouchable(), epochs=5, checkpoint=path, progress=False)
    with pytest.raises(CheckpointMismatchError, match="'train_examples': 48"):
        fit(mlp(), loader(*blobs(48)), epochs=1, checkpoint=path, progress=False)
    assert fit(mlp(), Untouchable(), epochs=1, checkpoint=path, progress=False).loaded_from_checkpoint


def test_mismatched_model_is_refused_with_the_difference(tmp_path):
    path = save_checkpoint(tmp_path / "lenet.pt", lenet5(num_classes=10))
    with pytest.raises(CheckpointMismatchError, match=r"'classifier.5.weight' has shape \(10, 84\) "
                                                      r"in the checkpoint but \(3, 84\)"):
        load_checkpoint(path, lenet5(num_classes=3))
    with pytest.raises(CheckpointMismatchError, match="holds a cnn_core.models.lenet.LeNet5"):
        load_checkpoint(path, resnet18(num_classes=10, small=True))


def test_round_trip_and_extra_data(tmp_path):
    model = lenet5()
    path = save_checkpoint(tmp_path / "sub" / "lenet.pt", model, note="hello", numbers=[1, 2])
    other = lenet5()
    extra = load_checkpoint(path, other)
    assert extra == {"note": "hello", "numbers": [1, 2]}
    for a, b in zip(model.parameters(), other.parameters()):
        assert torch.equal(a, b)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = save_checkpoint(tmp_path / "m.pt", lenet5())
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed half-way")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, lenet5(num_classes=3))
    assert path.read_bytes() == before                      # the old checkpoint is intact
    assert os.listdir(tmp_path) == ["m.pt"]                 # and no temporary file is left


def test_missing_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "nope.pt", lenet5())
    torch.save({"weights": torch.zeros(1)}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointMismatchError, match="not a cnn_core checkpoint"):
        load_checkpoint(tmp_path / "foreign.pt", lenet5())
