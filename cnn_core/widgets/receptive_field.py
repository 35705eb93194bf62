"""The receptive-field explorer: a stack of layers, and the input region one output unit sees.

Sizes come from ``cnn_core.shapes.receptive_field``: each layer grows the field by
D(F - 1) times the product of the strides before it. The drawing shows, on the input, the
region seen by output unit (0, 0) after each layer of the stack (no padding, so the regions
all start at the top-left pixel).
"""

from __future__ import annotations

from cnn_core import shapes

from . import _draw
from ._base import Control, Explorer

__all__ = ["ReceptiveFieldExplorer", "receptive_field_explorer", "STACKS"]

#: Stacks of layers, as (kernel_size, stride, dilation) and a name for each layer.
STACKS = {
    "3x3 convs": [("conv 3x3", 3, 1, 1)] * 4,
    "3x3 conv, 2x2 pool, repeated": [("conv 3x3", 3, 1, 1), ("max pool 2x2", 2, 2, 1)] * 2,
    "5x5 convs": [("conv 5x5", 5, 1, 1)] * 4,
    "LeNet-5: 5x5 conv, 2x2 pool": [("conv 5x5", 5, 1, 1), ("pool 2x2", 2, 2, 1)] * 2,
    "3x3 convs with stride 2": [("conv 3x3, stride 2", 3, 2, 1)] * 4,
    "dilated 3x3 convs (1, 2, 4)": [("conv 3x3", 3, 1, 1), ("conv 3x3, dilation 2", 3, 1, 2),
                                    ("conv 3x3, dilation 4", 3, 1, 4)],
}
_COLOURS = ["#d62728", "#ff7f0e", "#2ca02c", "#1f77b4"]
_DEPTHS = (1, 2, 3, 4)                  # every stack offers them; a shorter stack says so


class ReceptiveFieldExplorer(Explorer):
    """Knobs: ``stack`` (a name of :data:`STACKS`) and ``depth`` (how many of its layers, 1 to
    4; a stack with fewer layers shows all of them and says so).

    ``fields`` lists the receptive field after each of the first ``depth`` layers;
    ``field`` is the last one.
    """

    static_controls = ("stack", "depth")

    def controls(self) -> list[Control]:
        return [Control("stack", "stack of layers", tuple(STACKS), "dropdown"),
                Control("depth", "layers", _DEPTHS)]

    def defaults(self) -> dict:
        return {"stack": "3x3 convs", "depth": 2}

    @property
    def layers(self) -> list[tuple[str, int, int, int]]:
        return STACKS[self.state["stack"]][: self.state["depth"]]

    @property
    def fields(self) -> list[int]:
        specs = [(k, s, d) for _, k, s, d in self.layers]
        return [shapes.receptive_field(specs[: i + 1]) for i in range(len(specs))]

    @property
    def field(self) -> int:
        return self.fields[-1]

    def render(self) -> str:
        layers, fields = self.layers, self.fields
        full = max(shapes.receptive_field([(k, s, d) for _, k, s, d in stack]) for stack in STACKS.values())
        grid, cell = full + 1, max(6, min(16, 360 // (full + 1)))
        size = grid * cell
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 2}" height="{size + 20}" '
               f'font-family="sans-serif" font-size="12">'
               f'<text x="1" y="12">input pixels seen by output unit (0, 0)</text>'
               f'<g transform="translate(1,18)" stroke="#ddd" stroke-width="0.5">']
        for i in range(grid + 1):
            out.append(f'<line x1="0" x2="{size}" y1="{i * cell}" y2="{i * cell}"/>'
                       f'<line y1="0" y2="{size}" x1="{i * cell}" x2="{i * cell}"/>')
        for i, rf in reversed(list(enumerate(fields))):
            c = _COLOURS[i % len(_COLOURS)]
            out.append(f'<rect x="0" y="0" width="{rf * cell}" height="{rf * cell}" fill="{c}" '
                       f'fill-opacity="0.18" stroke="{c}" stroke-width="2"><title>after layer {i + 1}: '
                       f'{rf}x{rf}</title></rect>')
        out.append("</g></svg>")
        jump, rows = 1, []
        for (name, k, s, d), rf in zip(layers, fields):
            rows.append((name, f"{jump}", f"{d}*({k} - 1)*{jump} = {d * (k - 1) * jump}", f"{rf}x{rf}"))
            jump *= s
        tab = _draw.table(("layer", "jump (product of earlier strides)", "growth D(F - 1) x jump",
                           "receptive field"), rows)
        legend = " ".join(f'<span style="margin-right:8px"><span style="display:inline-block;width:10px;'
                          f'height:10px;background:{_COLOURS[i % 4]};margin-right:3px"></span>after layer {i + 1}'
                          f'</span>' for i in range(len(fields)))
        notes = [f"After {len(fields)} layer(s) of '{self.state['stack']}', one output unit sees a "
                 f"{self.field}x{self.field} region of the input."]
        stack = STACKS[self.state["stack"]]
        if self.state["depth"] > len(stack):
            notes.append(f"'{self.state['stack']}' has {len(stack)} layers: all {len(stack)} are shown.")
        return (_draw.panel("".join(out), tab + f"<p style='font-size:12px'>{legend}</p>")
                + "".join(_draw.note(n) for n in notes))


def receptive_field_explorer(stack: str = "3x3 convs", depth: int = 2) -> ReceptiveFieldExplorer:
    """The receptive-field explorer (two 3x3 convs see 5x5)."""
    return ReceptiveFieldExplorer(stack=stack, depth=depth)
