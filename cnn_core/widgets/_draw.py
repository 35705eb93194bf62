"""Small drawings as HTML strings: matrices with their numbers, images, line plots, bars.

Hand-written SVG (no matplotlib figure per state) keeps every drawing a few kilobytes,
so a static page can carry many pre-computed states, and the text stays real text that
a test can read. Images too large to show as numbers become an embedded PNG.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .._numbers import number

__all__ = ["fmt", "color", "matrix_svg", "when", "variant", "image_png", "plot_svg", "bars_svg", "table", "panel", "note"]


def fmt(v: float, digits: int = 3) -> str:
    """A number the way the notes write it: 24, 3.25, -0.5 (at most ``digits`` significant decimals)."""
    return number(v, digits, decimals=digits)


def color(v: float, lo: float, hi: float, diverging: bool = False) -> str:
    """A fill colour for ``v`` in [lo, hi]: white to blue, or blue-white-red around 0."""
    if diverging:
        m = max(abs(lo), abs(hi), 1e-12)
        t = float(np.clip(v / m, -1, 1))
        if t >= 0:   # white -> red
            r, g, b = 255, int(255 - 150 * t), int(255 - 170 * t)
        else:        # white -> blue
            r, g, b = int(255 + 170 * t), int(255 + 110 * t), 255
        return f"#{r:02x}{g:02x}{b:02x}"
    t = 0.0 if hi <= lo else float(np.clip((v - lo) / (hi - lo), 0, 1))
    r, g, b = int(255 - 200 * t), int(255 - 140 * t), int(255 - 40 * t)
    return f"#{r:02x}{g:02x}{b:02x}"


def matrix_svg(m, *, title: str = "", cell: int = 26, boxes=(), shaded=None, titles=None,
               diverging: bool = False, lo=None, hi=None, digits: int = 3, marks=(), variants=()) -> str:
    """An (H, W) matrix drawn as coloured cells with its numbers.

    boxes: ``(row0, col0, row1, col1, colour)`` rectangles (inclusive cell ranges), drawn over
    the cells, e.g. the window under the kernel; a sixth item ``"thin"`` draws a thin one.
    shaded: an (H, W) bool mask of cells drawn hatched grey (the padding). titles:
    {(i, j): text} shown as a tooltip on hover. marks: cells ``(i, j)`` whose number is drawn
    bold. variants: ``(when, boxes, shown)`` groups of boxes that a static page shows or hides
    as its knobs in the browser move (see :func:`when`).

    Cells widen to fit their longest number, so neighbours never run together; in the text
    the numbers are separated by spaces, and the drawing is named by its title.
    """
    m = np.asarray(m, dtype=float)
    h, w = m.shape
    lo = float(m.min()) if lo is None else lo
    hi = float(m.max()) if hi is None else hi
    texts = {(i, j): fmt(v, digits) for (i, j), v in np.ndenumerate(m)}
    font = max(8, min(12, int(cell * 0.42)))
    longest = max((len(t) for t in texts.values()), default=1)
    cw = max(cell, int(longest * font * 0.62) + 6)               # a cell as wide as its number
    top = 18 if title else 2
    width, height = max(w * cw + 4, int(6.5 * len(title)) + 4), h * cell + top + 2
    label = f' role="img" aria-label="{html.escape(title)}"' if title else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"{label} '
           f'font-family="sans-serif" font-size="{font}" text-anchor="middle">']
    if title:
        out.append(f'<text x="2" y="12" font-size="12" text-anchor="start">{html.escape(title)}</text>')
    out.append('<g stroke="#999" stroke-width="0.5">')
    for (i, j), v in np.ndenumerate(m):
        fill = "#e6e6e6" if shaded is not None and shaded[i, j] else color(v, lo, hi, diverging)
        tip = f"<title>{html.escape(titles[(i, j)])}</title>" if titles and (i, j) in titles else ""
        out.append(f'<rect x="{2 + j * cw}" y="{top + i * cell}" width="{cw}" height="{cell}" '
                   f'fill="{fill}">{tip}</rect>')
    out.append('</g><g pointer-events="none">')
    for (i, j), t in texts.items():
        weight = ' font-weight="bold"' if (i, j) in marks else ""
        out.append(f'<text x="{2 + j * cw + cw // 2}" y="{top + i * cell + (cell + font) // 2 - 1}"{weight}>'
                   f'{t}</text> ')
    out.append("</g>")

    if boxes:
        out.append('<g fill="none" stroke-width="2.5">')
        out.extend(_boxes(boxes, lambda c: 2 + c * cw, lambda r: top + r * cell))
        out.append("</g>")
    out.append("</svg>")
    drawing = "".join(out)
    if not variants:
        return drawing
    # the window's variants in an SVG of their own over the matrix: the matrix is then the
    # same drawing in every state of a static page, which stores it once
    over = "".join(variant(w_, "".join(_boxes(group, lambda c: 2 + c * cw, lambda r: top + r * cell)), shown, "g")
                   for w_, group, shown in variants)
    return (f'<div style="position:relative;display:inline-block;line-height:0">{drawing}'
            f'<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" width="{width}" height="{height}" '
            f'fill="none" stroke-width="2.5" style="position:absolute;left:0;top:0">{over}</svg></div>')


def _boxes(boxes, x, y, unit: float = 1) -> list[str]:
    """``(row0, col0, row1, col1, colour[, "thin"])`` boxes as SVG paths, one per colour and
    weight; ``x(col)`` and ``y(row)`` give a cell's top-left corner, ``unit`` the pixels per
    drawing unit (line widths stay 2.5 and 1.5 pixels). Their fill is the drawing's (none)."""
    paths: dict = {}
    for r0, c0, r1, c1, col, *thin in boxes:
        x0, y0, x1, y1 = x(c0), y(r0), x(c1 + 1), y(r1 + 1)
        paths.setdefault((col, bool(thin)), []).append(f"M{x0} {y0}H{x1}V{y1}H{x0}Z")
    return [f'<path d="{"".join(d)}" stroke="{_COLOURS.get(col, col)}"'
            + (f' stroke-width="{fmt(1.5 / unit, 2)}"' if thin else "") + "/>" for (col, thin), d in paths.items()]


