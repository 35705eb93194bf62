"""Check analytic gradients against numerical ones (central differences).

For a function y = f(x) and a fixed "upstream" gradient G (the same shape as
y), the backward pass must return dL/dx for L = sum(G * y). Numerically,

    dL/dx[i]  ~  (L(x + eps e_i) - L(x - eps e_i)) / (2 eps),

whose error shrinks like eps**2. The check runs in float64 (in float32 the
rounding error of L, about 1e-7 * |L|, divided by 2 eps would swamp the
answer). A random G (fixed seed) is used rather than ones: with ones, some
wrong backwards still pass (softmax's true gradient against ones is zero).

- :func:`gradcheck` checks any function against gradients you computed;
- :func:`check_layer_gradients` checks a layer's ``backward``: the gradient of
  the input and every ``grads[name]``.

On failure both raise ``AssertionError`` naming the tensor, the index that is
most wrong, and both values.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

import numpy as np

from .module import Module

__all__ = ["numerical_gradient", "gradcheck", "check_layer_gradients"]


def numerical_gradient(f: Callable[[], np.ndarray], x: np.ndarray, grad_output: np.ndarray,
                       eps: float = 1e-6) -> np.ndarray:
    """Central-difference estimate of d sum(grad_output * f()) / dx.

    f: a function of no arguments that reads ``x`` (which is perturbed IN
    PLACE, one entry at a time, and restored); x: float64 array of any shape;
    grad_output: the shape of f's output. Returns an array of x's shape.
    """
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        plus = np.sum(grad_output * f())
        x[idx] = old - eps
        minus = np.sum(grad_output * f())
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def compare_gradients(name: str, analytic, numerical: np.ndarray, atol: float, rtol: float) -> float:
    """Raise AssertionError at the worst mismatch; return the largest |difference|. The one
    comparison of both gradient checks (``torch_ops.gradcheck`` converts and calls it)."""
    if analytic is None:
        raise AssertionError(f"gradient check: no analytic gradient for '{name}' (got None)")
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numerical.shape:
        raise AssertionError(f"gradient check: the analytic gradient of '{name}' has shape "
                             f"{analytic.shape} but '{name}' has shape {numerical.shape}")
    if not np.isfinite(analytic).all():
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        raise AssertionError(f"gradient check failed for '{name}' at index {idx}: analytic "
                             f"{analytic[idx]!r}, numerical {numerical[idx]:.6g}")
    diff = np.abs(analytic - numerical)
    excess = diff - (atol + rtol * np.abs(numerical))
    if analytic.size and excess.max() > 0:
        idx = np.unravel_index(int(np.argmax(excess)), analytic.shape)
        idx = tuple(int(i) for i in idx)
        n_bad = int((excess > 0).sum())
        raise AssertionError(
            f"gradient check failed for '{name}' at index {idx}: analytic {analytic[idx]:.6g}, "
            f"numerical {numerical[idx]:.6g} (|difference| {diff[idx]:.3g} > atol + rtol * "
            f"|numerical| = {atol + rtol * abs(numerical[idx]):.3g}); {n_bad} of {analytic.size} "
            f"entries of '{name}' disagree"
        )
    return float(diff.max()) if diff.size else 0.0


def _default_grad_output(shape, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def gradcheck(fn: Callable[..., np.ndarray], inputs: dict[str, np.ndarray],
              analytic: dict[str, np.ndarray] | Callable[..., dict[str, np.ndarray]],
              grad_output: np.ndarray | None = None, *, eps: float = 1e-6,
              atol: float = 1e-6, rtol: float = 1e-4, seed: int = 0) -> dict[str, float]:
    """Compare analytic gradients of ``fn`` with central differences.

    fn: called as ``fn(**inputs)``, returns an array y (or a float).
    inputs: name -> array; they are copied to float64, the caller's arrays are untouched.
    analytic: name -> dL/d(input) for L = sum(grad_output * y), for the inputs
        to check (a subset of ``inputs``), or a function ``analytic(grad_output,
        **inputs)`` returning that dict (handy when grad_output is left random).
    grad_output: the shape of y; default a seeded standard-normal array.
    A gradient passes where |analytic - numerical| <= atol + rtol * |numerical|.

    Returns name -> largest |analytic - numerical|. Raises AssertionError naming
    the tensor, the worst index, and both values on a mismatch.
    """
    xs = {k: np.array(v, dtype=np.float64, copy=True) for k, v in inputs.items()}
    y = np.asarray(fn(**xs), dtype=np.float64)
    g = (_default_grad_output(y.shape, seed) if grad_output is None
         else np.asarray(grad_output, dtype=np.float64))
    if g.shape != y.shape:
        raise ValueError(f"gradcheck: grad_output has shape {g.shape} but fn returns shape {y.shape}")
    if callable(analytic):
        analytic = analytic(g, **{k: v.copy() for k, v in xs.items()})
    unknown = set(analytic) - set(xs)
    if unknown:
        raise ValueError(f"gradcheck: analytic gradients given for {sorted(unknown)}, which are "
                         f"not among the inputs {sorted(xs)}")
    report = {}
    for name in analytic:
        numerical = numerical_gradient(lambda: np.asarray(fn(**xs), dtype=np.float64),
                                       xs[name], g, eps)
        report[name] = compare_gradients(name, analytic[name], numerical, atol, rtol)
    return report


def _modules(layer: Module) -> Iterator[Module]:
    yield layer
    for _, child in layer.children():
        yield from _modules(child)


def _to_float64(layer: Module) -> Module:
    """A deep copy of ``layer`` whose parameters, gradients and float buffers are float64."""
    layer = copy.deepcopy(layer)
    for m in _modules(layer):
        m.params = {k: v.astype(np.float64) for k, v in m.params.items()}
        m.grads = {k: np.zeros_like(v) for k, v in m.params.items()}
        m.buffers = {k: (v.astype(np.float64) if np.asarray(v).dtype.kind == "f" else v)
                     for k, v in m.buffers.items()}
    return layer


def check_layer_gradients(layer: Module, x: np.ndarray, grad_output: np.ndarray | None = None,
                          *, eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-4,
                          seed: int = 0) -> dict[str, float]:
    """Check ``layer.backward`` (the input gradient and every ``grads[name]``) numerically.

    layer: any reference Module, checked in its current train/eval mode; x: an
    input it accepts (e.g. (N, C, H, W)); grad_output: the output's shape,
    default a seeded random array. Works on a float64 deep copy: the layer you
    pass is not changed. Every evaluation starts from the same copy, so layers
    that draw random numbers (dropout) or update running statistics (batch norm)
    see the same state each time. Keep shapes small: it runs 2 forwards per entry.

    Returns name -> largest |analytic - numerical| ('input', 'weight', '0.bias', ...).
    Raises AssertionError naming the tensor, the worst index, and both values.
    """
    base = _to_float64(layer)
    x = np.array(x, dtype=np.float64, copy=True)

    def run() -> np.ndarray:
        return np.asarray(copy.deepcopy(base).forward(x), dtype=np.float64)

    # Analytic: one forward and one backward on a fresh copy.
    fresh = copy.deepcopy(base)
    fresh.zero_grad()
    y = np.asarray(fresh.forward(x.copy()), dtype=np.float64)
    g = (_default_grad_output(y.shape, seed) if grad_output is None
         else np.asarray(grad_output, dtype=np.float64))
    if g.shape != y.shape:
        raise ValueError(f"check_layer_gradients: grad_output has shape {g.shape} but the layer "
                         f"returns shape {y.shape}")
    grad_input = fresh.backward(g.copy())
    analytic = {name: grad for name, _, grad in fresh.named_parameters()}

    report = {"input": compare_gradients("input", grad_input, numerical_gradient(run, x, g, eps), atol, rtol)}
    for name, param, _ in base.named_parameters():
        numerical = numerical_gradient(run, param, g, eps)
        report[name] = compare_gradients(name, analytic[name], numerical, atol, rtol)
    return report
