"""Speed benchmark: what synthesis costs against the teacher's own arithmetic.

Ratios are measured side by side in one run, so that they hold from machine to machine:

a. engine overhead: one synthesis step (the default objective: class excitation and the
   class BatchNorm prior, Adam on the inputs) against a bare teacher forward, backward
   and Adam step on the same batch; target <= 1.10;
b. a stimulus set the size of the training set, and the default set (``stimuli_per_sample``
   per window), at the default settings, against the teacher's fit on the same data;
   target <= 1.0 for the default set;
c. peak memory of ``sample`` at 10x the stimuli against 1x, not counting the returned
   arrays (each size in a fresh process); target <= 1.2;
d. throughput for ``n_jobs`` x torch threads, within the machine's cores.

Data: the Apnea-ECG RR windows, every 4th minute (as the quick utility benchmark) where
the data is found, else the simulated data set. Usage::

    python benchmarks/speed.py                  # all parts, table to stdout and JSON file
    python benchmarks/speed.py --parts a,b --device cuda
    python benchmarks/speed.py --parts b --synthesis mix=0.75   # part b of a candidate too
"""

import argparse
import json
import subprocess
import sys
import time

import numpy as np
import torch

from _common import DEFAULT_DATA, ROOT, machine_description, parse_parameter
from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import fetch_apnea_ecg, make_sleep_apnea
from skstim.synthesis import (
    BatchNormPrior,
    ClassExcitation,
    DirectOptimizer,
    Objective,
)


def load(data_home):
    try:
        data = fetch_apnea_ecg(data_home=data_home)
        keep = data.minute % 4 == 0
        return data.X[keep], data.y[keep], tuple(data.input_shape), "Apnea-ECG, every 4th minute"
    except OSError:
        data = make_sleep_apnea(n_subjects=40, n_windows=80, random_state=0)
        return data.X, data.y, tuple(data.input_shape), "make_sleep_apnea(40, 80)"


def fitted_synthesizer(X, y, input_shape, device, **params):
    return StimulusSynthesizer(make_teacher(device=device), input_shape=input_shape,
                               device=device, random_state=0, **params).fit(X, y)


def _sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def engine_overhead(synthesizer, device, batch_size=256, n_steps=30, repeats=15):
    """Seconds per step: the engine's objective step and a bare forward-backward-Adam step."""
    model = synthesizer.teacher_.module_.to(device).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    shape = synthesizer.input_shape_
    generator = torch.Generator(device).manual_seed(0)
    targets = torch.randint(0, len(synthesizer.classes_), (batch_size,), generator=generator,
                            device=device)
    loc = torch.as_tensor(synthesizer.loc_, device=device)
    scale = torch.as_tensor(synthesizer.scale_, device=device)

    def forward(z):
        return model((loc + scale * z).flatten(1))

    def bare():
        z = torch.randn((batch_size, *shape), generator=generator, device=device,
                        requires_grad=True)
        optimizer = torch.optim.Adam([z], lr=0.1)
        for _ in range(n_steps):
            loss = torch.nn.functional.cross_entropy(forward(z), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        _sync(device)

    prior = BatchNormPrior(model, class_statistics=synthesizer.class_statistics_,
                           n_segments=synthesizer.bn_segments)
    objective = Objective([(1.0, ClassExcitation()), (synthesizer.bn_weight, prior)])

    def engine():
        DirectOptimizer(n_iter=n_steps).run(forward, objective, targets, None, shape, generator,
                                            n_classes=len(synthesizer.classes_),
                                            init=synthesizer.init_.to(device))
        _sync(device)

    times = {"bare": [], "engine": []}
    try:
        for _ in range(repeats):  # interleaved, so that load changes hit both alike
            for name, run in (("bare", bare), ("engine", engine)):
                start = time.perf_counter()
                run()
                times[name].append((time.perf_counter() - start) / n_steps)
    finally:
        prior.remove()
    bare_s, engine_s = np.median(times["bare"]), np.median(times["engine"])
    return {"bare_step_s": bare_s, "engine_step_s": engine_s, "ratio": engine_s / bare_s,
            "batch_size": batch_size, "repeats": repeats, "target": 1.10}


def synthesis_vs_fit(X, y, input_shape, device, candidate=None):
    """Seconds of the teacher's fit, of one stimulus per training window and of the
    default stimulus set (``stimuli_per_sample`` per window, as ``fit_resample`` makes).

    With ``candidate`` (synthesis parameters), also the set that the same fitted
    synthesizer makes with them, timed in the same run.
    """
    start = time.perf_counter()
    synthesizer = fitted_synthesizer(X, y, input_shape, device)
    fit_s = time.perf_counter() - start
    default_params = synthesizer.get_params()
    sets = [("one_per_window", {"stimuli_per_sample": 1.0, "mix": 0.0}), ("default_set", {})]
    if candidate:
        sets.append(("candidate_set", candidate))
    result = {"teacher_fit_s": fit_s, "n_iter": synthesizer.n_iter, "target": 1.0}
    for name, params in sets:
        synthesizer.set_params(**{**default_params, **params})
        n = max(1, round(synthesizer.stimuli_per_sample * len(X)))
        start = time.perf_counter()
        synthesizer.sample(n)
        seconds = time.perf_counter() - start
        result.update({f"{name}_s": seconds, f"{name}_ratio": seconds / fit_s,
                       f"n_{name}": n})
    synthesizer.set_params(**default_params)
    if candidate:
        result["candidate"] = candidate
    return result


_MEMORY_CHILD = """
import re, joblib
def status(key):
    return int(re.search(key + r":\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) * 1024
syn = joblib.load({path!r})
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the peak resident size starts again from the current one
before = status("VmRSS")
X_s, y_s, P = syn.sample({n}, return_proba=True)
print(status("VmHWM") - before - X_s.nbytes - y_s.nbytes - P.nbytes)
"""


def peak_memory(X, y, input_shape, n=2000):
    """Peak resident memory added by ``sample`` (less the returned arrays), 1x and 10x.

    The synthesizer is fitted here and loaded in a fresh process per size, whose
    high-water mark is reset after loading (Linux ``/proc/self/clear_refs``), so that
    the peak measured there is the sampling's own.
    """
    import tempfile

    import joblib

    synthesizer = fitted_synthesizer(X, y, input_shape, "cpu", n_iter=5)
    growth = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/synthesizer.joblib"
        joblib.dump(synthesizer, path)
        for factor in (1, 10):
            code = _MEMORY_CHILD.format(path=path, n=factor * n)
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True)
            growth[factor] = int(out.stdout.strip().splitlines()[-1])
    return {"growth_1x_bytes": growth[1], "growth_10x_bytes": growth[10],
            "ratio": growth[10] / max(growth[1], 1), "n_1x": n, "target": 1.2}


