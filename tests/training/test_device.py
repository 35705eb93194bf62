import pytest
import torch

from cnn_core.training import default_device
from cnn_core.training.device import ENV_VAR


def test_automatic_choice_follows_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    if torch.cuda.is_available():
        want = "cuda"
    elif torch.backends.mps.is_available():
        want = "mps"
    else:
        want = "cpu"
    assert default_device().type == want


def test_order_with_faked_availability(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr("cnn_core.training.device._mps_available", lambda: True)
    assert default_device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert default_device().type == "cuda"


def test_overrides(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "cpu")
    assert default_device() == torch.device("cpu")
    monkeypatch.delenv(ENV_VAR)
    assert default_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
def test_missing_cuda_is_explained():
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        default_device("cuda")
