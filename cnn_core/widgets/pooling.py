"""The pooling explorer: max, average or sum pooling, window and stride, on the notes'
matrices and on feature maps.

Every output entry is written out (``max(2, 4, 4, 6) = 6``), and where the notes print a
result for the same setting, the entries where they slipped are named.
"""

from __future__ import annotations

import functools

import numpy as np

from cnn_core import shapes
from cnn_core.reference import avg_pool2d, conv2d, max_pool2d, relu, sum_pool2d
from cnn_core.worked import compare_with_notes

from . import _draw
from ._base import Control, Explorer
from .examples import NOTES_POOLING, POOLING_INPUTS, image, kernel

__all__ = ["PoolingExplorer", "pooling_explorer", "pooling_input"]

_FEATURE_MAPS = {
    # name: (image, kernel) -> the ReLU of their feature map
    "feature map: notes 6x6 * [1 2 1]": ("notes 6x6 (set 001)", "notes [1 2 1; 0 0 0; 1 2 1]"),
    "feature map: photo, vertical edges, ReLU": ("photo 32x32 (camera)", "vertical edge"),
}
_POOL = {"max": max_pool2d, "average": avg_pool2d, "sum": sum_pool2d}
_NUMBERS_UP_TO = 12


def pooling_input(name: str) -> np.ndarray:
    """The (H, W) float64 input called ``name``: a matrix of the notes, or a feature map
    (ReLU of a convolution, computed with ``cnn_core.reference``)."""
    return _pooling_input(name).copy()


@functools.lru_cache(maxsize=None)
def _pooling_input(name: str) -> np.ndarray:
    if name in POOLING_INPUTS:
        return np.array(POOLING_INPUTS[name], dtype=np.float64)
    if name in _FEATURE_MAPS:
        img, k = _FEATURE_MAPS[name]
        return relu(conv2d(image(img)[None, None], kernel(k)[None, None]))[0, 0]
    raise ValueError(f"unknown pooling input {name!r}; choose one of {', '.join([*POOLING_INPUTS, *_FEATURE_MAPS])}")


class PoolingExplorer(Explorer):
    """Knobs: ``input`` (a name, see :func:`pooling_input`), ``mode`` ('max', 'average',
    'sum'), ``kernel_size`` (the window), ``stride``.

    Shows ``input_array``, ``output`` (``cnn_core.reference`` pooling, floored like PyTorch
    when the stride does not fit), ``terms()`` (each entry written out) and ``notes_slips()``.
    """

    static_controls = ("input", "mode", "kernel_size", "stride")

    def controls(self) -> list[Control]:
        return [
            Control("input", "input", (*POOLING_INPUTS, *_FEATURE_MAPS), "dropdown"),
            Control("mode", "pooling", tuple(_POOL), "dropdown"),
            Control("kernel_size", "window", (2, 3)),
            Control("stride", "stride", (1, 2, 3)),
        ]

    def defaults(self) -> dict:
        return {"input": "notes set 001", "mode": "max", "kernel_size": 2, "stride": 2}

    @property
    def input_array(self) -> np.ndarray:
        return pooling_input(self.state["input"])

    @property
    def output(self) -> np.ndarray:
        s = self.state
        x = self.input_array[None, None]
        return _POOL[s["mode"]](x, s["kernel_size"], s["stride"], strict=False)[0, 0]

    def fit_message(self) -> str:
        s = self.state
        try:
            for n in self.input_array.shape:
                shapes.pool_output_size(n, s["kernel_size"], s["stride"])
        except ValueError as err:
            return str(err)
        return ""

    def window(self, i: int, j: int) -> np.ndarray:
        k, st = self.state["kernel_size"], self.state["stride"]
        return self.input_array[i * st:i * st + k, j * st:j * st + k]

    def terms(self, i: int, j: int) -> str:
        """Entry (i, j) written out: ``max(2, 4, 4, 6) = 6``, ``avg(...) = 16/4 = 4``."""
        w = self.window(i, j)
        values = ", ".join(_draw.fmt(v) for v in w.ravel())
        mode = self.state["mode"]
        if mode == "max":
            return f"max({values}) = {_draw.fmt(w.max())}"
        if mode == "sum":
            return f"sum({values}) = {_draw.fmt(w.sum())}"
        return f"avg({values}) = {_draw.fmt(w.sum())}/{w.size} = {_draw.fmt(w.mean())}"

    def notes_slips(self) -> list:
        """Where the notes' printed result for this setting differs from the computed one
        (the notes give averages to one decimal, so 2.75 printed as 2.8 is not a slip)."""
        s = self.state
        printed = NOTES_POOLING.get((s["input"], s["mode"]))
        if printed is None or (s["kernel_size"], s["stride"]) != (2, 2):
            return []
        return compare_with_notes(self.output, printed, atol=0.051)

    def render(self) -> str:
        try:
            x, out = self.input_array, self.output
        except ValueError as err:
            return _draw.note(str(err), "warning")
        k, st, mode = self.state["kernel_size"], self.state["stride"], self.state["mode"]
        boxes = [(0, 0, k - 1, k - 1, "red")]
        if out.shape[1] > 1:
            boxes.append((0, st, k - 1, st + k - 1, "orange"))
        if max(x.shape) <= _NUMBERS_UP_TO:
            titles = {(i, j): self.terms(i, j) for i in range(out.shape[0]) for j in range(out.shape[1])}
            left = _draw.matrix_svg(x, title=f"input {x.shape[0]}x{x.shape[1]}", boxes=boxes)
            right = _draw.matrix_svg(out, title=f"{mode} pooling {out.shape[0]}x{out.shape[1]}",
                                     boxes=[(0, 0, 0, 0, "red")], titles=titles)
            lines = [self.terms(i, j) for i in range(out.shape[0]) for j in range(out.shape[1])]
        else:
            left = _draw.image_png(x, title=f"input {x.shape[0]}x{x.shape[1]}", boxes=boxes)
            right = _draw.image_png(out, title=f"{mode} pooling {out.shape[0]}x{out.shape[1]}",
                                    boxes=[(0, 0, 0, 0, "red")])
            lines = [self.terms(0, 0) + "   (the first window)"]
        parts = [_draw.panel(left, right),
                 _draw.note(f"{k}x{k} window, stride {st}: {x.shape[0]}x{x.shape[1]} -> "
                            f"{out.shape[0]}x{out.shape[1]} ({x.size / out.size:g} times fewer numbers)")]
        if self.fit_message():
            parts.append(_draw.note(self.fit_message() + "; PyTorch drops the leftover rows and columns.",
                                    "warning"))
        parts.append('<pre style="font-size:12px">' + "\n".join(lines) + "</pre>")
        for slip in self.notes_slips():
            i, j = slip.index
            parts.append(_draw.note(f"The lecture notes have {_draw.fmt(slip.notes)} at ({i}, {j}); "
                                    f"{self.terms(i, j)}.", "warning"))
        return "".join(parts)


def pooling_explorer(input: str = "notes set 001", mode: str = "max", kernel_size: int = 2,
                     stride: int = 2) -> PoolingExplorer:
    """The pooling explorer, starting on the notes' 4x4 matrix of set 001."""
    return PoolingExplorer(input=input, mode=mode, kernel_size=kernel_size, stride=stride)
