"""Does a subject-adversarial teacher carry less identity? A probe on its activations.

A teacher is fitted on the first half of each person's windows, with or without a
subject head behind gradient reversal (``make_network(..., subject_reversal=w)``).
Its activation features (time means of the inputs of the BatchNorm layers past the
input one: what the class statistics of the synthesis prior are taken from) are then
read on both halves; a fresh logistic regression, fitted on the first half's features
with the subject ids, names the person of each window of the second half. Subject
accuracy of that probe (chance: 1 / people) against the teacher's class accuracy on the
second half, per reversal weight and seed.

Usage::

    python benchmarks/subject_invariance.py            # simulated, 8 people, 3 seeds
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from _common import ROOT, append_record, done_keys, machine_description
from skstim import make_teacher
from skstim.datasets import make_sleep_apnea
from skstim.synthesis import TimeMeans, batchnorm_layers

WEIGHTS = (None, 0.1, 0.3, 1.0)


def activation_features(net, X):
    """Time means of the inputs of the teacher's BatchNorm layers past the input one."""
    captured = {}
    layers = batchnorm_layers(net.module_)[1:]
    handles = [layer.register_forward_hook(TimeMeans(captured, i)) for i, layer in enumerate(layers)]
    net.module_.eval()
    try:
        with torch.inference_mode():
            net.module_(torch.as_tensor(X, dtype=torch.float32))
    finally:
        for handle in handles:
            handle.remove()
    return torch.cat([captured[i] for i in range(len(layers))], dim=1).numpy()


def run(output, n_people, n_windows, seeds, epochs):
    done = done_keys(output, ("seed", "subject_reversal"))
    for seed in seeds:
        data = make_sleep_apnea(n_people, n_windows, sampling_rate=1.0, random_state=seed)
        first = np.tile(np.arange(n_windows) < n_windows // 2, n_people)
        for weight in WEIGHTS:
            if (seed, weight) in done:
                continue
            net = make_teacher(data.input_shape, max_epochs=epochs, random_state=seed,
                               subject_reversal=weight)
            fit_args = {} if weight is None else {"groups": data.groups[first]}
            net.fit(data.X[first], data.y[first], **fit_args)
            probe = LogisticRegression(max_iter=2000).fit(
                activation_features(net, data.X[first]), data.groups[first])
            record = dict(
                seed=seed, subject_reversal=weight, n_people=n_people, n_windows=n_windows,
                probe_subject_accuracy=float(probe.score(
                    activation_features(net, data.X[~first]), data.groups[~first])),
                chance=1 / n_people,
                teacher_class_accuracy=float(np.mean(net.predict(data.X[~first])
                                                     == data.y[~first])),
                machine=machine_description())
            append_record(output, record)
            print(f"seed {seed}, reversal {weight}: probe names the person of "
                  f"{record['probe_subject_accuracy']:.3f} of the held-out windows; teacher "
                  f"class accuracy {record['teacher_class_accuracy']:.3f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--windows", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--output", type=Path,
                        default=ROOT / "benchmarks" / "results" / "subject_invariance.jsonl")
    args = parser.parse_args(argv)
    run(args.output, args.people, args.windows, range(args.seeds), args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
