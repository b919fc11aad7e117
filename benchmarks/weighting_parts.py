"""Which person-weighted aggregate costs the classic learners: one quick Apnea-ECG fold.

The default synthesis weighs each person the same in every class aggregate it takes
from the private rows: the start's (class mean, amplitude law, principal directions)
and the BatchNorm prior's class statistics. On the folds where the forest, boosting
and the SVM fall furthest, weighing rows instead gives them back most of their level
(``docs/benchmarks/utility.md``, "Why the classic learners lose"). This script weighs
rows in one part at a time, caps every person's share instead, or makes half of the
stimuli each way, and scores the students of ``student_families`` on the fold's
held-out people (the MLP and the teacher's architecture the mean of 3 seeds): which
part of the weighting the trees need, and what it costs the networks.

Results are appended to ``--output`` (one line per source and family) and resume from
it. Commands (about 6 minutes a variant on one core)::

    python benchmarks/weighting_parts.py --output weighting_parts.jsonl
    python benchmarks/weighting_parts.py --variants rows,start-rows --output ...
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupKFold

from _common import DEFAULT_DATA, append_record, done_keys, machine_description
from skstim import StimulusSynthesizer, make_teacher
from skstim.evaluation import score_real, score_synthetic, student_families
from skstim.synthesis import class_support
from skstim.synthesis.initializers import (
    ClassGaussian,
    ClassScaleMixture,
    _amplitude_law,
    _rest_form,
)
from utility import DEFAULT_REPRESENTATION, MODES, REPRESENTATIONS, _over_seeds, load

FAMILIES = ["random forest", "gradient boosting", "rbf svm", "mlp", "teacher architecture"]
NETWORKS = {"mlp", "teacher architecture"}
EQUAL, ROWS = 1.0, None  # max_person_share: each person the same / each row the same

# key: (description, parts); a part is (stimuli per window, BN prior's share,
# the start's (mean, amplitude law, directions) shares or one share for all three)
VARIANTS = {
    "default": ("each person the same everywhere (default)", [(4.0, EQUAL, EQUAL)]),
    "rows": ("each row the same everywhere", [(4.0, ROWS, ROWS)]),
    "start-rows": ("start by rows, BN prior by person", [(4.0, EQUAL, ROWS)]),
    "bn-rows": ("start by person, BN prior by rows", [(4.0, ROWS, EQUAL)]),
    "mean-rows": ("start's mean by rows, the rest by person", [(4.0, EQUAL, (ROWS, EQUAL, EQUAL))]),
    "mean-amplitude-rows": ("start's mean and amplitude law by rows, the rest by person",
                            [(4.0, EQUAL, (ROWS, ROWS, EQUAL))]),
    "directions-rows": ("start's directions by rows, the rest by person",
                        [(4.0, EQUAL, (EQUAL, EQUAL, ROWS))]),
    "cap-2": ("no person above twice the equal share, everywhere", [(4.0, 2.0, 2.0)]),
    "cap-4": ("no person above 4 times the equal share, everywhere", [(4.0, 4.0, 4.0)]),
    "half-rows": ("half the stimuli by person, half by rows", [(2.0, EQUAL, EQUAL),
                                                              (2.0, ROWS, ROWS)]),
    "half-cap-2": ("half the stimuli by person, half capped at twice the equal share",
                   [(2.0, EQUAL, EQUAL), (2.0, 2.0, 2.0)]),
}


class _PartWeighted(StimulusSynthesizer):
    """The default synthesizer whose start weighs its mean, amplitude law and principal
    directions with their own person shares (``max_person_share`` sets the BN prior's)."""

    start_shares = (EQUAL, EQUAL, EQUAL)

    def _fit_data_statistics(self, X32, y_encoded, groups):
        super()._fit_data_statistics(X32, y_encoded, groups)
        n_classes = len(self.classes_)
        weights = [class_support(y_encoded, n_classes, groups, min_people=self.min_class_people,
                                 min_rows=self.min_class_rows, max_person_share=share, warn=False)
                   for share in self.start_shares]
        if not weights[0].supported.all():
            raise ValueError("every class needs its own start (above the floors) here")
        X_t = torch.as_tensor(X32).view(len(X32), *self.input_shape_)
        z = (X_t - torch.as_tensor(self.loc_)) / torch.as_tensor(self.scale_)
        self.init_ = _scale_mixture(z, torch.as_tensor(y_encoded.astype(np.int64)), n_classes,
                                    self.init_rank, [w.class_weights for w in weights],
                                    weights[2].n_people)


def _scale_mixture(X, targets, n_classes, rank, weights, n_people):
    """:meth:`ClassScaleMixture.fit` (white rest and steps) with one weighting each for
    the class mean, the amplitude law and the principal directions."""
    shape, exponent = _rest_form(X, "white")
    X = X.flatten(1)
    fits = []
    for c in range(n_classes):
        rows = targets == c
        w_mean, w_amplitude, w_directions = (w[rows] for w in weights)
        mean = w_mean @ X[rows]
        amplitude, log_mean, log_std = _amplitude_law(X[rows] - mean, w_amplitude,
                                                      int(n_people[c]))
        scaled = (X[rows] - mean) / amplitude[:, None]
        # keeps `mean` as the directions' weighted mean
        normalized = mean + scaled - w_directions @ scaled
        mean, factor, noise, _ = ClassGaussian._fit_one(normalized, w_directions,
                                                        int(n_people[c]), rank, shape, exponent)
        fits.append((mean, factor, noise, log_mean, log_std))
    return ClassScaleMixture(*(torch.stack(t) for t in zip(*fits)))


def _stimuli(teacher, parts, shape, fold, X, y, groups):
    """Stimuli and the teacher's probabilities, each part with its own synthesizer."""
    sets = []
    for i, (per_window, bn_share, start) in enumerate(parts):
        # one share for everything: the package's own synthesizer
        split = isinstance(start, tuple) or start != bn_share
        synthesizer = (_PartWeighted if split else StimulusSynthesizer)(
            FrozenEstimator(teacher), input_shape=shape, random_state=fold + 1000 * i,
            stimuli_per_sample=per_window, n_iter=20, max_person_share=bn_share)
        if split:
            synthesizer.start_shares = start if isinstance(start, tuple) else (start,) * 3
        synthesizer.fit(X, y, groups=groups)
        X_s, _, proba = synthesizer.sample(synthesizer.n_stimuli_, return_proba=True)
        sets.append((X_s, proba))
    return (np.concatenate([s[0] for s in sets]), np.concatenate([s[1] for s in sets]),
            synthesizer.classes_)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--representation", choices=sorted(REPRESENTATIONS),
                        default=DEFAULT_REPRESENTATION)
    parser.add_argument("--fold", type=int, default=1)
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, of {', '.join(VARIANTS)}")
    parser.add_argument("--seeds", type=int, default=3, help="seeds of the networks")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    keys = [k for k in args.variants.split(",") if k]
    unknown = sorted(set(keys) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown --variants {unknown}; choose from {sorted(VARIANTS)}")
    fold, quick = args.fold, MODES["quick"]
    X, y, groups, nights, shape = load("quick", DEFAULT_DATA, args.representation)
    train, test = list(GroupKFold(quick["n_splits"]).split(X, y, groups))[fold]
    diagnosis = dict(recording=nights[test], minutes_per_row=quick["every"])
    teacher = StimulusSynthesizer(make_teacher(max_epochs=quick["teacher_epochs"]),
                                  input_shape=shape, random_state=fold).fit(X[train], y[train])
    seeded = [student_families(shape, families=FAMILIES, max_epochs=quick["student_epochs"],
                               random_state=fold + 100 * s) for s in range(args.seeds)]

    def students(family):
        return [one[family] for one in seeded] if family in NETWORKS else [seeded[0][family]]

    done = done_keys(args.output, ("source", "family"))
    common = dict(fold=fold, representation=args.representation, n_train=len(train),
                  n_test=len(test), machine=machine_description())
    for family in FAMILIES:
        if ("real", family) not in done:
            runs = [score_real(s, X[train], y[train], X[test], y[test], **diagnosis)
                    for s in students(family)]
            append_record(args.output, dict(common, source="real", family=family,
                                            **_over_seeds(runs)))
    for key in keys:
        name, parts = VARIANTS[key]
        if all((name, f) in done for f in FAMILIES):
            continue
        start = time.perf_counter()
        X_s, proba, classes = _stimuli(teacher.teacher_, parts, shape, fold, X[train], y[train],
                                       groups[train])
        seconds = time.perf_counter() - start
        for family in FAMILIES:
            if (name, family) in done:
                continue
            runs = [score_synthetic(s, X_s, proba, classes, X[test], y[test], **diagnosis)
                    for s in students(family)]
            append_record(args.output, dict(common, source=name, family=family,
                                            make_seconds=seconds, **_over_seeds(runs)))
    records = [json.loads(line) for line in args.output.open()]
    accuracy = {(r["source"], r["family"]): r["accuracy"] for r in records}
    print("| stimuli | " + " | ".join(FAMILIES) + " |\n|---|" + "---|" * len(FAMILIES))
    for name in ["real"] + [VARIANTS[k][0] for k in keys]:
        print(f"| {name} | " + " | ".join(f"{accuracy[name, f]:.3f}" for f in FAMILIES) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
