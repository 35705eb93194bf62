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
    """The small variant maps 1x28x28 and 3x32x32 batches to (N, num_classes) logits,
    and one backward pass reaches every parameter with finite gradients."""
    kwargs = {"small": True} if kwargs is None else kwargs
    torch.manual_seed(0)
    for in_channels, size, num_classes in ((1, 28, 10), (3, 32, 7)):
        model = constructor(num_classes=num_classes, in_channels=in_channels, **kwargs)
        x = torch.randn(2, in_channels, size, size)
        out = model(x)
        assert out.shape == (2, num_classes)
        out.sum().backward()
        for name, p in model.named_parameters():
            assert p.grad is not None, f"{name} received no gradient"
            assert torch.isfinite(p.grad).all(), f"{name} has a non-finite gradient"


def check_first_conv_takes(model: torch.nn.Module, in_channels: int) -> None:
    first = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    assert first.in_channels == in_channels
