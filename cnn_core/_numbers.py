"""How the course writes a number: the one rule behind every formatter of the package.

A whole number is written without a point (24, not 24.0); any other number with
``digits`` significant digits (3e-07, 0.123), or, where ``decimals`` is given, rounded to
that many decimals between 0.01 and 10 000, keeping at most six significant digits (3.25,
-0.5, 2.33, 1234.57), the way the notes write arithmetic. Each caller picks the precision it needs:

* error messages of :mod:`cnn_core.shapes`: ``number(x, 6, decimals=2)``, ``(7 - 3)/3 + 1 = 2.33``;
* the checks' PASS and FAIL lines (:mod:`cnn_core.grading`): ``number(x, 3, whole_below=1e6)``
  for a difference, ``number(x, 10, whole_below=1e16)`` for a value shown in full;
* the explorers' drawings (:mod:`cnn_core.widgets`): ``number(x, d, decimals=d)``.
"""

from __future__ import annotations

__all__ = ["number"]


def number(x, digits: int = 3, *, decimals: int | None = None, whole_below: float = 1e9) -> str:
    """``x`` as text: whole numbers below ``whole_below`` in full, others rounded.

    >>> number(24.0), number(3.25), number(3e-7), number(2 / 3)
    ('24', '3.25', '3e-07', '0.667')
    >>> number(7 / 3, 6, decimals=2), number(86704128.0, 10, whole_below=1e16)
    ('2.33', '86704128')
    """
    x = float(x)
    if x.is_integer() and abs(x) < whole_below:
        return str(int(x))
    if decimals is not None and 1e-2 <= abs(x) < 1e4:
        return f"{round(x, decimals):g}"
    return f"{x:.{digits}g}"