_LEVELS = 64                 # colours of a colour map in an embedded picture
_COLOURS = {"red": "#dc1e1e", "orange": "#ff8c00", "green": "#1ea01e"}


def when(**values) -> str:
    """The condition a static page's browser knobs test: ``when(row=1, col=2)`` -> 'row=1 col=2'.

    An element with ``data-cnnx-when="row=1 col=2"`` is shown only while the knobs ``row``
    and ``col`` (``Explorer.client_controls``) are at 1 and 2 (see ``_base._STATIC_JS``)."""
    return " ".join(f"{k}={v}" for k, v in values.items())


def variant(condition: str, inner: str, shown: bool, tag: str = "div", style: str = "") -> str:
    """``inner`` wrapped in an element the static page shows only while ``condition`` holds
    (see :func:`when`); ``shown``: whether it holds in the state being drawn."""
    hidden = "" if shown else "display:none;"
    css = f' style="{hidden}{style}"' if hidden or style else ""
    return f'<{tag} data-cnnx-when="{html.escape(condition)}"{css}>{inner}</{tag}>'


def image_png(a, *, title: str = "", vmin=None, vmax=None, cmap: str = "gray", size: int = 160,
              boxes=(), variants=()) -> str:
    """An (H, W) array as an embedded PNG (``<img>`` with a data: URI), shown about ``size``
    pixels wide with nearest-neighbour scaling so pixels stay visible.

    The PNG holds one pixel per array element and the browser scales it up; ``boxes`` (as in
    :func:`matrix_svg`, in pixel units) and ``variants`` are drawn in an SVG laid over it, so
    the same picture with the window elsewhere is the same PNG (a static page stores it once).
    """
    import matplotlib
    from PIL import Image

    a = np.asarray(a, dtype=float)
    vmin = float(a.min()) if vmin is None else vmin
    vmax = float(a.max()) if vmax is None else vmax
    t = np.clip((a - vmin) / (vmax - vmin if vmax > vmin else 1.0), 0, 1)
    if cmap == "gray":                      # one byte per pixel, no palette
        picture = Image.fromarray(np.round(t * 255).astype(np.uint8), mode="L")
    else:                                   # 64 colours of the map: a small palette, one byte per pixel
        palette = (matplotlib.colormaps[cmap](np.linspace(0, 1, _LEVELS))[:, :3] * 255).astype(np.uint8)
        picture = Image.fromarray(np.round(t * (_LEVELS - 1)).astype(np.uint8), mode="P")
        picture.putpalette(palette.ravel().tolist())
    scale = max(1, size // max(a.shape))
    rows, cols = a.shape
    height, width = rows * scale, cols * scale
    buf = io.BytesIO()
    picture.save(buf, format="PNG", optimize=True)
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    cap = f'<div style="font-size:12px">{html.escape(title)}</div>' if title else ""
    img = (f'<img src="{src}" alt="{html.escape(title)}" width="{width}" height="{height}" '
           f'style="image-rendering:pixelated"/>')
    if boxes or variants:
        x = y = lambda i: i                                                   # noqa: E731
        over = "".join(_boxes(boxes, x, y, scale)) + "".join(
            variant(w_, "".join(_boxes(group, x, y, scale)), shown, "g") for w_, group, shown in variants)
        img = (f'<div style="position:relative;line-height:0">{img}<svg xmlns="http://www.w3.org/2000/svg" '
               f'aria-hidden="true" width="{width}" height="{height}" viewBox="0 0 {cols} {rows}" '
               f'fill="none" stroke-width="{fmt(2.5 / scale, 2)}" '
               f'style="position:absolute;left:0;top:0;overflow:visible">{over}</svg></div>')
    return f'<div style="display:inline-block">{cap}{img}</div>'


def plot_svg(x, curves: dict, *, title: str = "", marker=None, width: int = 300, height: int = 200,
             ylim=None) -> str:
    """Line plot of ``curves`` ({label: y array}) against ``x``, with axes through 0 and an
    optional ``marker`` x position where every curve's value is marked with a dot."""
    x = np.asarray(x, dtype=float)
    ys = [np.asarray(y, dtype=float) for y in curves.values()]
    y0, y1 = ylim if ylim else (min(float(y.min()) for y in ys), max(float(y.max()) for y in ys))
    pad = 0.05 * (y1 - y0 or 1)
    y0, y1 = y0 - pad, y1 + pad
    left, top, right, bottom = 30, 20, 10, 20
    sx = lambda v: left + (v - x[0]) / (x[-1] - x[0]) * (width - left - right)  # noqa: E731
    sy = lambda v: top + (y1 - v) / (y1 - y0) * (height - top - bottom)  # noqa: E731
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="10">']
    if title:
        out.append(f'<text x="{left}" y="12" font-size="12">{html.escape(title)}</text>')
    if y0 <= 0 <= y1:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" stroke="#aaa"/>')
    if x[0] <= 0 <= x[-1]:
        out.append(f'<line x1="{sx(0):.1f}" x2="{sx(0):.1f}" y1="{top}" y2="{height - bottom}" stroke="#aaa"/>')
    for v in (y0 + pad, y1 - pad):
        out.append(f'<text x="{left - 3}" y="{sy(v) + 3:.1f}" text-anchor="end">{fmt(v, 2)}</text>')
    for v in (x[0], x[-1]):
        out.append(f'<text x="{sx(v):.1f}" y="{height - 5}" text-anchor="middle">{fmt(v, 2)}</text>')
    for k, (label, y) in enumerate(zip(curves, ys)):
        c = colours[k % len(colours)]
        pts = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x, np.clip(y, y0, y1)))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"/>')
        out.append(f'<text x="{width - right - 2}" y="{top + 12 * k + 10}" text-anchor="end" fill="{c}">'
                   f'{html.escape(label)}</text>')
        if marker is not None:
            yv = float(np.interp(marker, x, y))
            out.append(f'<circle cx="{sx(marker):.1f}" cy="{sy(yv):.1f}" r="4" fill="{c}"/>')
    out.append("</svg>")
    return "".join(out)


