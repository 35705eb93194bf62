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
_PICTURE_POSITIONS = 5       # a static page offers 5 rows and 5 columns of a picture's windows
#: the images a static page offers: the notes' matrices, a letter, a photograph
STATIC_IMAGES = ("notes 6x6 (set 001)", "notes vertical-edge 6x6 (set 004)", "notes 3x3 (0..8)",
                 "letter X (set 000)", "photo 32x32 (camera)")


class ConvolutionExplorer(Explorer):
    """Knobs: ``image``, ``kernel`` (names from ``cnn_core.widgets.examples``, or pass an
    array as ``kernel=`` / call :meth:`set_kernel`), ``stride``, ``padding``, ``padding_mode``,
    ``dilation``, and the selected output position ``row``, ``col``.

    What it shows: ``padded_input`` (H + 2P, W + 2P), ``output`` (Ho, Wo) (computed with
    ``cnn_core.reference.conv2d``, PyTorch's flooring when the stride does not fit),
    ``window`` (the kF x kF pixels under the kernel at ``(row, col)``), ``arithmetic`` (that
    dot product written out), ``fit_message`` (why a configuration does not fit, or "").
    """

    static_controls = ("image", "kernel", "stride", "padding", "dilation")
    client_controls = ("row", "col")        # moving the window: every position is drawn
    max_static_states = 400

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
            Control("image", "image", tuple(IMAGES), "dropdown", static_options=STATIC_IMAGES),
            Control("kernel", "kernel", tuple(self.kernels), "dropdown"),
            Control("stride", "stride", (1, 2, 3), static_options=(1, 2)),
            Control("padding", "padding", (0, 1, 2), static_options=(0, 1)),
            Control("padding_mode", "padding mode", tuple(_PAD_MODES), "dropdown"),
            Control("dilation", "dilation", (1, 2, 3), static_options=(1, 2)),
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
    def client_options(self, name: str) -> tuple:
        """The output rows (``row``) or columns (``col``) a static page offers: all of them,
        or, for a picture, 5 spread over it."""
        size = self.output_size() or (1, 1)
        n = size[0] if name == "row" else size[1]
        if max(self.padded_input.shape) <= _NUMBERS_UP_TO or n <= _PICTURE_POSITIONS:
            return tuple(range(n))
        return tuple(int(v) for v in np.unique(np.linspace(0, n - 1, _PICTURE_POSITIONS).round()))

    def render(self) -> str:
        return self._render(static=False)

    def render_static(self) -> str:
        return self._render(static=True)

    def _render(self, static: bool) -> str:
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
        h, w = self.image.shape
        positions = ([(i, j) for i in self.client_options("row") for j in self.client_options("col")]
                     if static else [(r, c)])

        def window(i, j):                       # the window's outline, and its cells when dilated
            _, (rows, cols) = self.window_at(i, j)
            boxes = [(rows.start, cols.start, rows.stop - 1, cols.stop - 1, "red")]
            if d > 1:
                boxes += [(a, b, a, b, "red", "thin") for a in range(rows.start, rows.stop, d)
                          for b in range(cols.start, cols.stop, d)]
            return boxes

        def groups(boxes_at):
            return [(_draw.when(row=i, col=j), boxes_at(i, j), (i, j) == (r, c)) for i, j in positions]
        title = f"input {h}x{w}" + (f", padded by {p} ({self.state['padding_mode']})" if p else "")
        if max(padded.shape) <= _NUMBERS_UP_TO:
            shaded = np.ones(padded.shape, bool)
            shaded[p:p + h, p:p + w] = False
            left = _draw.matrix_svg(padded, title=title, shaded=shaded if p else None, variants=groups(window))
            right = _draw.matrix_svg(out, title=f"feature map {out.shape[0]}x{out.shape[1]}",
                                     variants=groups(lambda i, j: [(i, j, i, j, "red")]),
                                     diverging=out.min() < 0, digits=2)
        else:
            left = _draw.image_png(padded, title=title, variants=groups(window))
            lim = float(np.abs(out).max()) or 1.0
            right = _draw.image_png(out, title=f"feature map {out.shape[0]}x{out.shape[1]}",
                                    cmap="RdBu_r" if out.min() < 0 else "gray",
                                    vmin=-lim if out.min() < 0 else None, vmax=lim if out.min() < 0 else None,
                                    variants=groups(lambda i, j: [(i, j, i, j, "red")]))
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
        if d > 1:
            parts.append(_draw.note(f"dilation {d}: the kernel's {kh}x{kw} weights meet pixels {d} apart, "
                                    f"in a {d * (kh - 1) + 1}x{d * (kw - 1) + 1} window (the thin red cells)"))
        if p == 0 and self.state["padding_mode"] != "zeros":
            parts.append(_draw.note(f"padding 0: there is no border for '{self.state['padding_mode']}' to fill"))
        picture = max(padded.shape) > _NUMBERS_UP_TO
        lines = []
        for i, j in positions:
            if static and picture:              # a picture's windows: the sum, not its terms
                line = (f"Y[{i},{j}] = {_draw.fmt(out[i, j], 4)}: the {kh * kw} pixels under the red window "
                        f"times the kernel, summed")
            else:
                line = f"Y[{i},{j}] = {dot_product_terms(self.window_at(i, j)[0], self.kernel_array)}"
            lines.append(_draw.variant(_draw.when(row=i, col=j), line, (i, j) == (r, c), "p") if static
                         else f"<p>{line}</p>")
        parts.append(f'<div style="font-family:monospace;font-size:13px">{"".join(lines)}</div>')
        return "".join(parts)


def conv_explorer(image: str = "notes 6x6 (set 001)", kernel="notes [1 2 1; 0 0 0; 1 2 1]",
                  **knobs) -> ConvolutionExplorer:
    """The convolution explorer (display it, or call ``.widget()``). See :class:`ConvolutionExplorer`."""
    return ConvolutionExplorer(image=image, kernel=kernel, **knobs)
