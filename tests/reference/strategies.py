"""Hypothesis strategies and test inputs shared by the tests of tests/reference/.

``conv_cases`` / ``pool_cases`` draw convolution and pooling configurations that fit
(the fast versions' tests and the loop versions' tests draw from the same ones).
"""

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

MODES = ["zeros", "reflect", "replicate", "circular"]


@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 3))
    depthwise = draw(st.booleans())
    cg = 1 if depthwise else draw(st.integers(1, 3))
    og = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    kind = draw(st.sampled_from(["int", "pair", "same", "valid"]))
    mode = draw(st.sampled_from(MODES))
    if kind == "same":
        stride, padding = (1, 1), "same"
        pads = [(d * (k - 1)) - (d * (k - 1)) // 2 for d, k in zip(dilation, (kh, kw))]   # the larger side
    else:
        stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        if kind == "valid":
            padding, pads = "valid", [0, 0]
        elif kind == "int":
            p = draw(st.integers(0, 2))
            padding, pads = p, [p, p]
        else:
            pads = [draw(st.integers(0, 2)), draw(st.integers(0, 2))]
            padding = tuple(pads)
    sizes = []
    for k, d, p in zip((kh, kw), dilation, pads):
        smallest = max(1, d * (k - 1) + 1 - 2 * p) if kind != "same" else 1
        sizes.append(draw(st.integers(smallest, smallest + 5)))
    h, w = sizes
    if mode == "reflect":
        assume(pads[0] < h and pads[1] < w)
    if mode == "circular":
        assume(pads[0] <= h and pads[1] <= w)
    n = draw(st.integers(1, 2))
    bias = draw(st.booleans())
    return dict(n=n, c=groups * cg, h=h, w=w, o=groups * og, k=(kh, kw), stride=stride, padding=padding,
                dilation=dilation, groups=groups, mode=mode, bias=bias)


def make_arrays(case, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"])).astype(dtype)
    w = rng.standard_normal((case["o"], case["c"] // case["groups"], *case["k"])).astype(dtype)
    b = rng.standard_normal(case["o"]).astype(dtype) if case["bias"] else None
    return x, w, b


def args(case):
    return case["stride"], case["padding"], case["dilation"], case["groups"]


@st.composite
def pool_cases(draw, dilation=True):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    # stride None (= the window: no overlap), or smaller than the window (overlapping windows)
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = tuple(draw(st.integers(0, kk // 2)) for kk in k)      # PyTorch: at most half the window
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    ceil_mode = draw(st.booleans())
    sizes = []
    for kk, p, dd in zip(k, padding, d):
        smallest = max(1, dd * (kk - 1) + 1 - 2 * p)
        sizes.append(draw(st.integers(smallest, smallest + 5)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *sizes)
    return dict(shape=shape, kernel_size=k, stride=stride, padding=padding, dilation=d, ceil_mode=ceil_mode)


def integer_valued(shape, seed=0):
    """Small integers, so that windows often hold ties."""
    return np.random.default_rng(seed).integers(-3, 4, size=shape).astype(np.float64)
