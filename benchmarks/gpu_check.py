"""CUDA against the CPU: the same stimuli for a fixed seed, and what a GPU buys.

One prepared run for a machine with a GPU (``python benchmarks/gpu_check.py``, a few
minutes):

1. correctness: one synthesizer, fitted on the CPU at the default settings, samples
   with the same seed on the CPU and on ``--device``; reported: the largest and the
   99th-percentile difference of the stimuli, in standard deviations of the training
   windows, and the share of equal hard labels. The random draws are made on the CPU
   and moved (``skstim.utils.draw_normal``), so the two runs start from the same
   numbers; TF32 is switched off for this part, so the differences are those of float32
   arithmetic on two devices. Exit status 1 beyond the tolerances (``P99_TOLERANCE``,
   ``LABEL_AGREEMENT``);
2. the ratios of ``benchmarks/speed.py`` on ``--device`` (TF32 as PyTorch sets it):
   an engine step against a bare forward-backward-Adam step, and a stimulus set the
   size of the training set against the teacher's fit;
3. stimuli per second on ``--device`` at several chunk sizes (``batch_size``).

Data: Apnea-ECG RR windows, every 4th minute (the quick utility set) where found, else
the simulated set. Results are written to ``--output`` as JSON. ``--device cpu`` runs
the same script on the CPU (the correctness check is then trivially exact), to check the
script itself where no GPU is lent.

Usage::

    python benchmarks/gpu_check.py                       # CUDA
    python benchmarks/gpu_check.py --device cpu --n 256  # dry run on the CPU
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from _common import DEFAULT_DATA, ROOT, machine_description
from speed import engine_overhead, fitted_synthesizer, load, synthesis_vs_fit

P99_TOLERANCE, LABEL_AGREEMENT = 1e-2, 0.99
CHUNKS = (256, 1024, 4096)


def _sample(synthesizer, device, n, batch_size=256):
    synthesizer.set_params(device=device, batch_size=batch_size)
    start = time.perf_counter()
    X, y = synthesizer.sample(n, random_state=0)
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()
    return X, y, time.perf_counter() - start


def same_stimuli(synthesizer, X_train, device, n):
    """Stimuli of one seed on the CPU and on ``device``: their differences."""
    tf32 = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try:
        X_cpu, y_cpu, cpu_s = _sample(synthesizer, "cpu", n)
        X_dev, y_dev, dev_s = _sample(synthesizer, device, n)
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = tf32
        synthesizer.set_params(device="cpu")
    difference = np.abs(X_dev - X_cpu) / X_train.std()
    result = {"n_stimuli": n, "max_sd": float(difference.max()),
              "p99_sd": float(np.quantile(difference, 0.99)),
              "label_agreement": float(np.mean(y_dev == y_cpu)),
              "cpu_seconds": cpu_s, "device_seconds": dev_s}
    result["passed"] = bool(result["p99_sd"] <= P99_TOLERANCE
                            and result["label_agreement"] >= LABEL_AGREEMENT)
    return result


def throughput(synthesizer, device, n):
    """Stimuli per second on ``device`` at each chunk size."""
    rows = []
    for batch_size in CHUNKS:
        _sample(synthesizer, device, min(n, batch_size), batch_size)  # warm-up
        _, _, seconds = _sample(synthesizer, device, n, batch_size)
        rows.append({"batch_size": batch_size, "stimuli_per_s": n / seconds})
    synthesizer.set_params(device="cpu", batch_size=256)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--n", type=int, default=4096, help="stimuli per measurement")
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--output", type=Path,
                        default=ROOT / "benchmarks" / "results" / "speed_cuda.json")
    args = parser.parse_args(argv)
    if torch.device(args.device).type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device here; pass --device cpu for a dry run.")
    X, y, input_shape, data_name = load(args.data_home)
    result = {"data": data_name, "n_windows": len(X), "device": args.device,
              "device_name": (torch.cuda.get_device_name() if torch.cuda.is_available()
                              else "cpu"),
              "machine": machine_description()}
    synthesizer = fitted_synthesizer(X, y, input_shape, "cpu")
    result["same_stimuli"] = same_stimuli(synthesizer, X, args.device, min(args.n, len(X)))
    print("1.", json.dumps(result["same_stimuli"]), flush=True)
    device_synthesizer = fitted_synthesizer(X, y, input_shape, args.device)
    result["a_engine_overhead"] = engine_overhead(device_synthesizer, args.device)
    print("2a.", json.dumps(result["a_engine_overhead"]), flush=True)
    result["b_synthesis_vs_fit"] = synthesis_vs_fit(X, y, input_shape, args.device)
    print("2b.", json.dumps(result["b_synthesis_vs_fit"]), flush=True)
    result["throughput"] = throughput(synthesizer, args.device, args.n)
    print("3.", json.dumps(result["throughput"]), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    return 0 if result["same_stimuli"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
