"""The normalization explorer: batch size, batch norm or layer norm, train or eval.

A batch of feature maps (N, C=3, 4, 4) whose channels have very different scales (and
whose examples are each scaled differently) goes through ``cnn_core.reference.batch_norm``
or ``layer_norm``; the explorer tabulates the statistics before and after:

- batch norm, train: each *channel* is normalised with *this batch's* mean and variance,
  so every channel comes out with mean 0 and std 1, and the result for one example
  depends on the other examples (noisy for small batches);
- batch norm, eval: each channel is normalised with the *running* mean and variance,
  accumulated over 20 earlier training batches of the same size (momentum 0.1);
- layer norm: each *example* is normalised over its own (C, H, W): the same in train and
  eval, and independent of the batch size.
"""

from __future__ import annotations

import numpy as np

from cnn_core.reference import batch_norm, layer_norm

from . import _draw
from ._base import Control, Explorer

__all__ = ["NormalizationExplorer", "normalization_explorer", "make_batch"]

#: The channels' means and standard deviations before each example's scale is applied.
CHANNEL_MEANS = np.array([4.0, -2.0, 0.5])
CHANNEL_STDS = np.array([2.0, 0.5, 1.0])
#: Each example is multiplied by a scale drawn uniformly from [0.5, 2] (mean 1.25), so the
#: true mean of channel c is 1.25 * CHANNEL_MEANS[c].
TRUE_MEANS = 1.25 * CHANNEL_MEANS
WARMUP_BATCHES = 20
_SHOWN_EXAMPLES = 6


def make_batch(batch_size: int, rng) -> np.ndarray:
    """(batch_size, 3, 4, 4) float64 features: channel c ~ N(mean_c, std_c), then each
    example multiplied by its own scale in [0.5, 2] (what layer norm removes)."""
    rng = np.random.default_rng(rng)
    z = rng.standard_normal((batch_size, 3, 4, 4))
    x = CHANNEL_MEANS[None, :, None, None] + CHANNEL_STDS[None, :, None, None] * z
    return x * rng.uniform(0.5, 2.0, size=(batch_size, 1, 1, 1))


class NormalizationExplorer(Explorer):
    """Knobs: ``batch_size``, ``norm`` ('batch norm' or 'layer norm'), ``mode`` ('train'
    or 'eval'), ``seed`` (draw another batch).

    ``batch`` is the input (N, 3, 4, 4), ``output`` the normalised batch; ``running_mean``
    and ``running_var`` (3,) the batch-norm statistics used in eval.
    """

    static_controls = ("batch_size", "norm", "mode")

    def controls(self) -> list[Control]:
        return [
            Control("batch_size", "batch size", (1, 2, 4, 8, 16, 32, 64, 128)),
            Control("norm", "normalization", ("batch norm", "layer norm"), "dropdown"),
            Control("mode", "mode", ("train", "eval"), "dropdown"),
            Control("seed", "batch number", tuple(range(10))),
        ]

    def defaults(self) -> dict:
        return {"batch_size": 4, "norm": "batch norm", "mode": "train", "seed": 0}

    @property
    def batch(self) -> np.ndarray:
        return make_batch(self.state["batch_size"], [self.state["seed"], 1])

    def running_stats(self) -> tuple[np.ndarray, np.ndarray]:
        """Running mean and variance (3,) after ``WARMUP_BATCHES`` training batches of the
        current size, starting from PyTorch's (0, 1)."""
        mean, var = np.zeros(3), np.ones(3)
        for b in range(WARMUP_BATCHES):
            batch_norm(make_batch(self.state["batch_size"], [self.state["seed"], 100 + b]), mean, var,
                       training=True, momentum=0.1)
        return mean, var

    @property
    def output(self) -> np.ndarray:
        x = self.batch
        if self.state["norm"] == "layer norm":
            return layer_norm(x, x.shape[1:])
        if self.state["mode"] == "train":
            return batch_norm(x, None, None, training=True)
        mean, var = self.running_stats()
        return batch_norm(x, mean, var, training=False)

    def render(self) -> str:
        x, y = self.batch, self.output
        n, norm, mode = self.state["batch_size"], self.state["norm"], self.state["mode"]
        f = lambda v: _draw.fmt(round(float(v), 3) + 0.0)  # noqa: E731  (-1e-16 -> 0)
        if norm == "batch norm":
            rows = [(c, f(TRUE_MEANS[c]), f(x[:, c].mean()), f(x[:, c].std()), f(y[:, c].mean()), f(y[:, c].std()))
                    for c in range(3)]
            tab = _draw.table(("channel", "true mean", "batch mean", "batch std", "mean after", "std after"), rows)
            if mode == "train":
                off = np.abs(x.mean(axis=(0, 2, 3)) - TRUE_MEANS).max()
                text = (f"Each channel is normalised with the mean and std of these {n} x 4 x 4 = {n * 16} "
                        f"numbers, so it comes out with mean 0 and std 1 exactly; at this batch size the "
                        f"batch means miss the true means by up to {f(off)}, and each example's output "
                        f"depends on the others in its batch.")
            else:
                mean, var = self.running_stats()
                text = (f"Eval mode uses the running mean ({', '.join(f(v) for v in mean)}) and variance "
                        f"({', '.join(f(v) for v in var)}) from {WARMUP_BATCHES} training batches: the outputs are "
                        f"only approximately mean 0, std 1, and an example's output no longer depends on the "
                        f"rest of the batch.")
        else:
            k = min(n, _SHOWN_EXAMPLES)
            rows = [(i, f(x[i].mean()), f(x[i].std()), f(y[i].mean()), f(y[i].std())) for i in range(k)]
            tab = _draw.table(("example", "mean before", "std before", "mean after", "std after"), rows)
            text = ("Each example is normalised over its own 3 x 4 x 4 = 48 numbers: mean 0 and std 1 per "
                    "example, whatever the batch size, and the same in train and eval mode"
                    + (f" (first {k} of {n} examples shown)." if n > k else "."))
        return tab + _draw.note(text)


def normalization_explorer(batch_size: int = 4, norm: str = "batch norm", mode: str = "train",
                           seed: int = 0) -> NormalizationExplorer:
    """The normalization explorer (batch norm in train mode, a batch of 4)."""
    return NormalizationExplorer(batch_size=batch_size, norm=norm, mode=mode, seed=seed)
