"""``skstim demo``: the whole method on the embedded simulated data set."""

import time
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import GroupShuffleSplit
from tqdm.auto import tqdm

from ._synthesizer import StimulusSynthesizer
from .datasets import make_sleep_apnea
from .evaluation import evaluate_utility, student_families
from .nets import make_teacher


@dataclass(frozen=True)
class DemoConfig:
    """Sizes of one demo run."""

    n_subjects: int
    n_windows: int
    teacher_epochs: int
    n_iter: int
    families: tuple


QUICK = DemoConfig(n_subjects=20, n_windows=60, teacher_epochs=15, n_iter=60,
                   families=("teacher architecture", "mlp", "random forest", "logistic regression"))
FULL = DemoConfig(n_subjects=40, n_windows=80, teacher_epochs=25, n_iter=200,
                  families=("teacher architecture", "mlp", "gru", "random forest",
                            "gradient boosting", "k-nn", "rbf svm", "logistic regression"))


def run_demo(quick=False, random_state=0, device="cpu", progress=True):
    """Fit a teacher on simulated recordings, synthesize stimuli, compare students.

    Subjects are split 75/25 into training and held-out subjects (no subject on both
    sides). Every student family is trained once on the real training windows and once
    on the stimuli, and both are scored on the held-out subjects.

    Parameters
    ----------
    quick : bool, default=False
        Smaller data set, fewer epochs and steps, four student families.
    random_state : int, default=0
        Seed of the data, the split, the teacher, the synthesis and the students.
    device : str, default="cpu"
        Torch device.
    progress : bool, default=True
        Show a progress bar.

    Returns
    -------
    result : dict
        ``rows`` (see :func:`skstim.evaluation.evaluate_utility`), ``teacher_accuracy``,
        ``majority_accuracy``, ``n_train``, ``n_test``, ``n_stimuli``, ``seconds``.
    """
    config = QUICK if quick else FULL
    start = time.perf_counter()
    data = make_sleep_apnea(config.n_subjects, config.n_windows, random_state=random_state)
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=random_state)
                       .split(data.X, data.y, data.groups))
    X_train, y_train, X_test, y_test = data.X[train], data.y[train], data.X[test], data.y[test]

    students = student_families(data.input_shape, families=list(config.families),
                                max_epochs=config.teacher_epochs, device=device,
                                random_state=random_state)
    with tqdm(total=2 + 2 * len(students), desc="skstim demo", disable=not progress) as bar:
        bar.set_postfix_str("teacher")
        synthesizer = StimulusSynthesizer(
            make_teacher(max_epochs=config.teacher_epochs, device=device),
            input_shape=data.input_shape, n_iter=config.n_iter, device=device,
            random_state=random_state,
        ).fit(X_train, y_train)
        bar.update()
        bar.set_postfix_str("stimuli")
        X_stimuli, _, proba = synthesizer.sample(len(X_train), return_proba=True)
        bar.update()
        bar.set_postfix_str("students")
        rows = evaluate_utility(students, X_train, y_train, X_stimuli, proba,
                                synthesizer.classes_, X_test, y_test, callback=bar.update)
    majority = np.mean(y_test == np.bincount(y_train).argmax())
    return {
        "rows": rows,
        "teacher_accuracy": float(np.mean(synthesizer.teacher_.predict(X_test) == y_test)),
        "majority_accuracy": float(majority),
        "n_train": len(X_train),
        "n_test": len(X_test),
        "n_subjects": (len(np.unique(data.groups[train])), len(np.unique(data.groups[test]))),
        "n_stimuli": len(X_stimuli),
        "seconds": time.perf_counter() - start,
    }


def format_table(result):
    """The demo's result as a plain-text table."""
    lines = [
        f"Simulated sleep-apnea windows: {result['n_train']} training windows "
        f"({result['n_subjects'][0]} subjects), {result['n_test']} held-out windows "
        f"({result['n_subjects'][1]} other subjects), {result['n_stimuli']} stimuli.",
        f"Teacher accuracy on held-out subjects: {result['teacher_accuracy']:.3f}; "
        f"always answering the majority class: {result['majority_accuracy']:.3f}.",
        "",
        f"{'student':<22}{'acc real':>10}{'acc stim':>10}{'gap':>8}"
        f"{'kappa real':>12}{'kappa stim':>12}{'gap':>8}",
    ]
    for row in result["rows"]:
        lines.append(
            f"{row['family']:<22}{row['real_accuracy']:>10.3f}{row['stimuli_accuracy']:>10.3f}"
            f"{row['gap_accuracy']:>+8.3f}{row['real_kappa']:>12.3f}{row['stimuli_kappa']:>12.3f}"
            f"{row['gap_kappa']:>+8.3f}"
        )
    lines.append("")
    lines.append(f"Wall time: {result['seconds']:.1f} s")
    return "\n".join(lines)
