"""Why the classic learners lose on stimuli: one fold of the quick Apnea-ECG benchmark.

Fits the teacher of fold 1 (the fold where the forest, boosting and the SVM fall furthest),
synthesizes the default stimuli under three person weightings (each person the same, the
default; each row the same, as without ``groups``; no person above twice the equal share),
and prints for each: the share of stimuli the teacher labels apnea against the real share,
how far the apnea stimuli's highest-frequency band power lies from the real apnea windows'
(in standard deviations of the real windows; ``summary_features``), and the accuracy of a
random forest trained on the stimuli and scored on the fold's held-out people::

    python benchmarks/tree_diagnosis.py      # about 15 minutes on one core
"""

import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupKFold

from _common import DEFAULT_DATA
from skstim import StimulusSynthesizer, make_teacher
from skstim.evaluation import summary_features
from utility import MODES, load

FOLD = 1
WEIGHTINGS = [("each person the same (default)", {}, True),
              ("each row the same (no groups)", {}, False),
              ("no person above twice the equal share", dict(max_person_share=2.0), True)]


def main():
    X, y, groups, _, shape = load("quick", DEFAULT_DATA)
    train, test = list(GroupKFold(MODES["quick"]["n_splits"]).split(X, y, groups))[FOLD]
    teacher = StimulusSynthesizer(make_teacher(max_epochs=MODES["quick"]["teacher_epochs"]),
                                  input_shape=shape, random_state=FOLD).fit(X[train], y[train])
    real = summary_features(X[train], shape)
    band = summary_features(X[:1], shape).shape[1] - 1  # the last column: the highest band
    real_apnea = real[y[train] == 1]
    for name, params, with_groups in WEIGHTINGS:
        start = time.perf_counter()
        synthesizer = StimulusSynthesizer(
            FrozenEstimator(teacher.teacher_), input_shape=shape, random_state=FOLD,
            stimuli_per_sample=4.0, n_iter=20, **params).fit(
                X[train], y[train], groups=groups[train] if with_groups else None)
        X_s, y_s = synthesizer.sample(synthesizer.n_stimuli_)
        shift = ((summary_features(X_s[y_s == 1], shape)[:, band].mean()
                  - real_apnea[:, band].mean()) / real_apnea[:, band].std())
        forest = RandomForestClassifier(random_state=FOLD, n_jobs=1).fit(X_s, y_s)
        print(f"{name}: apnea share {np.mean(y_s == 1):.2f} (real {np.mean(y[train] == 1):.2f}); "
              f"highest band of apnea stimuli {shift:+.1f} sd; random forest on stimuli "
              f"{np.mean(forest.predict(X[test]) == y[test]):.3f} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    forest = RandomForestClassifier(random_state=FOLD, n_jobs=1).fit(X[train], y[train])
    print(f"random forest on real windows: {np.mean(forest.predict(X[test]) == y[test]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
