"""Checks shared by the tests of every architecture family."""

from __future__ import annotations

import torch


def count(model_or_constructor, **kwargs) -> int:
    """Parameters of a model, or of ``constructor(**kwargs)`` built on the meta device
    (shapes without memory or initialisation: counting VGG-16's 138M costs nothing)."""
    if isinstance(model_or_constructor, torch.nn.Module):
        model = model_or_constructor
    else:
        with torch.device("meta"):
            model = model_or_constructor(**kwargs)
    return sum(p.numel() for p in model.parameters())


def check_small_variant(constructor, *, kwargs=None) -> None:
    """The small variant maps a 1x28x28 batch to (N, num_classes) logits and one backward
    pass reaches every parameter with finite gradients; it also takes 3x32x32 images."""
    kwargs = {"small": True} if kwargs is None else kwargs
    torch.manual_seed(0)
    model = constructor(num_classes=10, in_channels=1, **kwargs)
    out = model(torch.randn(2, 1, 28, 28))
    assert out.shape == (2, 10)
    out.sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, f"{name} received no gradient"
        assert torch.isfinite(p.grad).all(), f"{name} has a non-finite gradient"
    model = constructor(num_classes=7, in_channels=3, **kwargs).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 32, 32)).shape == (1, 7)


def check_first_conv_takes(model: torch.nn.Module, in_channels: int) -> None:
    first = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    assert first.in_channels == in_channels
