"""How much time does ``fit`` add over the loop a student writes by hand?

Same model (identical initial weights), same data, same seed, same optimizer,
on the CPU. The hand-written loop does what a careful tutorial does: train,
track loss and accuracy, then a validation pass each epoch. Runs are
interleaved (hand, fit, fit+progress, hand, ...) so that load from other
processes hits all of them alike; the ratio of medians is printed, for wall
time and for the CPU time of this process (``time.process_time``), which is
the steadier of the two on a shared machine (use ``--threads 1`` so that CPU
time is not inflated by spinning worker threads). Target: fit / hand <= 1.05.

    python benchmarks/bench_fit_overhead.py [--repeats 5] [--epochs 2] [--model lenet5|resnet18]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import statistics
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from cnn_core.models import lenet5, resnet18
from cnn_core.training import fit


def make_data(n: int, shape, classes: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    return TensorDataset(torch.randn(n, *shape, generator=g), torch.randint(0, classes, (n,), generator=g))


def hand_written(model, train, val, epochs, lr, seed):
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        total_loss, correct, count = 0.0, 0, 0
        for x, y in train:
            optimizer.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            count += len(y)
        model.eval()
        val_loss, val_correct, val_count = 0.0, 0, 0
        with torch.no_grad():
            for x, y in val:
                out = model(x)
                val_loss += loss_fn(out, y).item() * len(y)
                val_correct += (out.argmax(1) == y).sum().item()
                val_count += len(y)
    return total_loss / count, val_correct / val_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--model", choices=["lenet5", "resnet18"], default="lenet5")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: leave as is)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    if args.model == "lenet5":
        shape, build, n, batch = (1, 32, 32), lambda: lenet5(num_classes=10), 4096, 64
    else:
        shape, build, n, batch = (3, 32, 32), lambda: resnet18(num_classes=10, small=True), 512, 64
    torch.manual_seed(0)
    initial = build()
    train_set, val_set = make_data(n, shape, 10, 1), make_data(n // 4, shape, 10, 2)

    def loaders():
        g = torch.Generator().manual_seed(0)
        return (DataLoader(train_set, batch_size=batch, shuffle=True, generator=g),
                DataLoader(val_set, batch_size=256))

    def run(kind: str) -> tuple[float, float]:
        model = copy.deepcopy(initial)
        train, val = loaders()
        start, cpu_start = time.perf_counter(), time.process_time()
        if kind == "hand":
            hand_written(model, train, val, args.epochs, 1e-3, seed=0)
        else:
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                fit(model, train, val, args.epochs, lr=1e-3, seed=0, device="cpu",
                    progress=(kind == "fit+progress"))
        return time.perf_counter() - start, time.process_time() - cpu_start

    kinds = ["hand", "fit", "fit+progress"]
    run("hand"), run("fit")                                   # warm-up (allocator, first-call costs)
    wall = {k: [] for k in kinds}
    cpu = {k: [] for k in kinds}
    for r in range(args.repeats):
        order = kinds if r % 2 == 0 else kinds[::-1]
        for k in order:
            w, c = run(k)
            wall[k].append(w)
            cpu[k].append(c)

    print(f"model {args.model}, {n} training + {n // 4} validation images {shape}, batch {batch}, "
          f"{args.epochs} epochs, {args.repeats} interleaved repeats, torch threads {torch.get_num_threads()}")
    print(f"{'loop':<14}{'wall median s':>14}{'wall ratio':>12}{'CPU median s':>14}{'CPU ratio':>11}"
          f"{'CPU ratio (min)':>17}")
    for k in kinds:
        wm, cm = statistics.median(wall[k]), statistics.median(cpu[k])
        print(f"{k:<14}{wm:>14.3f}{wm / statistics.median(wall['hand']):>12.3f}{cm:>14.3f}"
              f"{cm / statistics.median(cpu['hand']):>11.3f}{min(cpu[k]) / min(cpu['hand']):>17.3f}")
    print("target: fit / hand <= 1.05")


if __name__ == "__main__":
    main()
