"""The demo's utility table over several data seeds: simulated recordings, subject-disjoint.

``skstim demo --quick`` shows one draw of the simulated data (seed 0). This repeats its
split and students over ``--seeds`` draws: each seed makes its own simulated study (40
people, two nights of 30 windows), a 75/25 split by person, the private set the first
night of the training people; a teacher is fitted, the stimuli of each synthesis
setting are made from it, and each student family of the quick demo is trained on the
private windows and on the stimuli and scored on the held-out people's first night.
Prints, per seed and setting, the share of stimuli the teacher labels apnea and each
family's gap (stimuli minus real, accuracy), then the mean gap over seeds.

Commands::

    python benchmarks/demo_seeds.py --seeds 4
    python benchmarks/demo_seeds.py --seeds 4 --synthesis max_person_share=4.0 \\
        --synthesis init_rest=0.5
    python benchmarks/demo_seeds.py --seeds 4 --soft-labels auto,expand
    python benchmarks/demo_seeds.py --seeds 4 --teacher-as-trained   # the teacher before
    python benchmarks/demo_seeds.py --seeds 4 --first-seed 4   # seeds 4-7
    python benchmarks/demo_seeds.py --seeds 4 --first-seed 100 --sampling-rate 1 \\
        --window-seconds 120 --noise 0.3                      # another representation

``--soft-labels`` scores the scikit-learn students of each setting once per way of
passing the teacher's labels (:func:`skstim.utils.fit_on_stimuli`); the networks learn
the soft labels in every one, so they are scored once.
"""

import argparse

import numpy as np
from sklearn.frozen import FrozenEstimator
from skorch import NeuralNet

from _common import parse_parameter
from skstim import StimulusSynthesizer, make_teacher
from skstim.cli._demo import QUICK, demo_split
from skstim.evaluation import score_real, score_synthetic, student_families


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="number of data seeds")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="the first data seed (default 0): seeds FIRST .. FIRST+N-1")
    parser.add_argument("--synthesis", action="append", default=[], metavar="NAME=VALUE",
                        help="a synthesis parameter of the second setting (repeatable); the "
                             "first setting is always the default")
    parser.add_argument("--sampling-rate", type=float, default=None,
                        help="samples per second of the simulated windows (default: the demo's)")
    parser.add_argument("--window-seconds", type=float, default=None,
                        help="length of a simulated window (default: the demo's)")
    parser.add_argument("--noise", type=float, default=None,
                        help="simulated measurement noise (default: the demo's)")
    parser.add_argument("--teacher-as-trained", action="store_true",
                        help="leave the teacher's BatchNorm statistics as trained "
                             "(make_teacher(precise_batchnorm=False)), as before 2026-12-07")
    parser.add_argument("--soft-labels", default="auto", metavar="MODE,MODE",
                        help="ways the scikit-learn students take the labels (default auto)")
    args = parser.parse_args(argv)
    settings = {"default": {}}
    if args.synthesis:
        synthesis = dict(parse_parameter(text, parser) for text in args.synthesis)
        settings[", ".join(f"{k}={v}" for k, v in synthesis.items())] = synthesis
    simulation = {name: value for name, value in (("sampling_rate", args.sampling_rate),
                                                  ("window_seconds", args.window_seconds),
                                                  ("noise", args.noise)) if value is not None}
    modes = args.soft_labels.split(",")
    gaps = {f"{name}, {mode}" if len(modes) > 1 else name: []
            for name in settings for mode in modes}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        data, train, test, _ = demo_split(QUICK, seed, **simulation)
        X_train, y_train = data.X[train], data.y[train]
        X_test, y_test = data.X[test], data.y[test]
        common = dict(input_shape=data.input_shape, n_iter=QUICK.n_iter, random_state=seed)
        teacher = make_teacher(max_epochs=QUICK.teacher_epochs,
                               precise_batchnorm=not args.teacher_as_trained)
        base = StimulusSynthesizer(teacher, **common)
        base.fit(X_train, y_train, groups=data.groups[train])
        students = student_families(data.input_shape, families=list(QUICK.families),
                                    max_epochs=QUICK.teacher_epochs, random_state=seed)
        real = {f: score_real(s, X_train, y_train, X_test, y_test)["accuracy"]
                for f, s in students.items()}
        print(f"seed {seed}: real " + ", ".join(f"{f} {a:.3f}" for f, a in real.items()),
              flush=True)
        for name, params in settings.items():
            synthesizer = StimulusSynthesizer(FrozenEstimator(base.teacher_), **common, **params)
            synthesizer.fit(X_train, y_train, groups=data.groups[train])
            X_s, y_s, proba = synthesizer.sample(synthesizer.n_stimuli_, return_proba=True)
            gap = {}
            for mode in modes:
                gap = {f: gap[f] if f in gap and isinstance(s, NeuralNet) else score_synthetic(
                    s, X_s, proba, synthesizer.classes_, X_test, y_test,
                    soft_labels=mode)["accuracy"] - real[f] for f, s in students.items()}
                key = f"{name}, {mode}" if len(modes) > 1 else name
                gaps[key].append(gap)
                print(f"  {key}: apnea share {np.mean(y_s == 1):.2f} (real "
                      f"{np.mean(y_train == 1):.2f}); " + ", ".join(f"{f} {g:+.3f}"
                                                                    for f, g in gap.items()),
                      flush=True)
    for name, runs in gaps.items():
        print(f"mean over {args.seeds} seeds, {name}: " + ", ".join(
            f"{f} {np.mean([r[f] for r in runs]):+.3f}" for f in runs[0]))


if __name__ == "__main__":
    main()
