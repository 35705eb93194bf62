"""The activation explorer: ReLU, sigmoid and tanh with their gradients, and softmax with
a temperature.

Values and gradients come from ``cnn_core.reference`` (the forward functions and their
``*_backward`` with an upstream gradient of 1).
"""

from __future__ import annotations

import numpy as np

from cnn_core.reference import (relu, relu_backward, sigmoid, sigmoid_backward, softmax, tanh,
                                tanh_backward)

from . import _draw
from ._base import Control, Explorer

__all__ = ["ActivationExplorer", "activation_explorer", "activation_and_gradient"]

#: The logits the softmax panel turns into probabilities (three classes, as in the notes' figures).
LOGITS = np.array([2.0, 1.0, 0.1])


def activation_and_gradient(name: str, x) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) for ``name`` in 'relu', 'sigmoid', 'tanh'; x: any shape, float64."""
    x = np.asarray(x, dtype=np.float64)
    ones = np.ones_like(x)
    if name == "relu":
        return relu(x), relu_backward(ones, x)
    if name == "sigmoid":
        y = sigmoid(x)
        return y, sigmoid_backward(ones, y)
    if name == "tanh":
        y = tanh(x)
        return y, tanh_backward(ones, y)
    raise ValueError(f"unknown activation {name!r}: choose 'relu', 'sigmoid' or 'tanh'")


class ActivationExplorer(Explorer):
    """Knobs: ``function`` ('relu', 'sigmoid', 'tanh'), ``x`` (where to read f and f'),
    ``temperature`` (of the softmax of :data:`LOGITS`).

    ``value`` and ``gradient`` are f(x) and f'(x); ``probabilities`` is softmax(LOGITS / T).
    """

    static_controls = ("function", "x", "temperature")

    def controls(self) -> list[Control]:
        xs = tuple(float(v) for v in np.round(np.arange(-5, 5.01, 0.5), 2))
        return [
            Control("function", "activation", ("relu", "sigmoid", "tanh"), "dropdown"),
            Control("x", "x", xs, static_options=(-3.0, -1.0, 0.0, 1.0, 2.0, 3.0)),
            Control("temperature", "softmax temperature T", (0.25, 0.5, 1.0, 2.0, 5.0)),
        ]

    def defaults(self) -> dict:
        return {"function": "sigmoid", "x": 2.0, "temperature": 1.0}

    @property
    def value(self) -> float:
        return float(activation_and_gradient(self.state["function"], self.state["x"])[0])

    @property
    def gradient(self) -> float:
        return float(activation_and_gradient(self.state["function"], self.state["x"])[1])

    @property
    def probabilities(self) -> np.ndarray:
        """softmax(LOGITS / T), shape (3,)."""
        return softmax(LOGITS / self.state["temperature"], dim=0)

    def render(self) -> str:
        name, x, t = self.state["function"], self.state["x"], self.state["temperature"]
        grid = np.linspace(-5, 5, 61)
        y, dy = activation_and_gradient(name, grid)
        curve = _draw.plot_svg(grid, {f"{name}(x)": y, f"{name}'(x)": dy}, title=f"{name} and its gradient",
                               marker=x, ylim=(-1.05, 5.0) if name == "relu" else (-1.05, 1.05))
        p = self.probabilities
        bars = _draw.bars_svg(p, [f"z={_draw.fmt(z)}" for z in LOGITS], lo=0.0, hi=1.0,
                              title=f"softmax(z / {_draw.fmt(t)})")
        g = self.gradient
        notes = [f"{name}({_draw.fmt(x)}) = {_draw.fmt(self.value, 4)},  {name}'({_draw.fmt(x)}) = {_draw.fmt(g, 4)}",
                 f"through 10 such layers the gradient is multiplied by {_draw.fmt(g, 4)}^10 = {_draw.fmt(g ** 10, 3)}"
                 + ("  (it vanishes)" if g ** 10 < 1e-3 else ""),
                 f"softmax: probabilities {', '.join(_draw.fmt(v, 3) for v in p)}; "
                 + ("a low temperature sharpens them towards the largest logit" if t < 1 else
                    "a high temperature flattens them towards uniform" if t > 1 else "T = 1 is the plain softmax")]
        return _draw.panel(curve, bars) + "".join(_draw.note(n) for n in notes)


def activation_explorer(function: str = "sigmoid", x: float = 2.0, temperature: float = 1.0) -> ActivationExplorer:
    """The activation explorer (starts on the sigmoid at x = 2, where its gradient is small)."""
    return ActivationExplorer(function=function, x=float(x), temperature=float(temperature))
