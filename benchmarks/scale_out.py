"""Scale-out benchmark: the stimuli of a large simulated study on a local Dask cluster.

A simulated study (``make_sleep_apnea``; 500 people x 200 windows = 100,000 windows by
default) and one fitted synthesizer at the default synthesis settings; its teacher is
fitted for a few epochs only (``--teacher-epochs``), since the teacher's fit is not what
is scaled out. The same stimuli are then made three ways:

1. one process, one torch thread (``n_jobs=1``): the reference;
2. one process, every core as torch threads: the fastest single process;
3. a local Dask cluster of ``--workers`` worker processes of one thread each, through
   joblib's Dask backend (``n_jobs=--workers``), as Dask starts its workers and again
   with glibc's malloc told to keep freed memory (:func:`keep_freed_memory`).

Chunk ``i`` draws from the ``i``-th child seed whatever runs it, so 3 must equal 1 bit for
bit (the script exits with status 1 otherwise); 2 sums in another order and is compared
with a tolerance. Times, stimuli per second and core-seconds per 1,000 stimuli go to a
JSON file. Usage::

    python benchmarks/scale_out.py                       # 100,000 windows, one stimulus each
    python benchmarks/scale_out.py --n-subjects 20 --n-windows 50   # a dry run
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from joblib import parallel_config

from _common import ROOT, machine_description
from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import make_sleep_apnea


def timed_sample(synthesizer, n, threads, **params):
    """``synthesizer.sample(n)`` with ``threads`` torch threads: (stimuli, seconds)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    synthesizer.set_params(**params)
    try:
        start = time.perf_counter()
        X, _ = synthesizer.sample(n, random_state=1)
        return X, time.perf_counter() - start
    finally:
        synthesizer.set_params(n_jobs=None)
        torch.set_num_threads(before)


def keep_freed_memory():
    """Let glibc's malloc keep freed memory in the heap (a worker-side setup function).

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also stops
    glibc from raising its mmap threshold: every activation-sized temporary of a
    synthesis step is then a fresh mapping whose pages fault in again, and chunks ran
    about 3 times slower than in a plain process. Returns whether the call took.
    """
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(libc.mallopt(M_TRIM_THRESHOLD, 2**30) and libc.mallopt(M_MMAP_THRESHOLD, 2**29))


def dask_sample(synthesizer, n, workers, malloc_fix=True):
    """The same stimuli on a local Dask cluster of ``workers`` one-thread processes."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client, \
            parallel_config(backend="dask"):
        if malloc_fix:
            client.run(keep_freed_memory)
        synthesizer.sample(2 * synthesizer.batch_size, random_state=2)  # workers warm
        return timed_sample(synthesizer, n, 1, n_jobs=workers)


def record(name, n, seconds, cores):
    return {"run": name, "seconds": seconds, "stimuli_per_s": n / seconds,
            "core_seconds_per_1000": 1000 * seconds * cores / n, "cores": cores}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-subjects", type=int, default=500)
    parser.add_argument("--n-windows", type=int, default=200, help="windows per person")
    parser.add_argument("--n-stimuli", type=int, default=None,
                        help="stimuli to make (default: one per window)")
    parser.add_argument("--teacher-epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" /
                                                "scale_out.json"))
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1

    data = make_sleep_apnea(args.n_subjects, args.n_windows, random_state=0)
    n = args.n_stimuli or len(data.X)
    print(f"make_sleep_apnea({args.n_subjects}, {args.n_windows}): {len(data.X)} windows, "
          f"input_shape={data.input_shape}; {n} stimuli", flush=True)
    start = time.perf_counter()
    synthesizer = StimulusSynthesizer(
        make_teacher(max_epochs=args.teacher_epochs), input_shape=data.input_shape,
        random_state=0).fit(data.X, data.y, groups=data.groups)
    fit_s = time.perf_counter() - start
    print(f"fit: {fit_s:.0f} s", flush=True)

    reference, seconds = timed_sample(synthesizer, n, 1)
    runs = [record("n_jobs=1, 1 torch thread", n, seconds, 1)]
    print(json.dumps(runs[-1]), flush=True)
    threaded, seconds = timed_sample(synthesizer, n, cores)
    runs.append(record(f"n_jobs=1, {cores} torch threads", n, seconds, cores))
    spread = reference.std(axis=0)
    runs[-1]["max_difference_in_spreads"] = float(
        np.max(np.abs(threaded - reference) / np.maximum(spread, 1e-12)))
    del threaded
    print(json.dumps(runs[-1]), flush=True)
    identical = True
    for malloc_fix in (False, True):
        distributed, seconds = dask_sample(synthesizer, n, args.workers, malloc_fix)
        runs.append(record(f"Dask LocalCluster, {args.workers} processes x 1 thread"
                           + (", glibc keeps freed memory" if malloc_fix else ""), n, seconds,
                           args.workers))
        runs[-1]["identical_to_reference"] = bool(np.array_equal(distributed, reference))
        identical &= runs[-1]["identical_to_reference"]
        print(json.dumps(runs[-1]), flush=True)

    result = {"data": f"make_sleep_apnea({args.n_subjects}, {args.n_windows}, random_state=0)",
              "n_windows": len(data.X), "n_stimuli": n, "input_shape": list(data.input_shape),
              "n_iter": synthesizer.n_iter, "batch_size": synthesizer.batch_size,
              "teacher_epochs": args.teacher_epochs, "teacher_fit_s": fit_s, "runs": runs,
              "machine": machine_description()}
    with open(args.output, "w") as f:
        json.dump(result, f, indent=1)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
