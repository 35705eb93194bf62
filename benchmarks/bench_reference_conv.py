"""How fast is the NumPy reference convolution next to PyTorch's, on the same CPU?

Runs ``cnn_core.reference.conv2d`` (forward) and the ``Conv2d`` layer's backward
(gradients of input, weight and bias) side by side with ``torch.nn.functional.conv2d``
and torch autograd, float32, all cores for both, and prints the median of several
repeats and the ratio reference / torch per configuration, with the geometric mean.

Targets: forward ratio <= 2.0, backward ratio <= 3.0 (geometric means).

    python benchmarks/bench_reference_conv.py [--repeats 7] [--blas-threads 1]

On a machine shared with other jobs, multi-threaded OpenBLAS can slow down by an order of
magnitude when its threads wait for busy cores; ``--blas-threads 1`` shows the difference.
"""

from __future__ import annotations

import os

# Timed alternately in one process, PyTorch's OpenMP threads would keep spinning after
# each call and take the cores NumPy's BLAS threads need next (and the other way round),
# which measures the collision, not either library: let idle threads sleep. Set before
# NumPy and torch load their thread pools; override from the environment if wanted.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from cnn_core.reference import Conv2d, conv2d  # noqa: E402

# (name, N, C_in, C_out, H=W, kernel, padding)
CONFIGS = [
    ("3->32 @32x32 k3", 64, 3, 32, 32, 3, 1),
    ("32->64 @32x32 k3", 64, 32, 64, 32, 3, 1),
    ("64->128 @16x16 k3", 64, 64, 128, 16, 3, 1),
    ("1->6 @28x28 k5", 64, 1, 6, 28, 5, 0),
]


def median_times(fn_a, fn_b, repeats: int) -> tuple[float, float]:
    """Median run time of two functions, timed alternately (a, b, a, b, ...) so that both
    see the same background load on a shared machine."""
    fn_a(), fn_b()  # warm up (allocations, thread pools)
    times_a, times_b = [], []
    for _ in range(repeats):
        for fn, times in ((fn_a, times_a), (fn_b, times_b)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(times_a), statistics.median(times_b)


def blas_threads(n: int | None):
    """A context that limits NumPy's BLAS to ``n`` threads (``None``: leave it at all cores)."""
    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits  # installed with scikit-learn
    return threadpool_limits(limits=n, user_api="blas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit NumPy's BLAS threads (default: all cores, like torch)")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    with blas_threads(args.blas_threads):
        run(args)


def run(args) -> None:
    print(f"cores: {os.cpu_count()}, torch threads: {torch.get_num_threads()}, "
          f"numpy BLAS threads: {args.blas_threads or 'all'}, numpy {np.__version__}, torch {torch.__version__}, "
          f"median of {args.repeats} alternating repeats, float32, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, "
          f"load average {os.getloadavg()[0]:.1f}")
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

        def torch_forward():
            with torch.no_grad():
                F.conv2d(xt, wt, bt, padding=p)

        t_fwd_ref, t_fwd_torch = median_times(lambda: conv2d(x, w, b, padding=p), torch_forward, args.repeats)

        out = layer.forward(x)
        g = rng.standard_normal(out.shape).astype(np.float32)

        xg = xt.clone().requires_grad_(True)
        wg = wt.clone().requires_grad_(True)
        bg = bt.clone().requires_grad_(True)
        gt = torch.from_numpy(g)

        out_t = F.conv2d(xg, wg, bg, padding=p)

        def torch_backward_only():  # the graph is built once; time only the backward
            xg.grad = wg.grad = bg.grad = None
            out_t.backward(gt, retain_graph=True)

        t_bwd_ref, t_bwd_torch = median_times(lambda: layer.backward(g), torch_backward_only, args.repeats)
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
