"""``History``: what ``fit`` measured, epoch by epoch, ready to plot."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["History"]


@dataclass
class History:
    """Per-epoch lists (one entry per epoch trained), named as in the NumPy reference's
    ``History``. Accuracies are fractions in [0, 1]; the accuracy lists stay empty when
    the task is not classification, the validation lists when there is no validation data."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None      # 0-based epoch with the best monitored loss
    stopped_early: bool = False
    loaded_from_checkpoint: bool = False

    @property
    def epochs(self) -> list[int]:
        """Epoch numbers 1, 2, ..., for the x axis (as the NumPy reference's ``History``)."""
        return list(range(1, len(self.train_loss) + 1))

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("loaded_from_checkpoint")
        return data

    @classmethod
    def from_dict(cls, data: dict, **overrides) -> "History":
        return cls(**{**data, **overrides})

    def plot(self, axes=None):
        """Loss (and accuracy, when measured) against the epoch, train and validation.

        Returns the matplotlib axes (two side by side when accuracy is known)."""
        import matplotlib.pyplot as plt

        panels = [("loss", self.train_loss, self.val_loss)]
        if self.train_acc:
            panels.append(("accuracy", self.train_acc, self.val_acc))
        if axes is None:
            _, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.5), squeeze=False)
            axes = axes[0]
        epochs = self.epochs
        for ax, (name, train, val) in zip(axes, panels):
            ax.plot(epochs, train, marker="o", label="train")
            if val:
                ax.plot(epochs, val, marker="o", label="validation")
            if self.best_epoch is not None and val:
                ax.axvline(self.best_epoch + 1, color="grey", linestyle=":", label="best epoch")
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.legend()
        return axes
