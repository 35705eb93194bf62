"""The "why GPUs" explorer: the work of one convolution layer, and why it suits a GPU.

Knobs: a batch of N images of C channels, H x W pixels (square here), and a layer of K
filters of k x k with a stride and a padding. Every number shown is arithmetic on those
knobs, the sizes from ``cnn_core.shapes``:

- the output (N, K, Ho, Wo), and the multiply-adds: N * K * Ho * Wo dot products of
  C * k * k numbers each (``shapes.conv_macs`` per image);
- the same convolution as one matrix product (im2col, as ``cnn_core.reference.conv2d``
  does it): the weights as a K x (C*k*k) matrix times a (C*k*k) x (N*Ho*Wo) matrix whose
  columns are the patches; the memory of each in float32 (MB = 10**6 bytes);
- the parallel work: every output value is an independent dot product, so a GPU can give
  its thousands of arithmetic units one each;
- the arithmetic intensity: multiply-adds per byte of the least memory traffic the layer
  needs (read the input and the weights once, write the output once).

Nothing is timed: the numbers are the same on every machine, so the static page is too.
"""

from __future__ import annotations

import html
import math

from cnn_core import shapes

from . import _draw
from ._base import Control, Explorer

__all__ = ["GPUWorkExplorer", "gpu_work_explorer", "BYTES_PER_FLOAT", "GPU_UNITS"]

#: float32, the precision the numbers are given in.
BYTES_PER_FLOAT = 4

#: The order of magnitude of a large GPU's arithmetic units (an NVIDIA H100 has 16,896
#: float32 units); fewer independent dot products than this leave most of them idle.
GPU_UNITS = 10_000

HALF = "k // 2"          # the padding option that keeps the size at stride 1 for odd k


