"""Worked examples: the arithmetic written out the way the notes write it, and checks of
the notes' numbers against computed ones.

Rule zero of the course: every worked example of the lecture notes is recomputed, and
where the notes differ the book shows the computed value and says what the notes have.
These helpers do the bookkeeping; the computing is done by ``cnn_core.reference``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["dot_product_terms", "Discrepancy", "compare_with_notes", "show_matrix"]


def _num(v: float) -> str:
    return f"{float(v):g}"


def dot_product_terms(patch, kernel) -> str:
    """The dot product of a window and a kernel written out term by term, row by row,
    as ``(2x1) + (4x2) + (5x1) + ... = 24``.

    ``patch`` and ``kernel``: 2-d arrays of the same shape.
    """
    patch, kernel = np.asarray(patch, dtype=float), np.asarray(kernel, dtype=float)
    if patch.shape != kernel.shape or patch.ndim != 2:
        raise ValueError(f"patch {patch.shape} and kernel {kernel.shape} must be 2-d and the same shape")
    terms = " + ".join(f"({_num(a)}x{_num(b)})" for a, b in zip(patch.ravel(), kernel.ravel()))
    return f"{terms} = {_num((patch * kernel).sum())}"


@dataclass(frozen=True)
class Discrepancy:
    """One entry where the notes and the computation disagree."""
    index: tuple[int, ...]
    notes: float
    computed: float

    def __str__(self) -> str:
        where = ", ".join(str(i) for i in self.index)
        return f"entry ({where}): the notes have {_num(self.notes)}, the computed value is {_num(self.computed)}"


def compare_with_notes(computed, notes, atol: float = 1e-6) -> list[Discrepancy]:
    """Every entry where ``notes`` (what the lecture notes print) differs from ``computed``.

    Both are arrays of the same shape; ``atol`` absorbs the notes' rounding (use 0.005 for
    numbers the notes give to two decimals).
    """
    computed, notes = np.asarray(computed, dtype=float), np.asarray(notes, dtype=float)
    if computed.shape != notes.shape:
        raise ValueError(f"the notes' matrix has shape {notes.shape} but the computed one {computed.shape}")
    bad = np.argwhere(~np.isclose(computed, notes, rtol=0, atol=atol))
    return [Discrepancy(tuple(int(i) for i in idx), float(notes[tuple(idx)]), float(computed[tuple(idx)]))
            for idx in bad]


def show_matrix(ax, matrix, title: str = "", highlight=(), cmap: str = "Blues", fmt: str = "{:g}",
                vmin=None, vmax=None):
    """Draw a small matrix with its numbers in the cells (matplotlib ``ax``); cells listed
    in ``highlight`` (``(row, col)`` pairs or :class:`Discrepancy`) get a red frame."""
    import matplotlib.patches as patches

    m = np.asarray(matrix, dtype=float)
    ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax)
    lo, hi = (m.min() if vmin is None else vmin), (m.max() if vmax is None else vmax)
    mid = (lo + hi) / 2
    for (i, j), v in np.ndenumerate(m):
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9,
                color="white" if v > mid else "black")
    for h in highlight:
        i, j = h.index if isinstance(h, Discrepancy) else h
        ax.add_patch(patches.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return ax
