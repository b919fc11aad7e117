"""Pooling benchmark: ``ConvNet1d``'s pair pooling against torch's ``nn.MaxPool1d(2)``.

Times, for each pooling layer of the default teacher on the Apnea-ECG windows (input
``(1, 300)``: 16 channels of 300 steps, 32 of 150, 64 of 75) and of the demo's
simulated windows (``(4, 120)``), at batches of 64 (a fit) and 256 (a synthesis chunk):
forward and backward (training and synthesis), and forward without gradients
(prediction). The two layers run interleaved, ``--repeats`` times each, and the table
gives the medians, so that a drift of the machine's speed hits both alike. Usage::

    python benchmarks/pooling.py --threads 1,2
"""

import argparse
import json
import statistics
import sys
import time

import torch

from _common import ROOT, machine_description
from skstim.nets._modules import _PairMax

SHAPES = [(16, 300), (32, 150), (64, 75), (16, 120), (32, 60), (64, 30)]


def _seconds(function, n):
    for _ in range(3):
        function()
    start = time.perf_counter()
    for _ in range(n):
        function()
    return (time.perf_counter() - start) / n


def time_layer(layer, x, weights, n):
    """Seconds of one forward and backward pass, and of one forward without gradients."""
    leaf = x.clone().requires_grad_(True)

    def train():
        layer(leaf).backward(weights)

    def predict():
        with torch.no_grad():
            layer(x)

    return _seconds(train, n), _seconds(predict, n)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "pooling.json"))
    args = parser.parse_args(argv)
    layers = {"pair pooling": _PairMax(), "nn.MaxPool1d(2)": torch.nn.MaxPool1d(2)}
    rows = []
    threads_before = torch.get_num_threads()
    try:
        for threads in (int(t) for t in args.threads.split(",")):
            torch.set_num_threads(threads)
            for batch in (64, 256):
                for channels, length in SHAPES:
                    x = torch.relu(torch.randn(batch, channels, length))
                    weights = torch.randn(batch, channels, length // 2)
                    times = {name: [] for name in layers}
                    for _ in range(args.repeats):
                        for name, layer in layers.items():
                            times[name].append(time_layer(layer, x, weights, args.steps))
                    row = {"threads": threads, "shape": [batch, channels, length]}
                    for name, runs in times.items():
                        row[name] = {"train_ms": 1e3 * statistics.median(t for t, _ in runs),
                                     "predict_ms": 1e3 * statistics.median(p for _, p in runs)}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        torch.set_num_threads(threads_before)
    with open(args.output, "w") as f:
        json.dump({"machine": machine_description(), "repeats": args.repeats, "rows": rows},
                  f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