class GPUWorkExplorer(Explorer):
    """Knobs: ``batch_size`` (N), ``in_channels`` (C), ``out_channels`` (K), ``size`` (H = W),
    ``kernel_size`` (k), ``stride``, ``padding`` (pixels, or ``'k // 2'``: half the kernel).

    ``output_shape`` (N, K, Ho, Wo), ``macs``, ``params``, ``dot_products``,
    ``matrices`` (the im2col product's shapes), ``memory`` (float32 bytes of each tensor)
    and ``intensity``; each is None, and ``message`` says why, when the kernel does not
    fit the padded image. Starts at a 3x3 layer of ResNet-18's first stage, 64 channels of
    56x56, on a batch of 16.
    """

    # 3 x 3 x 2 x 3 = 54 pre-rendered states of about 3.5 kB each on a static page
    static_controls = ("batch_size", "in_channels", "out_channels", "size")

    def controls(self) -> list[Control]:
        return [
            Control("batch_size", "batch N", (1, 2, 4, 8, 16, 32, 64, 128, 256), static_options=(1, 16, 256)),
            Control("in_channels", "in channels C", (1, 3, 8, 16, 32, 64, 128, 256, 512),
                    static_options=(3, 64, 512)),
            Control("out_channels", "filters K", (1, 8, 16, 32, 64, 128, 256, 512), static_options=(64, 512)),
            Control("size", "image H = W", (1, 2, 4, 7, 8, 14, 16, 28, 32, 56, 64, 112, 224),
                    static_options=(7, 56, 224)),
            Control("kernel_size", "kernel k", (1, 3, 5, 7, 11)),
            Control("stride", "stride", (1, 2, 4)),
            Control("padding", "padding", (HALF, 0, 1, 2, 3), "dropdown"),
        ]

    def defaults(self) -> dict:
        return {"batch_size": 16, "in_channels": 64, "out_channels": 64, "size": 56, "kernel_size": 3,
                "stride": 1, "padding": HALF}

    # -- the arithmetic ----------------------------------------------------------------------
    @property
    def pixels_of_padding(self) -> int:
        p = self.state["padding"]
        return self.state["kernel_size"] // 2 if p == HALF else p

    @property
    def message(self) -> str:
        """Why the layer does not fit the image ('' when it does), in ``shapes``' words."""
        s = self.state
        try:
            shapes.conv_output_size(s["size"], s["kernel_size"], s["stride"], self.pixels_of_padding, strict=False)
        except ValueError as err:
            return str(err)
        return ""

    @property
    def out_size(self) -> int | None:
        """Ho = Wo, floored as PyTorch does when the stride does not land on the last pixel."""
        if self.message:
            return None
        s = self.state
        return shapes.conv_output_size(s["size"], s["kernel_size"], s["stride"], self.pixels_of_padding,
                                       strict=False)

    @property
    def output_shape(self) -> tuple[int, int, int, int] | None:
        o = self.out_size
        return None if o is None else (self.state["batch_size"], self.state["out_channels"], o, o)

    @property
    def dot_length(self) -> int:
        """Numbers in one dot product: one patch, C * k * k (also a column of the im2col matrix)."""
        s = self.state
        return s["in_channels"] * s["kernel_size"] ** 2

    @property
    def dot_products(self) -> int | None:
        """Independent dot products: one per output value, N * K * Ho * Wo."""
        shape = self.output_shape
        return None if shape is None else math.prod(shape)

    @property
    def macs(self) -> int | None:
        """Multiply-adds of the whole batch (``shapes.conv_macs`` is for one image)."""
        o = self.out_size
        if o is None:
            return None
        s = self.state
        return s["batch_size"] * shapes.conv_macs(s["in_channels"], s["out_channels"], s["kernel_size"], (o, o))

    @property
    def params(self) -> int:
        """Weights and biases: K * C * k * k + K."""
        s = self.state
        return shapes.conv_params(s["in_channels"], s["out_channels"], s["kernel_size"])

    @property
    def matrices(self) -> dict[str, tuple[int, int]] | None:
        """The im2col product ``output = weights @ cols``: the (rows, columns) of each matrix."""
        o = self.out_size
        if o is None:
            return None
        s = self.state
        positions = s["batch_size"] * o * o
        return {"weights": (s["out_channels"], self.dot_length),
                "cols": (self.dot_length, positions),
                "output": (s["out_channels"], positions)}

    @property
    def memory(self) -> dict[str, int] | None:
        """Memory in float32 of the input, the weights (with the biases), the output, and the
        im2col matrix ``cols``."""
        m = self.matrices
        if m is None:
            return None
        s = self.state
        count = {"input": s["batch_size"] * s["in_channels"] * s["size"] ** 2, "weights": self.params,
                 "output": math.prod(m["output"]), "cols": math.prod(m["cols"])}
        return {name: n * BYTES_PER_FLOAT for name, n in count.items()}

    @property
    def bytes_moved(self) -> int | None:
        """The least traffic to and from memory: input and weights read once, output written once."""
        b = self.memory
        return None if b is None else b["input"] + b["weights"] + b["output"]

    @property
    def intensity(self) -> float | None:
        """Arithmetic intensity: multiply-adds per byte of that least traffic."""
        moved = self.bytes_moved
        return None if moved is None else self.macs / moved

    # -- the view ------------------------------------------------------------------------------
    def render(self) -> str:
        s = self.state
        n, c, h, k, f = s["batch_size"], s["in_channels"], s["size"], s["out_channels"], s["kernel_size"]
        st, p = s["stride"], self.pixels_of_padding
        head = (f'<p style="font-family:monospace;font-size:14px">input (N, C, H, W) = ({n}, {c}, {h}, {h}); '
                f'{k} filters of {c} x {f} x {f}, stride {st}, padding {p}'
                + (" (k // 2)" if s["padding"] == HALF else "") + "</p>")
        if self.message:
            return head + _draw.note("Does not fit: " + self.message, "warning")
        o, macs, dots, b, m = self.out_size, self.macs, self.dot_products, self.memory, self.matrices
        room = h + 2 * p - f
        size_sum = f"({h} + 2*{p} - {f})/{st} + 1 = {o}" + (" (floored)" if room % st else "")
        rows = [
            ("output (N, K, Ho, Wo)", f"({n}, {k}, {o}, {o})", f"Ho = Wo = {size_sum}"),
            ("independent dot products", _count(dots), f"one per output value: {n}*{k}*{o}*{o}"),
            ("numbers in each", f"{self.dot_length:,}", f"one patch: C*k*k = {c}*{f}*{f}"),
            ("multiply-adds", _count(macs), f"{dots:,} * {self.dot_length:,}"),
            ("parameters", f"{self.params:,}", f"K*C*k*k + K = {k}*{c}*{f}*{f} + {k}"),
            ("bytes moved, at least", _megabytes(self.bytes_moved),
             f"input {_megabytes(b['input'])} + weights {_megabytes(b['weights'])} + "
             f"output {_megabytes(b['output'])}"),
            ("multiply-adds per byte", f"{self.intensity:.3g}", f"{macs:,} / {self.bytes_moved:,} bytes"),
        ]
        lines = [f"{dots:,} dot products that do not depend on each other: a GPU spreads them over its "
                 f"thousands of arithmetic units (a CPU has a handful to a hundred or so cores)."]
        if dots < GPU_UNITS:
            lines.append(f"That is fewer than the {GPU_UNITS:,} or so units of a large GPU: most of them "
                         f"would sit idle. Small layers and batches of one gain little from a GPU.")
        if room % st:
            lines.append(f"The stride does not land on the last pixels: PyTorch floors the output size to {o} "
                         f"and drops the {room % st} leftover row(s) and column(s).")
        copies = b["cols"] / b["input"]
        lines.append(f"The im2col matrix holds each patch as a column: {copies:.3g} times the input's memory "
                     f"({_megabytes(b['cols'])}). GPU libraries such as cuDNN can compute the same product "
                     f"tile by tile, without storing the whole matrix.")
        return (head + _draw.panel(_product_svg(m), _draw.table(("", "value", "arithmetic"), rows))
                + "".join(_draw.note(t) for t in lines))


