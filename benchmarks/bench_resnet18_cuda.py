"""ResNet-18 training throughput on a CUDA GPU: images/s with and without fit's GPU options.

Trains ``cnn_core.models.resnet18`` (full width, 10 classes) on random 3x32x32
batches already on the GPU, through ``cnn_core.training.fit``, in these
configurations, side by side in one run:

    float32                    amp=False, channels_last=False
    bf16                       amp=True,  channels_last=False
    channels_last              amp=False, channels_last=True
    bf16 + channels_last       amp=True,  channels_last=True   (fit's default on CUDA)
    bf16 + channels_last + compile                              (--compile; slow first epoch)

Each configuration runs ``--epochs`` epochs; the first is warm-up (cuDNN autotuning,
compilation) and the median of the others is reported.

    python benchmarks/bench_resnet18_cuda.py [--batch 256] [--batches 40] [--epochs 4] [--compile] [--small]
"""

from __future__ import annotations

import argparse
import statistics
import sys

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--batches", type=int, default=40, help="batches per epoch")
    parser.add_argument("--epochs", type=int, default=4, help="the first one is warm-up")
    parser.add_argument("--compile", action="store_true", help="also measure torch.compile")
    parser.add_argument("--small", action="store_true", help="resnet18(small=True) instead of full width")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("bench_resnet18_cuda: no CUDA GPU is visible to PyTorch on this machine "
                 f"(torch {torch.__version__}, CUDA build: {torch.version.cuda}); nothing to measure. "
                 "Run it on a machine with an NVIDIA GPU.")
    if args.epochs < 2:
        sys.exit("--epochs must be at least 2 (the first epoch is warm-up)")

    from cnn_core.models import resnet18
    from cnn_core.training import fit

    torch.backends.cudnn.benchmark = True
    g = torch.Generator(device="cuda").manual_seed(0)
    data = [(torch.randn(args.batch, 3, 32, 32, device="cuda", generator=g),
             torch.randint(0, 10, (args.batch,), device="cuda", generator=g)) for _ in range(args.batches)]
    configs = [("float32", False, False, False), ("bf16", True, False, False),
               ("channels_last", False, True, False), ("bf16 + channels_last", True, True, False)]
    if args.compile:
        configs.append(("bf16 + channels_last + compile", True, True, True))

    images = args.batch * args.batches
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}; resnet18"
          f"{'(small=True)' if args.small else ''}, {images} images of 3x32x32 per epoch, batch {args.batch}, "
          f"{args.epochs} epochs (first = warm-up)")
    print(f"{'configuration':<34}{'images/s':>12}{'vs float32':>12}")
    baseline = None
    for name, amp, channels_last, compile_ in configs:
        torch.manual_seed(0)
        model = resnet18(num_classes=10, small=args.small)
        history = fit(model, data, epochs=args.epochs, optimizer=torch.optim.SGD, lr=0.01, device="cuda",
                      amp=amp, channels_last=channels_last, compile=compile_, progress=False)
        rate = images / statistics.median(history.seconds[1:])
        baseline = baseline or rate
        print(f"{name:<34}{rate:>12.0f}{rate / baseline:>11.2f}x")
        del model
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
