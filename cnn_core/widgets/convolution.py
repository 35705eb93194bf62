"""The convolution explorer: an image, a kernel, stride, padding (and its mode), dilation.

Shows the (padded) input with the window of the selected output position, the kernel,
the feature map, and the dot product of that position written out the way the notes
write it: ``(2x1) + (4x2) + (5x1) + ... = 24``.
"""

from __future__ import annotations

import numpy as np

from cnn_core import shapes
from cnn_core.reference import conv2d, pad
from cnn_core.worked import dot_product_terms

from . import _draw
from ._base import Control, Explorer
from .examples import IMAGES, KERNELS, image, kernel

__all__ = ["ConvolutionExplorer", "conv_explorer"]

_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
_NUMBERS_UP_TO = 14          # larger (padded) images are drawn as pictures, not numbers


class ConvolutionExplorer(Explorer):
    """Knobs: ``image``, ``kernel`` (names from ``cnn_core.widgets.examples``, or pass an
    array as ``kernel=`` / call :meth:`set_kernel`), ``stride``, ``padding``, ``padding_mode``,
    ``dilation``, and the selected output position ``row``, ``col``.

    What it shows: ``padded_input`` (H + 2P, W + 2P), ``output`` (Ho, Wo) (computed with
    ``cnn_core.reference.conv2d``, PyTorch's flooring when the stride does not fit),
    ``window`` (the kF x kF pixels under the kernel at ``(row, col)``), ``arithmetic`` (that
    dot product written out), ``fit_message`` (why a configuration does not fit, or "").
    """

    static_controls = ("kernel", "stride", "padding")

    def __init__(self, image: str = "notes 6x6 (set 001)", kernel="notes [1 2 1; 0 0 0; 1 2 1]", **knobs):
        self.kernels = {name: np.array(k, dtype=np.float64) for name, k in KERNELS.items()}
        if not isinstance(kernel, str):
            self.kernels["custom"] = self._as_kernel(kernel)
            kernel = "custom"
        super().__init__(image=image, kernel=kernel, **knobs)

    # -- knobs -----------------------------------------------------------------------------
    def controls(self) -> list[Control]:
        out_h, out_w = self.output_size() or (1, 1)
        return [
            Control("image", "image", tuple(IMAGES), "dropdown"),
            Control("kernel", "kernel", tuple(self.kernels), "dropdown"),
            Control("stride", "stride", (1, 2, 3), static_options=(1, 2)),
            Control("padding", "padding", (0, 1, 2), static_options=(0, 1)),
            Control("padding_mode", "padding mode", tuple(_PAD_MODES), "dropdown"),
            Control("dilation", "dilation", (1, 2, 3)),
            Control("row", "output row", tuple(range(out_h))),
            Control("col", "output column", tuple(range(out_w))),
        ]

    def defaults(self) -> dict:
        return {"stride": 1, "padding": 0, "padding_mode": "zeros", "dilation": 1, "row": 0, "col": 0}

    def _check(self) -> None:
        size = self.output_size() or (1, 1)
        self.state["row"] = min(self.state.get("row", 0), size[0] - 1)
        self.state["col"] = min(self.state.get("col", 0), size[1] - 1)

    @staticmethod
    def _as_kernel(values) -> np.ndarray:
        k = np.array(values, dtype=np.float64)
        if k.ndim != 2 or k.size == 0 or not np.isfinite(k).all():
            raise ValueError(f"a kernel must be a 2-d grid of numbers like [[1, 0, -1], [1, 0, -1], [1, 0, -1]], "
                             f"got shape {k.shape}")
        return k

    def set_kernel(self, values) -> "ConvolutionExplorer":
        """Use your own kernel: a 2-d array, nested lists, or text like ``"1 0 -1; 1 0 -1; 1 0 -1"``."""
        if isinstance(values, str):
            try:
                values = [[float(v) for v in row.replace(",", " ").split()] for row in values.strip().split(";")]
            except ValueError:
                raise ValueError(f"write a kernel as rows of numbers separated by ';', like "
                                 f"'1 0 -1; 1 0 -1; 1 0 -1', got {values!r}") from None
            if len({len(r) for r in values}) != 1:
                raise ValueError("every row of the kernel needs the same number of values")
        self.kernels["custom"] = self._as_kernel(values)
        self.update(kernel="custom")
        self.refresh()
        return self

    def extra_widgets(self) -> list:
        import ipywidgets as w

        k = self.kernel_array
        box = w.Text(value="; ".join(" ".join(_draw.fmt(v) for v in row) for row in k),
                     description="edit kernel", continuous_update=False, style={"description_width": "initial"},
                     layout=w.Layout(width="380px"))

        def changed(change):
            try:
                self.set_kernel(change["new"])
            except ValueError as err:
                self._live.show_error(err)
        box.observe(changed, names="value")
        return [box]

    # -- the model -------------------------------------------------------------------------
    @property
    def image(self) -> np.ndarray:
        """(H, W) float64."""
        return image(self.state["image"])

    @property
    def kernel_array(self) -> np.ndarray:
        """(kH, kW) float64."""
        return self.kernels[self.state["kernel"]].copy()

    def fit_message(self) -> str:
        """'' if the kernel fits exactly, else the reason (from ``cnn_core.shapes``)."""
        s = self.state
        for n, k in zip(self.image.shape, self.kernel_array.shape):
            try:
                shapes.conv_output_size(n, k, s["stride"], s["padding"], s["dilation"])
            except ValueError as err:
                return str(err)
        return ""

    def output_size(self) -> tuple[int, int] | None:
        """(Ho, Wo) as PyTorch computes it (floored), or None if the kernel is larger than the
        padded image."""
        s = self.state
        try:
            return tuple(shapes.conv_output_size(n, k, s["stride"], s["padding"], s["dilation"], strict=False)
                         for n, k in zip(self.image.shape, self.kernel_array.shape))
        except ValueError:
            return None

    @property
    def padded_input(self) -> np.ndarray:
        """(H + 2P, W + 2P): the image with its border, as the kernel sees it."""
        p = self.state["padding"]
        x = self.image[None, None]
        return pad(x, (p, p, p, p), mode=_PAD_MODES[self.state["padding_mode"]])[0, 0] if p else x[0, 0]

    @property
    def output(self) -> np.ndarray:
        """(Ho, Wo): the feature map, from ``cnn_core.reference.conv2d`` (strict=False)."""
        s = self.state
        return conv2d(self.image[None, None], self.kernel_array[None, None], stride=s["stride"],
                      padding=s["padding"], dilation=s["dilation"], padding_mode=s["padding_mode"],
                      strict=False)[0, 0]

    def window_at(self, row: int, col: int) -> tuple[np.ndarray, tuple[slice, slice]]:
        """The (kH, kW) pixels of the padded input under the kernel at output (row, col),
        and the slices that cut them out (step = dilation)."""
        s, d = self.state["stride"], self.state["dilation"]
        kh, kw = self.kernel_array.shape
        rows = slice(row * s, row * s + d * (kh - 1) + 1, d)
        cols = slice(col * s, col * s + d * (kw - 1) + 1, d)
        return self.padded_input[rows, cols], (rows, cols)

    @property
    def window(self) -> np.ndarray:
        return self.window_at(self.state["row"], self.state["col"])[0]

    @property
    def arithmetic(self) -> str:
        """``Y[row, col] = (a x k) + ... = value``, term by term (``cnn_core.worked``)."""
        r, c = self.state["row"], self.state["col"]
        return f"Y[{r},{c}] = {dot_product_terms(self.window, self.kernel_array)}"

    # -- the view ----------------------------------------------------------------------------
    def render(self) -> str:
        try:
            size = self.output_size()
            if size is None:
                return _draw.note(self.fit_message(), "warning")
            padded, out = self.padded_input, self.output
        except ValueError as err:               # e.g. reflect padding wider than the image
            return _draw.note(str(err), "warning")
        s, p, d = self.state["stride"], self.state["padding"], self.state["dilation"]
        r, c = self.state["row"], self.state["col"]
        kh, kw = self.kernel_array.shape
        _, (rows, cols) = self.window_at(r, c)
        box = (rows.start, cols.start, rows.stop - 1, cols.stop - 1, "red")
        h, w = self.image.shape
        if max(padded.shape) <= _NUMBERS_UP_TO:
            shaded = np.ones(padded.shape, bool)
            shaded[p:p + h, p:p + w] = False
            marks = {(i, j) for i in range(rows.start, rows.stop, d) for j in range(cols.start, cols.stop, d)}
            left = _draw.matrix_svg(padded, title=f"input {h}x{w}" + (f", padded by {p}" if p else ""),
                                    boxes=[box], shaded=shaded if p else None, marks=marks if d > 1 else ())
            titles = {(i, j): f"Y[{i},{j}] = {dot_product_terms(self.window_at(i, j)[0], self.kernel_array)}"
                      for i in range(out.shape[0]) for j in range(out.shape[1])}
            right = _draw.matrix_svg(out, title=f"feature map {out.shape[0]}x{out.shape[1]}",
                                     boxes=[(r, c, r, c, "red")], titles=titles, diverging=out.min() < 0)
        else:
            left = _draw.image_png(padded, title=f"input {h}x{w}" + (f", padded by {p}" if p else ""),
                                   boxes=[box])
            lim = float(np.abs(out).max()) or 1.0
            right = _draw.image_png(out, title=f"feature map {out.shape[0]}x{out.shape[1]}",
                                    cmap="RdBu_r" if out.min() < 0 else "gray",
                                    vmin=-lim if out.min() < 0 else None, vmax=lim if out.min() < 0 else None,
                                    boxes=[(r, c, r, c, "red")])
        k = self.kernel_array
        middle = _draw.matrix_svg(k, title=f"kernel {kh}x{kw}", diverging=k.min() < 0, digits=2)
        sizes = [(h, kh, "size")] if (h, kh) == (w, kw) else [(h, kh, "height"), (w, kw, "width")]
        parts = [_draw.panel(left, middle, right)]
        for n, f, what in sizes:
            span = d * (f - 1) + 1
            parts.append(_draw.note(
                f"output {what}: (N + 2P - D(F - 1) - 1)/S + 1 = ({n} + 2*{p} - {span - 1} - 1)/{s} + 1 "
                f"= {_draw.fmt((n + 2 * p - span) / s + 1, 3)}" + (f" -> {out.shape[0]}x{out.shape[1]}"
                                                                   if len(sizes) == 1 else "")))
        if self.fit_message():
            parts.append(_draw.note(self.fit_message() + "; PyTorch drops the leftover rows and columns.",
                                    "warning"))
        parts.append(f'<p style="font-family:monospace;font-size:13px">{self.arithmetic}</p>')
        return "".join(parts)


def conv_explorer(image: str = "notes 6x6 (set 001)", kernel="notes [1 2 1; 0 0 0; 1 2 1]",
                  **knobs) -> ConvolutionExplorer:
    """The convolution explorer (display it, or call ``.widget()``). See :class:`ConvolutionExplorer`."""
    return ConvolutionExplorer(image=image, kernel=kernel, **knobs)
