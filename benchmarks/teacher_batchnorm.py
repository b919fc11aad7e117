"""The full protocol's teachers with their BatchNorm statistics as trained and precise.

For each fold of the full utility protocol (``GroupKFold`` by person over every labelled
Apnea-ECG minute), the teacher is fitted as ``benchmarks/utility.py --mode full`` fits it
with the BatchNorm statistics as trained (``make_teacher(precise_batchnorm=False)``),
then a copy gets the statistics of all its training windows
(:class:`skstim.nets.PreciseBatchNorm`, the same weights). Both are scored on the
held-out people: accuracy, and the mean probability of apnea against the true share.
With ``--cache`` (the teachers' cache of ``utility.py --teacher-as-trained``) the
teachers are loaded, not refitted.

Command::

    python benchmarks/teacher_batchnorm.py --representation 4min-2hz --cache DIR \\
        --output benchmarks/results/teacher_batchnorm.jsonl
"""

import argparse
import copy
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from _common import DEFAULT_DATA, append_record, done_keys, machine_description
from skstim import StimulusSynthesizer, make_teacher
from skstim.nets import PreciseBatchNorm
from utility import MODES, REPRESENTATIONS, load


def _scores(teacher, X, y):
    return dict(accuracy=float(np.mean(teacher.predict(X) == y)),
                mean_apnea_probability=float(teacher.predict_proba(X)[:, 1].mean()))


def run(representation, data_home, output, cache=None):
    config = MODES["full"]
    X, y, groups, _, input_shape = load("full", data_home, representation)
    done = done_keys(output, ("representation", "fold"))
    folds = GroupKFold(n_splits=config["n_splits"]).split(X, y, groups)
    for fold, (train, test) in enumerate(folds):
        if (representation, fold) in done:
            continue
        teacher = make_teacher(max_epochs=config["teacher_epochs"], precise_batchnorm=False)
        base = StimulusSynthesizer(teacher, input_shape=input_shape, random_state=fold,
                                   memory=None if cache is None else str(cache / "teachers"))
        base.fit(X[train], y[train])
        precise = copy.deepcopy(base.teacher_)
        PreciseBatchNorm().on_train_end(precise, X=X[train].astype(np.float32))
        record = dict(representation=representation, fold=fold, n_train=len(train),
                      n_test=len(test), apnea_share=float(y[test].mean()),
                      as_trained=_scores(base.teacher_, X[test], y[test]),
                      precise=_scores(precise, X[test], y[test]),
                      machine=machine_description())
        append_record(output, record)
        print(f"{representation} fold {fold}: as trained {record['as_trained']['accuracy']:.3f}, "
              f"precise {record['precise']['accuracy']:.3f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--representation", choices=sorted(REPRESENTATIONS), default="5min-1hz")
    parser.add_argument("--data-home", default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=None, metavar="DIR")
    parser.add_argument("--output", type=Path,
                        default=Path(__file__).parent / "results" / "teacher_batchnorm.jsonl")
    args = parser.parse_args(argv)
    run(args.representation, args.data_home, args.output, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
