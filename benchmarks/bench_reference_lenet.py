"""One epoch of LeNet-5 with the NumPy reference, and the same epoch in PyTorch, side by side.

    .venv/bin/python benchmarks/bench_reference_lenet.py [--repeats 2] [--activation tanh|relu]
                                                         [--data mnist|random] [--profile]

LeNet-5 (LeCun et al. 1998, as in the course): Conv2d(1,6,5,padding=2)-act-AvgPool2d(2)-
Conv2d(6,16,5)-act-AvgPool2d(2)-Flatten-Linear(400,120)-act-Linear(120,84)-act-Linear(84,10),
cross-entropy, SGD(lr=0.05, momentum=0.9), batch 64, 5,000 28x28 images, float32.

Both networks start from the same weights and see the same batches, so their
final losses should agree closely (a sanity check printed beside the timings).
The target for the reference is one epoch in under 30 s on a 2-core CPU.
``--profile`` adds the reference's time per layer (forward + backward).
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

import numpy as np
import torch

from cnn_core.reference import (SGD, CrossEntropyLoss, Flatten, Linear, ReLU, Sequential, Tanh,
                                fit)

try:
    from cnn_core.reference import AvgPool2d, Conv2d
except ImportError as exc:  # the conv/pool half of the reference is written in parallel
    raise SystemExit(f"bench_reference_lenet needs Conv2d and AvgPool2d in cnn_core.reference: {exc}")

BATCH, N_IMAGES, LR, MOMENTUM = 64, 5000, 0.05, 0.9


def load_data(kind: str, seed: int = 0):
    if kind == "mnist":
        try:
            from cnn_core.data import load_mnist_5k
            x, y = load_mnist_5k()
            order = np.random.default_rng(seed).permutation(len(x))[:N_IMAGES]  # stored sorted by label
            return x[order].astype(np.float32), y[order].astype(np.int64), "MNIST 5k (bundled, shuffled)"
        except Exception as exc:  # no bundled data: fall back to random images, and say so
            print(f"(cnn_core.data.load_mnist_5k unavailable: {exc}; using random images)")
    rng = np.random.default_rng(seed)
    x = rng.random((N_IMAGES, 1, 28, 28), dtype=np.float32)
    return x, rng.integers(0, 10, N_IMAGES), "random"


def lenet_reference(act, seed: int = 0) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(
        Conv2d(1, 6, 5, padding=2, rng=rng), act(), AvgPool2d(2),
        Conv2d(6, 16, 5, rng=rng), act(), AvgPool2d(2),
        Flatten(),
        Linear(400, 120, rng=rng), act(),
        Linear(120, 84, rng=rng), act(),
        Linear(84, 10, rng=rng),
    )


def lenet_torch(act) -> torch.nn.Sequential:
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), act(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), act(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), act(),
        nn.Linear(120, 84), act(),
        nn.Linear(84, 10),
    )


def batches(x, y):
    return [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(x), BATCH)]


def epoch_reference(model, data) -> tuple[float, float]:
    opt = SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    t0 = time.perf_counter()
    history = fit(model, data, epochs=1, optimizer=opt, loss_fn=CrossEntropyLoss(), progress=False)
    return time.perf_counter() - t0, history.train_loss[0]


def epoch_torch(model, data) -> tuple[float, float]:
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    data = [(torch.from_numpy(xb), torch.from_numpy(yb)) for xb, yb in data]
    model.train()
    t0 = time.perf_counter()
    total = 0.0
    for xb, yb in data:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
    return time.perf_counter() - t0, total / sum(len(yb) for _, yb in data)


def profile_reference(model, data) -> None:
    """Time each layer's forward and backward over one epoch (by wrapping the methods)."""
    spent = defaultdict(float)
    for i, layer in enumerate(model):
        for kind in ("forward", "backward"):
            original = getattr(layer, kind)

            def timed(arg, _f=original, _key=(i, type(layer).__name__, kind)):
                t0 = time.perf_counter()
                out = _f(arg)
                spent[_key] += time.perf_counter() - t0
                return out

            setattr(layer, kind, timed)
    seconds, _ = epoch_reference(model, data)
    print(f"\nper-layer time, reference (one epoch, {seconds:.2f} s total):")
    for i, layer in enumerate(model):
        name = type(layer).__name__
        f, b = spent[(i, name, "forward")], spent[(i, name, "backward")]
        print(f"  {i:2d} {name:<10s} forward {f:6.2f} s   backward {b:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--activation", choices=["tanh", "relu"], default="tanh")
    parser.add_argument("--data", choices=["mnist", "random"], default="mnist")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    x, y, source = load_data(args.data)
    data = batches(x, y)
    ours_act, torch_act = {"tanh": (Tanh, torch.nn.Tanh), "relu": (ReLU, torch.nn.ReLU)}[args.activation]
    print(f"LeNet-5 ({args.activation}), {len(x)} images of 28x28 ({source}), batch {BATCH}, "
          f"SGD(lr={LR}, momentum={MOMENTUM}); numpy {np.__version__}, torch {torch.__version__} "
          f"with {torch.get_num_threads()} threads, {os.cpu_count()} CPUs")
    print(f"{'run':>4} {'reference (s)':>14} {'torch (s)':>10} {'ratio':>7} "
          f"{'loss ref':>9} {'loss torch':>11}")
    # warm-up (first calls pay for thread pools and allocations); not timed
    warm = lenet_reference(ours_act, seed=0)
    epoch_reference(warm, data[:5])
    epoch_torch(lenet_torch(torch_act), data[:5])
    times_ref, times_torch = [], []
    for r in range(1, args.repeats + 1):
        ours = lenet_reference(ours_act, seed=r)
        theirs = lenet_torch(torch_act)
        theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
        t_ref, loss_ref = epoch_reference(ours, data)
        t_torch, loss_torch = epoch_torch(theirs, data)
        print(f"{r:>4} {t_ref:>14.2f} {t_torch:>10.2f} {t_ref / t_torch:>6.1f}x "
              f"{loss_ref:>9.4f} {loss_torch:>11.4f}")
        times_ref.append(t_ref)
        times_torch.append(t_torch)
    # the best run is the least disturbed by other processes on a shared machine
    best_ref, best_torch = min(times_ref), min(times_torch)
    print(f"best of {args.repeats}: reference {best_ref:.2f} s, torch {best_torch:.2f} s, "
          f"ratio {best_ref / best_torch:.1f}x; worst reference run {max(times_ref):.2f} s")
    under = sum(t < 30 for t in times_ref)
    print(f"target: one reference epoch under 30 s -> met in {under} of {len(times_ref)} runs "
          f"(slow runs usually mean other processes share the CPU: compare the torch column)")
    if args.profile:
        profile_reference(lenet_reference(ours_act, seed=0), data)


if __name__ == "__main__":
    main()
