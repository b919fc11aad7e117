"""Why the classic learners lose on stimuli: one fold of the quick Apnea-ECG benchmark.

Fits the teacher of one fold (fold 1 by default, where the forest, boosting and the SVM
fall furthest), synthesizes the default stimuli under four person weightings of the
class aggregates and one candidate fix (a share cap of 4 with the start's rest shaped by
the class spectrum), and prints one table row for each:

- the share of stimuli the teacher labels apnea against the share synthesized for apnea
  (the class prior) and against the real share;
- how many of the stimuli synthesized for apnea the teacher ends up calling apnea;
- how far the highest-frequency band power of those stimuli lies from the real apnea
  windows' (standard deviations of the real windows; ``summary_features``);
- a random forest trained on the stimuli and scored on the fold's held-out people, with
  the teacher's labels (what a student gets) and with labels matched to the class prior
  (the stimuli ranked by the teacher's apnea probability, the top prior share called
  apnea), which separates the class balance from the content of the stimuli.

Commands (each about 20 minutes on one core)::

    python benchmarks/tree_diagnosis.py
    python benchmarks/tree_diagnosis.py --representation 4min-2hz
"""

import argparse
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupKFold

from _common import DEFAULT_DATA
from skstim import StimulusSynthesizer, make_teacher
from skstim.evaluation import summary_features
from utility import DEFAULT_REPRESENTATION, MODES, REPRESENTATIONS, load

# (name, synthesizer parameters, whether fit sees the person of each row)
WEIGHTINGS = [("each person the same (default)", {}, True),
              ("no person above twice the equal share", dict(max_person_share=2.0), True),
              ("each row the same, people floors and rank bound kept",
               dict(max_person_share=None), True),
              ("each row the same, no groups (no people floors, rank 64)", {}, False),
              ("no person above 4 times the equal share, rest shaped by the class spectrum",
               dict(max_person_share=4.0, init_rest="spectrum"), True)]


class _TargetRecorder(StimulusSynthesizer):
    """The default synthesizer, keeping the class each stimulus was synthesized for."""

    def _synthesize(self, targets, seed, callback, **competition):
        self.targets_ = targets
        return super()._synthesize(targets, seed, callback, **competition)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--representation", choices=sorted(REPRESENTATIONS),
                        default=DEFAULT_REPRESENTATION)
    parser.add_argument("--fold", type=int, default=1)
    args = parser.parse_args(argv)
    fold, quick = args.fold, MODES["quick"]
    X, y, groups, _, shape = load("quick", DEFAULT_DATA, args.representation)
    train, test = list(GroupKFold(quick["n_splits"]).split(X, y, groups))[fold]
    base = StimulusSynthesizer(make_teacher(max_epochs=quick["teacher_epochs"]),
                               input_shape=shape, random_state=fold).fit(X[train], y[train])

    def forest(X_fit, y_fit):
        model = RandomForestClassifier(random_state=fold, n_jobs=1).fit(X_fit, y_fit)
        return np.mean(model.predict(X[test]) == y[test])

    real_apnea = summary_features(X[train][y[train] == 1], shape)
    band = real_apnea.shape[1] - 1  # the last column: the highest band
    print(f"{args.representation}, quick fold {fold}: teacher {np.mean(base.teacher_.predict(X[test]) == y[test]):.3f}, "
          f"real apnea share {np.mean(y[train] == 1):.2f}, random forest on real windows "
          f"{forest(X[train], y[train]):.3f}\n")
    print("| class aggregates | apnea share (synthesized for) | apnea stimuli the teacher "
          "calls apnea | highest band, apnea stimuli | forest, teacher's labels | forest, "
          "prior-matched labels | seconds |\n|---|---|---|---|---|---|---|", flush=True)
    for name, params, with_groups in WEIGHTINGS:
        start = time.perf_counter()
        synthesizer = _TargetRecorder(
            FrozenEstimator(base.teacher_), input_shape=shape, random_state=fold,
            stimuli_per_sample=4.0, n_iter=20, **params).fit(
                X[train], y[train], groups=groups[train] if with_groups else None)
        X_s, y_s, proba = synthesizer.sample(synthesizer.n_stimuli_, return_proba=True)
        for_apnea = synthesizer.targets_ == 1
        shift = ((summary_features(X_s[for_apnea], shape)[:, band].mean()
                  - real_apnea[:, band].mean()) / real_apnea[:, band].std())
        ranked = proba[:, 1] > np.quantile(proba[:, 1], 1 - synthesizer.class_prior_[1])
        print(f"| {name} | {np.mean(y_s == 1):.2f} ({np.mean(for_apnea):.2f}) | "
              f"{np.mean(y_s[for_apnea] == 1):.2f} | {shift:+.1f} sd | {forest(X_s, y_s):.3f} | "
              f"{forest(X_s, synthesizer.classes_[ranked.astype(int)]):.3f} | "
              f"{time.perf_counter() - start:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
