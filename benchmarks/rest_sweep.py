"""How the start's rest moves the forest and the MLP: one fold of the quick Apnea-ECG benchmark.

The tree candidate (no person above 4 times the equal share, ``init_rest="spectrum"``)
gives the forest back its level on 4-minute windows at 2 Hz but leaves some MLP seeds
far off on 5-minute fold 2. This sweeps ``init_rest`` from white (0) to the class
spectrum (1) with the share cap of 4 kept: for each value it fits the stimuli from the
fold's teacher (cached) and prints the share the teacher labels apnea, a random forest
(200 trees, as in ``utility.py``) and the MLP of ``utility.py`` with several seeds
(8 epochs, the quick mode's), each with the share of the held-out minutes it calls
apnea, all scored on the fold's held-out people (subject-disjoint ``GroupKFold``).

Commands (each value about 3 to 7 minutes on one core)::

    python benchmarks/rest_sweep.py --representation 5min-1hz --fold 2 --rest 0,0.5,0.75,1
    python benchmarks/rest_sweep.py --representation 4min-2hz --fold 1 --rest 0,0.5,0.75,1
"""

import argparse
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupKFold

from _common import DEFAULT_DATA, ROOT
from skstim import StimulusSynthesizer, make_teacher
from skstim.evaluation import student_families
from skstim.utils import fit_on_stimuli, predict_labels
from utility import DEFAULT_REPRESENTATION, MODES, REPRESENTATIONS, load


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--representation", choices=sorted(REPRESENTATIONS),
                        default=DEFAULT_REPRESENTATION)
    parser.add_argument("--fold", type=int, default=2)
    parser.add_argument("--rest", default="0,0.5,0.75,1",
                        help="comma-separated init_rest values in [0, 1]")
    parser.add_argument("--mlp-seeds", type=int, default=5)
    args = parser.parse_args(argv)
    config = MODES["quick"]
    X, y, groups, _, shape = load("quick", DEFAULT_DATA, args.representation)
    train, test = list(GroupKFold(n_splits=config["n_splits"]).split(X, y, groups))[args.fold]
    base = StimulusSynthesizer(make_teacher(max_epochs=config["teacher_epochs"]),
                               input_shape=shape, random_state=args.fold,
                               memory=str(ROOT / "benchmarks" / ".cache" / "teachers"))
    base.fit(X[train], y[train])
    print(f"{args.representation}, quick fold {args.fold}: teacher "
          f"{np.mean(base.teacher_.predict(X[test]) == y[test]):.3f}, apnea share of the "
          f"held-out minutes {np.mean(y[test] == 1):.3f}", flush=True)
    for rest in (float(value) for value in args.rest.split(",")):
        start = time.perf_counter()
        synthesizer = StimulusSynthesizer(
            FrozenEstimator(base.teacher_), input_shape=shape, random_state=args.fold,
            stimuli_per_sample=4.0, n_iter=20, max_person_share=4.0, init_rest=rest,
        ).fit(X[train], y[train], groups=groups[train])
        X_s, y_s, proba = synthesizer.sample(synthesizer.n_stimuli_, return_proba=True)
        forest = fit_on_stimuli(RandomForestClassifier(n_estimators=200, min_samples_leaf=2,
                                                       random_state=args.fold),
                                X_s, proba, synthesizer.classes_)
        line = (f"init_rest={rest:g}: apnea share {np.mean(y_s == 1):.3f}; forest "
                f"{np.mean(forest.predict(X[test]) == y[test]):.3f}; MLP by seed (share called "
                f"apnea):")
        accuracies = []
        for seed in range(args.mlp_seeds):
            mlp = student_families(shape, families=["mlp"], max_epochs=config["student_epochs"],
                                   random_state=args.fold + 100 * seed)["mlp"]
            fitted = fit_on_stimuli(mlp, X_s, proba, synthesizer.classes_)
            predicted = predict_labels(fitted, X[test], synthesizer.classes_)
            accuracies.append(np.mean(predicted == y[test]))
            line += f" {accuracies[-1]:.3f} ({np.mean(predicted == 1):.2f})"
        print(f"{line}; mean {np.mean(accuracies):.3f} ({time.perf_counter() - start:.0f} s)",
              flush=True)


if __name__ == "__main__":
    main()