def _count(v: int) -> str:
    """1849688064 -> '1,849,688,064 (1.85 billion)'."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if v >= size:
            return f"{v:,} ({v / size:.3g} {word})"
    return f"{v:,}"


def _megabytes(nbytes: int) -> str:
    """Bytes in MB (10**6 bytes): '0.0023 MB', '12.8 MB', '1,200 MB (1.2 GB)'."""
    mb = nbytes / 1e6
    if mb >= 1000:
        return f"{mb:,.0f} MB ({mb / 1000:.3g} GB)"
    return f"{mb:.3g} MB"


def _side(n: int) -> float:
    """A matrix dimension drawn on a log scale: 1 -> 8 px, 10 -> 22 px, 10**7 -> 106 px."""
    return 8 + 14 * math.log10(n)


def _product_svg(m: dict[str, tuple[int, int]]) -> str:
    """weights @ cols = output, as rectangles whose sides grow with the log of each dimension."""
    parts = [("weights", m["weights"]), ("cols (im2col)", m["cols"]), ("output", m["output"])]
    tallest = max(_side(r) for _, (r, _) in parts)
    x, top, out = 4.0, 20, []
    for i, (name, (r, c)) in enumerate(parts):
        w, hgt = _side(c), _side(r)
        texts = (name, f"{r:,} x {c:,}", _megabytes(r * c * BYTES_PER_FLOAT))
        slot = max(w, 6.2 * max(len(t) for t in texts))
        x0 = x + (slot - w) / 2
        out.append(f'<rect x="{x0:.1f}" y="{top + (tallest - hgt) / 2:.1f}" width="{w:.1f}" height="{hgt:.1f}" '
                   f'fill="#c6dbef" stroke="#1f77b4"/>')
        for j, t in enumerate(texts):
            out.append(f'<text x="{x + slot / 2:.1f}" y="{top + tallest + 14 + 13 * j:.0f}">{html.escape(t)}</text>')
        x += slot
        if i < 2:
            out.append(f'<text x="{x + 10:.1f}" y="{top + tallest / 2 + 5:.0f}" font-size="16">{"@="[i]}</text>')
            x += 20
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{x + 4:.0f}" height="{top + tallest + 44:.0f}" '
            f'font-family="sans-serif" font-size="11" text-anchor="middle">'
            f'<text x="2" y="12" font-size="12" text-anchor="start">one matrix product (log-scale sides)</text>'
            f'{"".join(out)}</svg>')


def gpu_work_explorer(batch_size: int = 16, in_channels: int = 64, out_channels: int = 64, size: int = 56,
                      kernel_size: int = 3, stride: int = 1, padding: int | str = HALF) -> GPUWorkExplorer:
    """The work of one convolution layer, and why a GPU suits it (chapter 14)."""
    return GPUWorkExplorer(batch_size=batch_size, in_channels=in_channels, out_channels=out_channels, size=size,
                           kernel_size=kernel_size, stride=stride, padding=padding)
