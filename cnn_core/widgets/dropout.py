"""The dropout explorer: a rate, one forward pass, and the expected value kept.

One forward pass of ``cnn_core.reference.dropout`` (inverted dropout, as PyTorch) on a
10x10 grid of activations: dropped units become 0, kept ones are divided by (1 - p), so the
*expected* output equals the input. The explorer shows the pass, and the average over many
passes to make the expectation visible; in eval mode dropout does nothing.
"""

from __future__ import annotations

import numpy as np

from cnn_core.reference import dropout

from . import _draw
from ._base import Control, Explorer

__all__ = ["DropoutExplorer", "dropout_explorer"]

PASSES = 1000


class DropoutExplorer(Explorer):
    """Knobs: ``p`` (the drop probability), ``mode`` ('train' or 'eval'), ``seed`` (another pass).

    ``input`` (10, 10), ``output`` and ``mask`` of the pass; ``average_output``: the mean of
    ``PASSES`` passes (close to ``input`` for every p < 1).
    """

    static_controls = ("p", "mode", "seed")

    def controls(self) -> list[Control]:
        return [
            Control("p", "drop rate p", (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)),
            Control("mode", "mode", ("train", "eval"), "dropdown"),
            Control("seed", "forward pass", tuple(range(10))),
        ]

    def defaults(self) -> dict:
        return {"p": 0.5, "mode": "train", "seed": 0}

    @property
    def input(self) -> np.ndarray:
        return np.round(np.random.default_rng(7).uniform(0.5, 1.5, size=(10, 10)), 1)

    def forward(self, seed) -> tuple[np.ndarray, np.ndarray]:
        s = self.state
        return dropout(self.input, s["p"], training=s["mode"] == "train", rng=seed, return_mask=True)

    @property
    def output(self) -> np.ndarray:
        return self.forward(self.state["seed"])[0]

    @property
    def mask(self) -> np.ndarray:
        return self.forward(self.state["seed"])[1]

    @property
    def average_output(self) -> np.ndarray:
        s = self.state
        passes = np.broadcast_to(self.input, (PASSES, *self.input.shape))      # PASSES copies, one call
        return dropout(passes, s["p"], training=s["mode"] == "train", rng=[s["seed"], 99]).mean(axis=0)

    def render(self) -> str:
        x, (y, mask) = self.input, self.forward(self.state["seed"])
        p, train = self.state["p"], self.state["mode"] == "train"
        hi = float(y.max()) if y.max() > 0 else 1.0
        left = _draw.matrix_svg(x, title="input", cell=24, lo=0, hi=hi, digits=2)
        right = _draw.matrix_svg(y, title=f"one pass ({self.state['mode']})", cell=24, lo=0, hi=hi, digits=2,
                                 shaded=mask == 0)
        kept = float((mask != 0).mean())
        lines = [f"kept {int((mask != 0).sum())} of {mask.size} units ({kept:.0%}; expected {1 - p:.0%})"
                 if train else "eval mode: dropout is the identity, every unit is kept unchanged",
                 f"kept units are multiplied by 1/(1 - p) = {_draw.fmt(1 / (1 - p), 3)}" if train and p else "",
                 f"mean of the input {x.mean():.3f}; mean of this pass {y.mean():.3f}; "
                 f"mean over {PASSES} passes {self.average_output.mean():.3f} (the expected value is kept)"]
        return _draw.panel(left, right) + "".join(_draw.note(t) for t in lines if t)


def dropout_explorer(p: float = 0.5, mode: str = "train", seed: int = 0) -> DropoutExplorer:
    """The dropout explorer (p = 0.5, training)."""
    return DropoutExplorer(p=float(p), mode=mode, seed=seed)
