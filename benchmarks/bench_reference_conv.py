"""How fast is the NumPy reference convolution next to PyTorch's, on the same CPU?

Runs ``cnn_core.reference.conv2d`` (forward) and the ``Conv2d`` layer's backward
(gradients of input, weight and bias) side by side with ``torch.nn.functional.conv2d``
and torch autograd, float32, all cores for both, and prints the median of several
repeats and the ratio reference / torch per configuration, with the geometric mean.

Targets: forward ratio <= 2.0, backward ratio <= 3.0 (geometric means).

    python benchmarks/bench_reference_conv.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from cnn_core.reference import Conv2d, conv2d

# (name, N, C_in, C_out, H=W, kernel, padding)
CONFIGS = [
    ("3->32 @32x32 k3", 64, 3, 32, 32, 3, 1),
    ("32->64 @32x32 k3", 64, 32, 64, 32, 3, 1),
    ("64->128 @16x16 k3", 64, 64, 128, 16, 3, 1),
    ("1->6 @28x28 k5", 64, 1, 6, 28, 5, 0),
]


def median_time(fn, repeats: int) -> float:
    fn()  # warm up (allocations, thread pools)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    print(f"cores: {os.cpu_count()}, torch threads: {torch.get_num_threads()}, "
          f"numpy {np.__version__}, torch {torch.__version__}, median of {args.repeats} repeats, float32")
    header = f"{'config (batch 64)':<20}{'fwd ref ms':>11}{'fwd torch':>11}{'ratio':>7}" \
             f"{'bwd ref ms':>12}{'bwd torch':>11}{'ratio':>7}"
    print(header)
    print("-" * len(header))
    fwd_ratios, bwd_ratios = [], []
    for name, n, cin, cout, hw, k, p in CONFIGS:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, cin, hw, hw)).astype(np.float32)
        layer = Conv2d(cin, cout, k, padding=p, rng=rng)
        w, b = layer.params["weight"], layer.params["bias"]
        xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w.copy()), torch.from_numpy(b.copy())

        t_fwd_ref = median_time(lambda: conv2d(x, w, b, padding=p), args.repeats)
        with torch.no_grad():
            t_fwd_torch = median_time(lambda: F.conv2d(xt, wt, bt, padding=p), args.repeats)

        out = layer.forward(x)
        g = rng.standard_normal(out.shape).astype(np.float32)
        t_bwd_ref = median_time(lambda: layer.backward(g), args.repeats)

        xg = xt.clone().requires_grad_(True)
        wg = wt.clone().requires_grad_(True)
        bg = bt.clone().requires_grad_(True)
        gt = torch.from_numpy(g)

        out_t = F.conv2d(xg, wg, bg, padding=p)

        def torch_backward_only():  # the graph is built once; time only the backward
            xg.grad = wg.grad = bg.grad = None
            out_t.backward(gt, retain_graph=True)

        t_bwd_torch = median_time(torch_backward_only, args.repeats)
        rf, rb = t_fwd_ref / t_fwd_torch, t_bwd_ref / t_bwd_torch
        fwd_ratios.append(rf)
        bwd_ratios.append(rb)
        print(f"{name:<20}{1e3 * t_fwd_ref:>11.2f}{1e3 * t_fwd_torch:>11.2f}{rf:>7.2f}"
              f"{1e3 * t_bwd_ref:>12.2f}{1e3 * t_bwd_torch:>11.2f}{rb:>7.2f}")
    gm = lambda r: math.exp(sum(map(math.log, r)) / len(r))  # noqa: E731
    print("-" * len(header))
    print(f"geometric mean ratio: forward {gm(fwd_ratios):.2f} (target <= 2.0), "
          f"backward {gm(bwd_ratios):.2f} (target <= 3.0)")


if __name__ == "__main__":
    main()
