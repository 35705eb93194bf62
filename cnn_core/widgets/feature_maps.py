"""The feature-map explorer: a trained network on a chosen image, layer by layer.

Any PyTorch model taking (N, C, H, W) images works; by default it is a small CNN trained
on the 5,000 bundled MNIST digits (``load_mnist_5k``), which the course ships trained
(``cnn_core/pretrained/``); it is trained again, in a few seconds of CPU, only where
``cnn_core.paths.checkpoint_path`` finds no file (e.g. with ``CNN_CORE_CHECKPOINTS`` set).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np

from . import _draw
from ._base import Control, Explorer

__all__ = ["FeatureMapExplorer", "feature_map_explorer", "small_cnn", "trained_small_cnn", "digit_examples"]

_MAX_CHANNELS = 16
SCORES = "class scores"      # the pseudo-layer after the last one: the model's output, per class
_MAX_CLASSES = 100


def small_cnn():
    """(N, 1, 28, 28) -> (N, 10): two conv blocks (8 and 16 filters, 3x3, ReLU, 2x2 max pool)
    and a linear head, 12,810 parameters; blocks are named ``block1``, ``block2``, ``head``."""
    from torch import nn

    return nn.Sequential(OrderedDict(
        block1=nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),     # 8 x 14 x 14
        block2=nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),    # 16 x 7 x 7
        head=nn.Sequential(nn.Flatten(), nn.Linear(16 * 7 * 7, 10)),
    ))


def _split():
    from cnn_core.data import load_mnist_5k, split_indices

    images, labels = load_mnist_5k()
    idx = split_indices(len(labels), {"train": 4500, "test": 500}, rng=0, stratify=labels)
    return images, labels, idx


def digit_examples() -> tuple[np.ndarray, np.ndarray]:
    """One held-out digit of each class 0-9 from ``load_mnist_5k``: images (10, 1, 28, 28)
    float32 and labels (10,), the images the explorer offers."""
    images, labels, idx = _split()
    test = idx["test"]
    first = [test[labels[test] == d][0] for d in range(10)]
    return images[first], labels[first]


def trained_small_cnn(checkpoint=None, epochs: int = 2):
    """:func:`small_cnn` trained for ``epochs`` epochs on 4,500 of the 5,000 bundled MNIST
    digits (Adam, lr 2e-3, batches of 32, seed 0; the other 500 are held out), loaded from
    ``checkpoint`` if that file exists, else trained (under a minute on a CPU) and saved
    there. Default path: ``cnn_core.paths.checkpoint_path("widgets_small_cnn_mnist5k.pt")``,
    the model the course ships."""
    from cnn_core.data.torch_data import make_loader
    from cnn_core.paths import checkpoint_path
    from cnn_core.training import fit, seed_everything

    path = Path(checkpoint) if checkpoint else checkpoint_path("widgets_small_cnn_mnist5k.pt")
    seed_everything(0)
    model = small_cnn()
    images, labels, idx = _split()
    train = make_loader(images[idx["train"]], labels[idx["train"]], batch_size=32, shuffle=True, seed=0)
    fit(model, train, epochs=epochs, lr=2e-3, device="cpu", checkpoint=path, progress=False, seed=0)
    return model.eval()


class FeatureMapExplorer(Explorer):
    """Knobs: ``image`` (index into ``images``) and ``layer`` (a named sub-module whose
    output is a stack of feature maps, or ``"class scores"``: the model's output, one score
    per class, with its softmax).

    ``model``: a torch model (default :func:`trained_small_cnn`); ``images``: (N, C, H, W)
    float array (default :func:`digit_examples`). ``maps`` is the (C, H, W) output of the
    chosen layer for the chosen image; ``probabilities`` the model's softmax.
    """

    static_controls = ("image", "layer")

    def __init__(self, model=None, images=None, labels=None, **knobs):
        import torch

        self.model = (trained_small_cnn() if model is None else model).eval()
        if images is None:
            images, labels = digit_examples()
        self.images = np.asarray(images, dtype=np.float32)
        if self.images.ndim != 4:
            raise ValueError(f"images must be (N, C, H, W), got shape {self.images.shape}")
        self.labels = None if labels is None else np.asarray(labels)
        self._cache: dict = {}
        with torch.no_grad():                       # which layers give feature maps?
            self._layers = [n for n, m in self.model.named_modules()
                            if n and not list(m.children())
                            and self._run(0)[0].get(n) is not None and self._run(0)[0][n].ndim == 3]
        if not self._layers:
            raise ValueError("this model has no layer whose output is a (C, H, W) stack of feature maps")
        scores = self._run(0)[1]
        if scores is not None and len(scores) <= _MAX_CLASSES:
            self._layers.append(SCORES)
        super().__init__(**knobs)

    def _run(self, index: int) -> tuple[dict, np.ndarray]:
        """Outputs (C, H, W) of every leaf layer for image ``index``, and the probabilities."""
        if index in self._cache:
            return self._cache[index]
        import torch

        outputs, hooks = {}, []
        for name, module in self.model.named_modules():
            if name and not list(module.children()):
                hooks.append(module.register_forward_hook(
                    lambda m, i, o, name=name: outputs.__setitem__(name, o[0].detach().cpu().numpy())))
        try:
            with torch.no_grad():
                logits = self.model(torch.from_numpy(self.images[index:index + 1]))
        finally:
            for h in hooks:
                h.remove()
        probs = torch.softmax(logits[0], dim=0).numpy() if logits.ndim == 2 else None
        if logits.ndim == 2:
            outputs[SCORES] = logits[0].detach().cpu().numpy()
        self._cache[index] = (outputs, probs)
        return self._cache[index]

    def controls(self) -> list[Control]:
        labels = tuple(f"{i}" + (f" (a {self.labels[i]})" if self.labels is not None else "")
                       for i in range(len(self.images)))
        return [Control("image", "image", tuple(range(len(self.images))), "dropdown", labels=labels,
                        static_options=tuple(range(min(10, len(self.images))))),
                Control("layer", "layer", tuple(self._layers), "dropdown")]

    @property
    def maps(self) -> np.ndarray:
        return self._run(self.state["image"])[0][self.state["layer"]]

    @property
    def probabilities(self) -> np.ndarray | None:
        return self._run(self.state["image"])[1]

    def render(self) -> str:
        i, layer = self.state["image"], self.state["layer"]
        x = self.images[i]
        left = _draw.image_png(x[0] if x.shape[0] == 1 else x.mean(0), title=f"input {x.shape[1]}x{x.shape[2]}",
                               size=112)
        if layer == SCORES:
            return self._render_scores(left)
        maps = self.maps
        module = dict(self.model.named_modules())[layer]
        shown = maps[:_MAX_CHANNELS]
        lo, hi = float(shown.min()), float(shown.max())
        tiles = [_draw.image_png(m, title=f"channel {c}", vmin=lo, vmax=hi, cmap="viridis", size=72)
                 for c, m in enumerate(shown)]
        grid = '<div style="display:flex;flex-wrap:wrap;gap:4px;max-width:720px">' + "".join(tiles) + "</div>"
        text = [f"layer '{layer}' ({type(module).__name__}): {maps.shape[0]} feature maps of "
                f"{maps.shape[1]}x{maps.shape[2]}" + (f", first {_MAX_CHANNELS} shown" if len(maps) > _MAX_CHANNELS
                                                      else "")
                + f"; colours from {_draw.fmt(lo, 3)} to {_draw.fmt(hi, 3)} (same scale for all)"]
        p = self.probabilities
        if p is not None:
            text.append(f"prediction: class {int(p.argmax())} with probability {p.max():.2f}")
        return _draw.panel(left, grid) + "".join(_draw.note(t) for t in text)

    def _render_scores(self, left: str) -> str:
        scores, p = self.maps, self.probabilities
        classes = [str(c) for c in range(len(scores))]
        raw = _draw.bars_svg(scores, classes, title="scores (the last layer's outputs)", width=320)
        soft = _draw.bars_svg(p, classes, title="softmax: probability of each class", width=320, lo=0, hi=1)
        best = int(p.argmax())
        truth = "" if self.labels is None else f"; the image is a {self.labels[self.state['image']]}"
        return _draw.panel(left, raw, soft) + _draw.note(
            f"{len(scores)} class scores; the largest, {_draw.fmt(scores[best], 3)}, is class {best}, "
            f"with probability {p[best]:.2f}{truth}")


def feature_map_explorer(model=None, images=None, labels=None, **knobs) -> FeatureMapExplorer:
    """The feature-map explorer (default: a small CNN trained on bundled MNIST digits)."""
    return FeatureMapExplorer(model, images, labels, **knobs)