def bars_svg(values, labels, *, title: str = "", width: int = 300, height: int = 160, lo=None, hi=None) -> str:
    """Vertical bars with their value written above each (e.g. softmax probabilities)."""
    v = np.asarray(values, dtype=float)
    lo = min(0.0, float(v.min())) if lo is None else lo
    hi = max(float(v.max()), 1e-12) if hi is None else hi
    left, top, bottom = 10, 22, 30
    bw = (width - 2 * left) / len(v)
    sy = lambda a: top + (hi - a) / (hi - lo) * (height - top - bottom)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="10">']
    if title:
        out.append(f'<text x="{left}" y="12" font-size="12">{html.escape(title)}</text>')
    for i, (a, lab) in enumerate(zip(v, labels)):
        x = left + i * bw + 0.15 * bw
        ya, yz = sy(max(a, 0)), sy(min(a, 0))
        out.append(f'<rect x="{x:.1f}" y="{ya:.1f}" width="{0.7 * bw:.1f}" height="{max(yz - ya, 0.5):.1f}" '
                   f'fill="#1f77b4"/>')
        if abs(a) >= 0.005 * (hi - lo):    # values too small to see get no label (no 2.9e-10 clutter)
            out.append(f'<text x="{x + 0.35 * bw:.1f}" y="{ya - 3:.1f}" text-anchor="middle">{fmt(a, 2)}</text>')
        out.append(f'<text x="{x + 0.35 * bw:.1f}" y="{height - 12}" text-anchor="middle">'
                   f'{html.escape(str(lab))}</text>')
    out.append("</svg>")
    return "".join(out)


def table(header, rows) -> str:
    """A small HTML table; cells are escaped."""
    th = "".join(f"<th style='padding:2px 8px'>{html.escape(str(h))}</th>" for h in header)
    trs = "".join("<tr>" + "".join(f"<td style='padding:2px 8px;text-align:right'>{html.escape(str(c))}</td>"
                                   for c in row) + "</tr>" for row in rows)
    return f"<table style='border-collapse:collapse;font-size:13px'><tr>{th}</tr>{trs}</table>"


def panel(*parts: str) -> str:
    """Drawings side by side, wrapping on narrow screens."""
    items = "".join(f'<div style="margin:4px 12px 4px 0">{p}</div>' for p in parts)
    return f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{items}</div>'


def note(text: str, kind: str = "info") -> str:
    """A line of explanation (``kind='warning'`` for "does not fit" and the notes' slips)."""
    colour = {"info": "#333", "warning": "#b00020"}[kind]
    return f'<p style="color:{colour};font-size:13px;margin:4px 0">{html.escape(text)}</p>'
