"""How unequal are real windows, and do stimuli keep it? Apnea-ECG, first quick fold.

Prints, per class, quantiles of each window's spread around its own mean, and the
kurtosis of the values, for the real training windows and for stimuli from the
class-Gaussian and the class scale-mixture starts (20 steps, one per window).

Usage::

    python benchmarks/window_amplitudes.py
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupKFold

from _common import DEFAULT_DATA
from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import fetch_apnea_ecg

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def describe(name, X, y):
    for label in np.unique(y):
        windows = X[y == label]
        spread = np.quantile(windows.std(axis=1), QUANTILES)
        print(f"{name:34s} class {label}: window spread at {QUANTILES}: "
              f"{np.round(spread, 2).tolist()}, kurtosis {stats.kurtosis(windows.ravel()):.1f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    data = fetch_apnea_ecg(data_home=args.data_home)
    keep = data.minute % 4 == 0
    X, y, groups = data.X[keep], data.y[keep], data.groups[keep]
    train, _ = next(GroupKFold(n_splits=3).split(X, y, groups))
    X, y = X[train], y[train]
    teacher = StimulusSynthesizer(make_teacher(max_epochs=15), input_shape=data.input_shape,
                                  random_state=0).fit(X, y).teacher_
    describe("real training windows", X, y)
    for init in ("class_gaussian", "class_scale_mixture"):
        synthesizer = StimulusSynthesizer(FrozenEstimator(teacher), input_shape=data.input_shape,
                                          init=init, stimuli_per_sample=1.0, random_state=0)
        describe(f"stimuli, init={init}", *synthesizer.fit_resample(X, y))
    return 0


if __name__ == "__main__":
    sys.exit(main())
