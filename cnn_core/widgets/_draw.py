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

__all__ = ["fmt", "color", "matrix_svg", "image_png", "plot_svg", "bars_svg", "table", "panel", "note"]


def fmt(v: float, digits: int = 3) -> str:
    """A number the way the notes write it: 24, 3.25, -0.5 (at most ``digits`` significant decimals)."""
    v = float(v)
    if v == int(v) and abs(v) < 1e9:
        return str(int(v))
    return f"{v:.{digits}g}" if abs(v) < 1e-2 or abs(v) >= 1e4 else f"{round(v, digits):g}"


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
               diverging: bool = False, lo=None, hi=None, digits: int = 3, marks=()) -> str:
    """An (H, W) matrix drawn as coloured cells with its numbers.

    boxes: ``(row0, col0, row1, col1, colour)`` rectangles (inclusive cell ranges), drawn over
    the cells, e.g. the window under the kernel. shaded: an (H, W) bool mask of cells drawn
    hatched grey (the padding). titles: {(i, j): text} shown as a tooltip on hover.
    marks: cells ``(i, j)`` whose number is drawn bold.
    """
    m = np.asarray(m, dtype=float)
    h, w = m.shape
    lo = float(m.min()) if lo is None else lo
    hi = float(m.max()) if hi is None else hi
    top = 18 if title else 2
    width, height = max(w * cell + 4, int(6.5 * len(title)) + 4), h * cell + top + 2
    font = max(8, min(12, int(cell * 0.42)))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="{font}" text-anchor="middle">']
    if title:
        out.append(f'<text x="2" y="12" font-size="12" text-anchor="start">{html.escape(title)}</text>')
    out.append('<g stroke="#999" stroke-width="0.5">')
    for (i, j), v in np.ndenumerate(m):
        fill = "#e6e6e6" if shaded is not None and shaded[i, j] else color(v, lo, hi, diverging)
        tip = f"<title>{html.escape(titles[(i, j)])}</title>" if titles and (i, j) in titles else ""
        out.append(f'<rect x="{2 + j * cell}" y="{top + i * cell}" width="{cell}" height="{cell}" '
                   f'fill="{fill}">{tip}</rect>')
    out.append('</g><g pointer-events="none">')
    for (i, j), v in np.ndenumerate(m):
        weight = ' font-weight="bold"' if (i, j) in marks else ""
        out.append(f'<text x="{2 + j * cell + cell // 2}" y="{top + i * cell + (cell + font) // 2 - 1}"{weight}>'
                   f'{fmt(v, digits)}</text>')
    out.append("</g>")
    for r0, c0, r1, c1, col in boxes:
        out.append(f'<rect x="{2 + c0 * cell}" y="{top + r0 * cell}" width="{(c1 - c0 + 1) * cell}" '
                   f'height="{(r1 - r0 + 1) * cell}" fill="none" stroke="{col}" stroke-width="2.5"/>')
    out.append("</svg>")
    return "".join(out)


def image_png(a, *, title: str = "", vmin=None, vmax=None, cmap: str = "gray", size: int = 160,
              boxes=()) -> str:
    """An (H, W) array as an embedded PNG (``<img>`` with a data: URI), shown about ``size``
    pixels wide with nearest-neighbour scaling so pixels stay visible; ``boxes`` as in
    :func:`matrix_svg` (drawn in the image, in pixel units).

    The PNG holds one pixel per array element and the browser scales it up; only an image
    with boxes is scaled up in the PNG itself, where the boxes' one-pixel lines need room.
    Pre-rendered explorer states embed many of these, so this keeps pages light."""
    import matplotlib
    from PIL import Image

    a = np.asarray(a, dtype=float)
    vmin = float(a.min()) if vmin is None else vmin
    vmax = float(a.max()) if vmax is None else vmax
    t = np.clip((a - vmin) / (vmax - vmin if vmax > vmin else 1.0), 0, 1)
    rgb = (matplotlib.colormaps[cmap](t)[..., :3] * 255).astype(np.uint8)
    scale = max(1, size // max(a.shape))
    height, width = rgb.shape[0] * scale, rgb.shape[1] * scale
    if boxes:
        rgb = rgb.repeat(scale, axis=0).repeat(scale, axis=1)
    for r0, c0, r1, c1, col in boxes:
        rgb_col = {"red": (220, 30, 30), "orange": (255, 140, 0), "green": (30, 160, 30)}.get(col, (220, 30, 30))
        y0, x0, y1, x1 = r0 * scale, c0 * scale, (r1 + 1) * scale - 1, (c1 + 1) * scale - 1
        y0, x0 = max(y0, 0), max(x0, 0)
        y1, x1 = min(y1, rgb.shape[0] - 1), min(x1, rgb.shape[1] - 1)
        rgb[y0, x0:x1 + 1] = rgb[y1, x0:x1 + 1] = rgb_col
        rgb[y0:y1 + 1, x0] = rgb[y0:y1 + 1, x1] = rgb_col
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", optimize=True)
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    cap = f'<div style="font-size:12px">{html.escape(title)}</div>' if title else ""
    return f'<div style="display:inline-block">{cap}<img src="{src}" alt="{html.escape(title)}" ' \
           f'width="{width}" height="{height}" style="image-rendering:pixelated"/></div>'


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
