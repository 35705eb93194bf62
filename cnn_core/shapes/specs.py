"""Stacks of layers: the specs (:class:`ConvSpec`, :class:`PoolSpec`, :class:`FlattenSpec`,
:class:`DenseSpec`), the receptive field of a stack (:func:`receptive_field`) and the table
the notes write by hand (:func:`layer_table`: each layer's output shape, parameters and
receptive field), from the one-layer arithmetic of :mod:`.sizes`. Re-exported by
:mod:`cnn_core.shapes`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .sizes import DoesNotFit, _whole, conv_output_size, conv_params, linear_params, pool_output_size


@dataclass(frozen=True)
class ConvSpec:
    """The spec of a conv layer (a description: the layer is ``reference.Conv2d`` or ``nn.Conv2d``):
    ``out_channels`` filters of ``kernel_size`` x ``kernel_size``."""
    out_channels: int
    kernel_size: int
    stride: int = 1
    padding: int | str = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = True

    @property
    def stride_or_kernel(self) -> int:
        return self.stride


@dataclass(frozen=True)
class PoolSpec:
    """The spec of a pooling layer (``kind`` 'max', 'avg' or 'sum'); no parameters."""
    kernel_size: int
    stride: int | None = None
    padding: int = 0
    kind: str = "max"
    dilation: int = 1

    @property
    def stride_or_kernel(self) -> int:
        return self.kernel_size if self.stride is None else self.stride


@dataclass(frozen=True)
class FlattenSpec:
    """The spec of a flatten step, (C, H, W) into one vector of C*H*W numbers (the layer is
    ``reference.Flatten`` or ``nn.Flatten``)."""


@dataclass(frozen=True)
class DenseSpec:
    """The spec of a fully connected layer with ``out_features`` units."""
    out_features: int
    bias: bool = True


def receptive_field(layers: Sequence) -> int:
    """Size of the input region one output unit sees, after a stack of layers.

    ``layers``: ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` tuples,
    or the layer specs of :func:`layer_table` (``FlattenSpec``/``DenseSpec`` end the spatial stack).
    Each layer grows the field by D(F - 1) times the product of the strides before it.

    >>> receptive_field([(3, 1), (3, 1)])  # two 3x3 layers see 5x5
    5
    """
    size, jump = 1, 1
    for layer in layers:
        if isinstance(layer, (ConvSpec, PoolSpec)):
            k, s, d = layer.kernel_size, layer.stride_or_kernel, layer.dilation
        elif isinstance(layer, (FlattenSpec, DenseSpec)):
            break
        else:
            k, s, *rest = layer
            d = rest[0] if rest else 1
        k, s, d = _whole(k, "kernel_size", 1), _whole(s, "stride", 1), _whole(d, "dilation", 1)
        size += d * (k - 1) * jump
        jump *= s
    return size


@dataclass
class LayerTable:
    """Rows of (layer, output shape, parameters, receptive field) with totals.

    Shapes are PyTorch's (C, H, W); ``str()`` gives a text table, Jupyter shows HTML.
    """
    input_shape: tuple[int, ...]
    rows: list[tuple[str, tuple[int, ...], int, int | None]] = field(default_factory=list)

    @property
    def total_params(self) -> int:
        return sum(r[2] for r in self.rows)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.rows[-1][1] if self.rows else self.input_shape

    def _lines(self) -> list[tuple[str, str, str, str]]:
        lines = [("input", " x ".join(map(str, self.input_shape)), "", "")]
        for name, shape, params, rf in self.rows:
            lines.append((name, " x ".join(map(str, shape)), f"{params:,}", "" if rf is None else f"{rf}x{rf}"))
        return lines

    def __str__(self) -> str:
        header = ("layer", "output (C x H x W)", "parameters", "receptive field")
        lines = [header] + self._lines()
        widths = [max(len(line[i]) for line in lines) for i in range(4)]
        fmt = lambda line: "  ".join(  # noqa: E731
            line[i].ljust(widths[i]) if i in (0, 1) else line[i].rjust(widths[i]) for i in range(4))
        out = [fmt(header), "  ".join("-" * w for w in widths)]
        out += [fmt(line) for line in lines[1:]]
        out.append(f"total parameters: {self.total_params:,}")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td>{a}</td><td>{b}</td><td style='text-align:right'>{c}</td><td>{d}</td></tr>"
            for a, b, c, d in self._lines())
        return ("<table><thead><tr><th>layer</th><th>output (C x H x W)</th><th>parameters</th>"
                f"<th>receptive field</th></tr></thead><tbody>{cells}</tbody>"
                f"<tfoot><tr><td colspan='4'>total parameters: {self.total_params:,}</td></tr></tfoot></table>")


def _describe(layer) -> str:
    if isinstance(layer, ConvSpec):
        pad = f", padding {layer.padding!r}" if layer.padding not in (0, "valid") else ""
        extra = (f", stride {layer.stride}" if layer.stride != 1 else "") + pad
        extra += f", dilation {layer.dilation}" if layer.dilation != 1 else ""
        extra += f", groups {layer.groups}" if layer.groups != 1 else ""
        return f"conv {layer.kernel_size}x{layer.kernel_size}, {layer.out_channels} filters{extra}"
    if isinstance(layer, PoolSpec):
        return f"{layer.kind} pool {layer.kernel_size}x{layer.kernel_size}, stride {layer.stride_or_kernel}"
    if isinstance(layer, FlattenSpec):
        return "flatten"
    return f"dense, {layer.out_features} units"


def layer_table(input_shape: Sequence[int], layers: Sequence, *, strict: bool = True) -> LayerTable:
    """The table the notes write by hand: output shape and parameters of each layer.

    ``input_shape`` is (C, H, W) (the notes write H x W x C: 32x32x3 is (3, 32, 32));
    ``layers`` a sequence of :class:`ConvSpec`, :class:`PoolSpec`, :class:`FlattenSpec` and
    :class:`DenseSpec`. Errors name the layer that does not fit; ``strict=False`` floors
    sizes like PyTorch (e.g. a stride-2 3x3 conv with padding 1 on an even input).

    >>> print(layer_table((3, 32, 32), [ConvSpec(10, 5, padding=2)]).total_params)
    760
    """
    shape = tuple(_whole(v, "input_shape entry", 1) for v in input_shape)
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {tuple(input_shape)}")
    result = LayerTable(shape)
    spatial: list = []
    for i, layer in enumerate(layers, start=1):
        name = f"{i}. {_describe(layer)}"
        try:
            if isinstance(layer, ConvSpec):
                if len(shape) != 3:
                    raise ValueError("a conv layer needs a (C, H, W) input, not a flat vector")
                c, h, w = shape
                params = conv_params(c, layer.out_channels, layer.kernel_size, layer.bias, layer.groups)
                h2, w2 = (conv_output_size(v, layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                                           strict=strict)
                          for v in (h, w))
                shape = (layer.out_channels, h2, w2)
            elif isinstance(layer, PoolSpec):
                if len(shape) != 3:
                    raise ValueError("a pooling layer needs a (C, H, W) input, not a flat vector")
                if layer.kind not in ("max", "avg", "sum"):
                    raise ValueError(f"pooling kind must be 'max', 'avg' or 'sum', got {layer.kind!r}")
                c, h, w = shape
                params = 0
                shape = (c,) + tuple(
                    pool_output_size(v, layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                                     strict=strict)
                    for v in (h, w))
            elif isinstance(layer, FlattenSpec):
                params = 0
                shape = (math.prod(shape),)
            elif isinstance(layer, DenseSpec):
                if len(shape) != 1:
                    raise ValueError(f"a dense layer needs a flat input: add FlattenSpec() before it "
                                     f"(input is {shape})")
                params = linear_params(shape[0], layer.out_features, layer.bias)
                shape = (layer.out_features,)
            else:
                raise TypeError(f"unknown layer spec {layer!r}: use ConvSpec, PoolSpec, FlattenSpec or DenseSpec")
        except DoesNotFit as err:
            raise DoesNotFit(f"layer {name}: {err}", leftover=err.leftover) from None
        except (ValueError, TypeError) as err:
            raise type(err)(f"layer {name}: {err}") from None
        if isinstance(layer, (ConvSpec, PoolSpec)):
            spatial.append(layer)
        rf = receptive_field(spatial) if spatial and len(shape) == 3 else None
        result.rows.append((name, shape, params, rf))
    return result
