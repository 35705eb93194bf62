"""The output-size calculator: input, kernel, stride, padding, dilation -> output size.

The size and the "does not fit" message both come from ``cnn_core.shapes``; the
explorer only writes the formula out with the numbers put in.
"""

from __future__ import annotations

from cnn_core import shapes

from . import _draw
from ._base import Control, Explorer

__all__ = ["OutputSizeCalculator", "output_size_calculator"]


class OutputSizeCalculator(Explorer):
    """Knobs: ``n`` (input size), ``kernel_size``, ``stride``, ``padding``, ``dilation``.

    ``result`` is the output size, or None when the configuration does not fit;
    ``message`` is shapes' explanation in that case ('' otherwise); ``formula`` is the
    arithmetic written out. Starts at the notes' example that does not fit: a 7x7 input,
    a 3x3 filter, stride 3.
    """

    static_controls = ("n", "kernel_size", "stride", "padding", "dilation")
    max_static_states = 2000

    def controls(self) -> list[Control]:
        return [
            Control("n", "input size N", tuple(range(1, 257)), static_options=(6, 7, 28, 32, 224)),
            Control("kernel_size", "kernel F", tuple(range(1, 12)), static_options=(1, 2, 3, 5, 7, 11)),
            Control("stride", "stride S", tuple(range(1, 9)), static_options=(1, 2, 3, 4)),
            Control("padding", "padding P", tuple(range(0, 6)), static_options=(0, 1, 2, 3)),
            Control("dilation", "dilation D", (1, 2, 3, 4)),
        ]

    def defaults(self) -> dict:
        return {"n": 7, "kernel_size": 3, "stride": 3, "padding": 0, "dilation": 1}

    @property
    def result(self) -> int | None:
        s = self.state
        try:
            return shapes.conv_output_size(s["n"], s["kernel_size"], s["stride"], s["padding"], s["dilation"])
        except ValueError:
            return None

    @property
    def message(self) -> str:
        s = self.state
        try:
            shapes.conv_output_size(s["n"], s["kernel_size"], s["stride"], s["padding"], s["dilation"])
        except ValueError as err:
            return str(err)
        return ""

    @property
    def formula(self) -> str:
        s = self.state
        n, f, st, p, d = s["n"], s["kernel_size"], s["stride"], s["padding"], s["dilation"]
        span = d * (f - 1) + 1
        filt = f"{f}" if d == 1 else f"{d}*({f} - 1) + 1"
        return f"(N + 2P - F)/S + 1 = ({n} + 2*{p} - {filt})/{st} + 1 = {n + 2 * p - span}/{st} + 1"

    def render(self) -> str:
        out = self.result
        s = self.state
        lines = [f'<p style="font-family:monospace;font-size:14px">{self.formula}'
                 + (f" = <b>{out}</b></p>" if out is not None else "</p>")]
        if out is None:
            lines.append(_draw.note("Does not fit: " + self.message, "warning"))
            try:
                floor = shapes.conv_output_size(s["n"], s["kernel_size"], s["stride"], s["padding"],
                                                s["dilation"], strict=False)
                lines.append(_draw.note(f"PyTorch would floor it to {floor} and drop the leftover pixels."))
            except ValueError:
                pass
        else:
            n, a = s["n"], shapes.article
            lines.append(_draw.note(f"{a(n)} {n}x{n} input gives {a(out)} {out}x{out} output"))
        return "".join(lines)


def output_size_calculator(n: int = 7, kernel_size: int = 3, stride: int = 3, padding: int = 0,
                           dilation: int = 1) -> OutputSizeCalculator:
    """The output-size calculator; starts at the notes' 7x7 / 3x3 / stride 3 example."""
    return OutputSizeCalculator(n=n, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
