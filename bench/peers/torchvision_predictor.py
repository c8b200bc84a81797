#!/usr/bin/env python3
"""Inference throughput of torchvision's GoogLeNet, the peer of ClassifierBenchmark.

Random weights (weights=None, init_weights=True, no auxiliary heads), eval mode, inference_mode,
random normal input already "normalised", torch.set_num_threads(N). For each batch size: warm-up
batches, then timed batches until both a minimum count and a minimum duration are reached; reports
the median images/s and the spread of the per-batch figures. Prints a table, then one JSON object
on the last line.

Needs the Debian packages python3-torch and python3-torchvision (use /usr/bin/python3).
"""
import argparse
import json
import os
import platform
import sys
import time


def percentile(sorted_values, q):
    rank = q * (len(sorted_values) - 1)
    low, high = int(rank), min(int(rank) + 1, len(sorted_values) - 1)
    return sorted_values[low] + (rank - low) * (sorted_values[high] - sorted_values[low])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", default="1,8,32")
    parser.add_argument("--threads", type=int,
                        default=int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1)))
    parser.add_argument("--size", type=int, default=224, help="input height and width")
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batches", type=int, default=5, help="timed batches at least")
    parser.add_argument("--max-batches", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds at least")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    try:
        import torch
        import torchvision
    except ImportError as e:
        sys.exit(f"torchvision_predictor: {e}; install the Debian packages: "
                 "apt-get install python3-torch python3-torchvision (and run with /usr/bin/python3)")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = torchvision.models.googlenet(
        weights=None, aux_logits=False, init_weights=True, num_classes=args.classes)
    if args.channels != 3:
        model.conv1.conv = torch.nn.Conv2d(args.channels, 64, 7, 2, 3, bias=False)
    model.eval()

    results = []
    for batch_size in [int(b) for b in args.batch_sizes.split(",")]:
        x = torch.randn(batch_size, args.channels, args.size, args.size)
        with torch.inference_mode():
            for _ in range(args.warmup):
                model(x).softmax(1)
            times = []
            while len(times) < args.max_batches and (
                    len(times) < args.batches or sum(times) < args.seconds):
                start = time.perf_counter()
                model(x).softmax(1)
                times.append(time.perf_counter() - start)
        times.sort()
        median = percentile(times, 0.5)
        results.append({
            "batch_size": batch_size,
            "batches": len(times),
            "images_per_second": batch_size / median,
            "images_per_second_min": batch_size / times[-1],
            "images_per_second_max": batch_size / times[0],
            "batch_ms": median * 1000,
            "spread": (percentile(times, 0.9) - percentile(times, 0.1)) / median,
        })

    print(f"torchvision GoogLeNet throughput: torch {torch.__version__}, torchvision "
          f"{torchvision.__version__}, threads {torch.get_num_threads()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, {os.cpu_count()} cores")
    print(f"{'input':<12} {'batch':>6} {'batches':>8} {'img/s med':>10} {'img/s min':>10} "
          f"{'img/s max':>10} {'ms/batch':>9} {'spread':>7}")
    shape = f"{args.size}x{args.size}x{args.channels}/{args.classes}"
    for r in results:
        print(f"{shape:<12} {r['batch_size']:>6} {r['batches']:>8} {r['images_per_second']:>10.2f} "
              f"{r['images_per_second_min']:>10.2f} {r['images_per_second_max']:>10.2f} "
              f"{r['batch_ms']:>9.1f} {100 * r['spread']:>6.0f}%")
    print(json.dumps({
        "tool": "torchvision_predictor",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "cores": os.cpu_count(),
        "input": shape,
        "results": results,
    }, separators=(",", ":")))


if __name__ == "__main__":
    main()
