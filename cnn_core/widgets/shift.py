"""The shift explorer: move a digit and watch what each network predicts.

Chapter 1's experiment as a knob: a digit is shifted left/right and up/down, and several
trained PyTorch models (e.g. a dense network and a small CNN) classify it. The explorer
shows the shifted digit and each model's class probabilities, so one sees the dense
network lose the digit after a few pixels while the CNN keeps it.
"""

from __future__ import annotations

import numpy as np

from ..shapes import article
from . import _draw
from ._base import Control, Explorer

__all__ = ["ShiftExplorer", "shift_explorer", "shift_image"]

SHIFTS = tuple(range(-6, 7))


def shift_image(image: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """``image`` (H, W) moved ``dx`` pixels right and ``dy`` pixels down; pixels that leave
    the frame are lost and the uncovered border is 0 (black)."""
    h, w = image.shape
    if abs(dx) >= w or abs(dy) >= h:
        raise ValueError(f"a shift of ({dx}, {dy}) moves the whole {h}x{w} image out of the frame")
    out = np.zeros_like(image)
    src = image[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    out[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    return out


class ShiftExplorer(Explorer):
    """Knobs: ``digit`` (which example), ``dx`` and ``dy`` (the shift in pixels).

    ``models``: a dict name -> torch model taking (N, 1, H, W) and returning logits;
    ``images`` (K, 1, H, W) float32 in [0, 1] and ``labels`` (K,).
    ``shifted`` is the digit being shown; ``probabilities()`` maps each model's name to its
    class probabilities for it.
    """

    static_controls = ("digit", "dx", "dy")
    max_static_states = 200

    def __init__(self, models: dict, images: np.ndarray, labels: np.ndarray, **knobs):
        if not models:
            raise ValueError("shift_explorer needs at least one model, e.g. {'CNN': model}")
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 4 or images.shape[1] != 1:
            raise ValueError(f"images must be (K, 1, H, W) grey-scale digits, got shape {images.shape}")
        if len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.models, self.images, self.labels = dict(models), images, np.asarray(labels)
        self._cache: dict = {}
        super().__init__(**knobs)

    def defaults(self) -> dict:
        return {"digit": 0, "dx": 0, "dy": 0}

    def controls(self) -> list[Control]:
        digits = tuple(range(len(self.images)))
        return [
            Control("digit", "digit", digits, "dropdown",
                    labels=tuple(f"example {i} ({article(int(self.labels[i]))} {int(self.labels[i])})"
                                 for i in digits)),
            # the static page: every other horizontal shift, three vertical ones (the states
            # carry two bar charts each; all 7 x 7 of them made chapter 1's page 0.9 MB)
            Control("dx", "shift right", SHIFTS, static_options=SHIFTS[::2]),
            Control("dy", "shift down", SHIFTS, static_options=(-4, 0, 4)),
        ]

    @property
    def shifted(self) -> np.ndarray:
        s = self.state
        return shift_image(self.images[s["digit"], 0], s["dx"], s["dy"])

    def probabilities(self) -> dict[str, np.ndarray]:
        import torch

        from ..training import device_of

        key = (self.state["digit"], self.state["dx"], self.state["dy"])
        if key not in self._cache:
            x = torch.from_numpy(self.shifted[None, None].copy())
            out = {}
            with torch.no_grad():
                for name, model in self.models.items():
                    model.eval()
                    out[name] = torch.softmax(model(x.to(device_of(model, x.device))).float(), dim=1)[0].cpu().numpy()
            self._cache[key] = out
        return self._cache[key]

    def render(self) -> str:
        label = int(self.labels[self.state["digit"]])
        title = f"{article(label)} {label}, shifted ({self.state['dx']}, {self.state['dy']})"
        parts = [_draw.image_png(self.shifted, title=title,
                                 vmin=0, vmax=1, cmap="gray_r", size=140)]
        lines = []
        for name, p in self.probabilities().items():
            guess = int(p.argmax())
            parts.append(_draw.bars_svg(p, range(len(p)), title=name, width=260, height=140, lo=0, hi=1))
            verdict = "right" if guess == label else "wrong"
            lines.append(f"{name}: predicts {guess} with probability {p[guess]:.2f} ({verdict}); "
                         f"probability of the true class {p[label]:.2f}")
        return _draw.panel(*parts) + "".join(_draw.note(t, "info" if "(right)" in t else "warning") for t in lines)


def shift_explorer(models: dict, images: np.ndarray, labels: np.ndarray, **knobs) -> ShiftExplorer:
    """Shift a digit and compare the models' predictions (chapter 1)."""
    return ShiftExplorer(models, images, labels, **knobs)