def scaling(synthesizer, n=1024):
    """Stimuli per second for n_jobs x torch threads, within the machine's cores."""
    cores = torch.get_num_threads()
    rows = []
    threads_before = torch.get_num_threads()
    try:
        for n_jobs, threads in sorted({(1, 1), (1, cores), (cores, 1)}):
            torch.set_num_threads(threads)
            synthesizer.set_params(n_jobs=n_jobs, batch_size=n // max(cores, 2))
            synthesizer.sample(64)  # warm the worker pool
            start = time.perf_counter()
            synthesizer.sample(n)
            seconds = time.perf_counter() - start
            rows.append({"n_jobs": n_jobs, "torch_threads": threads,
                         "stimuli_per_s": n / seconds})
    finally:
        torch.set_num_threads(threads_before)
        synthesizer.set_params(n_jobs=None, batch_size=256)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="a,b,c,d")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "speed.json"))
    parser.add_argument("--synthesis", action="append", default=[], metavar="NAME=VALUE",
                        help="a StimulusSynthesizer parameter of a candidate whose set part b "
                             "times beside the default's, e.g. mix=0.75 (repeatable; parameters "
                             "that only change sampling, not the fit)")
    args = parser.parse_args(argv)
    candidate = dict(parse_parameter(text, parser) for text in args.synthesis)
    parts = set(args.parts.split(","))
    X, y, input_shape, data_name = load(args.data_home)
    result = {"data": data_name, "n_windows": len(X), "device": args.device,
              "machine": machine_description()}
    print(f"{data_name}: {len(X)} windows, input_shape={input_shape}, device={args.device}",
          flush=True)
    synthesizer = None
    if parts & {"a", "d"}:
        synthesizer = fitted_synthesizer(X, y, input_shape, args.device)
    if "a" in parts:
        result["a_engine_overhead"] = engine_overhead(synthesizer, args.device)
        print("a.", json.dumps(result["a_engine_overhead"]), flush=True)
    if "b" in parts:
        result["b_synthesis_vs_fit"] = synthesis_vs_fit(X, y, input_shape, args.device, candidate)
        print("b.", json.dumps(result["b_synthesis_vs_fit"]), flush=True)
    if "c" in parts:
        result["c_peak_memory"] = peak_memory(X, y, input_shape)
        print("c.", json.dumps(result["c_peak_memory"]), flush=True)
    if "d" in parts and args.device == "cpu":
        result["d_scaling"] = scaling(synthesizer)
        print("d.", json.dumps(result["d_scaling"]), flush=True)
    with open(args.output, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
