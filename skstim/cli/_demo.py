"""``skstim demo``: the whole method on the embedded simulated data set."""

import time
from dataclasses import dataclass

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupShuffleSplit
from tqdm.auto import tqdm

from .. import IdentityInhibitor, StimulusSynthesizer
from ..datasets import make_sleep_apnea
from ..evaluation import (
    ATTACK_LABELS,
    evaluate_privacy,
    evaluate_utility,
    fit_attackers,
    noise_set,
    student_families,
    worst_case_attack,
)
from ..nets import make_network, make_teacher


@dataclass(frozen=True)
class DemoConfig:
    """Sizes of one demo run."""

    n_subjects: int
    n_windows: int
    teacher_epochs: int
    n_iter: int
    families: tuple
    inhibition_weight: float = 1.0


QUICK = DemoConfig(n_subjects=40, n_windows=30, teacher_epochs=15, n_iter=20,
                   families=("teacher architecture", "mlp", "random forest", "logistic regression"))
FULL = DemoConfig(n_subjects=40, n_windows=80, teacher_epochs=25, n_iter=20,
                  families=("teacher architecture", "mlp", "gru", "random forest",
                            "gradient boosting", "k-nn", "rbf svm", "logistic regression"))


def demo_split(config, random_state):
    """The demo's simulated study and its split by person: ``(data, train, test, second)``.

    ``config.n_subjects`` people, each recorded for two nights of ``config.n_windows``
    windows; 25 % of the people are held out; ``train`` and ``test`` index the first
    night of the training and the held-out people, ``second`` marks every second night
    (the attacker's).
    """
    data = make_sleep_apnea(config.n_subjects, 2 * config.n_windows, random_state=random_state)
    first_night = np.concatenate([np.arange(np.sum(data.groups == g)) < config.n_windows
                                  for g in np.unique(data.groups)])
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=random_state)
                       .split(data.X, data.y, data.groups))
    return data, train[first_night[train]], test[first_night[test]], ~first_night


def run_demo(quick=False, random_state=0, device="cpu", progress=True):
    """Fit a teacher on simulated recordings, synthesize stimuli, compare students and privacy.

    Every simulated person is recorded twice ("two nights" of ``n_windows`` windows).
    Subjects are split 75/25 into training and held-out subjects (no subject on both
    sides). The first night of the training subjects is the private set. Utility: every
    student family is trained once on the private windows and once on the stimuli, and
    both are scored on the held-out subjects' first night. Privacy: an attacker who
    holds everyone's second night tries to link released rows to the private
    participants and to tell members from held-out people; the real private windows
    (upper bound), stimuli, stimuli with identity inhibition and pure noise (floor) are
    measured the same way (:func:`skstim.evaluation.evaluate_privacy`).

    Parameters
    ----------
    quick : bool, default=False
        Smaller data set, fewer epochs, four student families.
    random_state : int, default=0
        Seed of the data, the split, the teacher, the synthesis and the students.
    device : str, default="cpu"
        Torch device.
    progress : bool, default=True
        Show a progress bar.

    Returns
    -------
    result : dict
        ``rows`` (see :func:`skstim.evaluation.evaluate_utility`), ``privacy`` (released
        set name to the figures of :func:`~skstim.evaluation.evaluate_privacy`, with
        ``worst_case`` from :func:`~skstim.evaluation.worst_case_attack` against the real
        windows),
        ``teacher_accuracy``, ``majority_accuracy``, ``n_train``, ``n_test``,
        ``n_stimuli``, ``inhibition_weight``, ``seconds``.
    """
    config = QUICK if quick else FULL
    start = time.perf_counter()
    data, train, test, second_night = demo_split(config, random_state)
    X_train, y_train, X_test, y_test = data.X[train], data.y[train], data.X[test], data.y[test]

    students = student_families(data.input_shape, families=list(config.families),
                                max_epochs=config.teacher_epochs, device=device,
                                random_state=random_state)
    released = ["real windows (upper bound)", "stimuli",
                f"stimuli, inhibition {config.inhibition_weight:g}", "noise (floor)"]
    with tqdm(total=3 + 2 * len(students) + len(released), desc="skstim demo",
              disable=not progress) as bar:
        bar.set_postfix_str("teacher")
        synthesizer = StimulusSynthesizer(
            make_teacher(max_epochs=config.teacher_epochs, device=device),
            input_shape=data.input_shape, n_iter=config.n_iter, device=device,
            random_state=random_state,
        ).fit(X_train, y_train, groups=data.groups[train])
        bar.update()
        bar.set_postfix_str("stimuli")
        n_stimuli = synthesizer.n_stimuli_
        X_stimuli, _, proba = synthesizer.sample(n_stimuli, return_proba=True)
        bar.update()
        bar.set_postfix_str("students")
        rows = evaluate_utility(students, X_train, y_train, X_stimuli, proba,
                                synthesizer.classes_, X_test, y_test,
                                groups_test=data.groups[test], random_state=random_state,
                                callback=bar.update)

        bar.set_postfix_str("inhibited stimuli")
        inhibitor = IdentityInhibitor(
            FrozenEstimator(synthesizer.teacher_),
            identity_model=make_network(max_epochs=config.teacher_epochs, device=device),
            inhibition_weight=config.inhibition_weight, input_shape=data.input_shape,
            n_iter=config.n_iter, device=device, random_state=random_state,
        ).fit(X_train, y_train, groups=data.groups[train])
        X_inhibited, _, proba_inhibited = inhibitor.sample(n_stimuli, return_proba=True)
        bar.update()
        classes = synthesizer.classes_
        X_noise, y_noise = noise_set(X_train, y_train, random_state=random_state)
        sets = dict(zip(released, [
            (X_train, np.eye(len(classes), dtype=np.float32)[np.searchsorted(classes, y_train)]),
            (X_stimuli, proba),
            (X_inhibited, proba_inhibited),
            (X_noise, np.eye(len(classes), dtype=np.float32)[np.searchsorted(classes, y_noise)]),
        ]))
        attacker = second_night
        attackers = fit_attackers(data.X[attacker], data.groups[attacker],
                                  input_shape=data.input_shape,
                                  sampling_rate=data.sampling_rate, random_state=random_state)
        privacy = {}
        for name, (X_released, labels) in sets.items():
            bar.set_postfix_str(f"privacy: {name}")
            privacy[name] = evaluate_privacy(
                X_released, labels, classes, X_private=X_train, y_private=y_train,
                groups_private=data.groups[train], X_attacker=data.X[attacker],
                groups_attacker=data.groups[attacker], X_outside=X_test, y_outside=y_test,
                groups_outside=data.groups[test], input_shape=data.input_shape,
                sampling_rate=data.sampling_rate, attackers=attackers,
                student=make_network(data.input_shape, max_epochs=config.teacher_epochs,
                                     device=device, random_state=random_state),
                random_state=random_state)
            bar.update()
    real = privacy[released[0]]
    for figures in privacy.values():
        figures["worst_case"] = worst_case_attack(figures, real)
    majority = np.mean(y_test == np.bincount(y_train).argmax())
    return {
        "rows": rows,
        "privacy": privacy,
        "teacher_accuracy": float(np.mean(synthesizer.teacher_.predict(X_test) == y_test)),
        "majority_accuracy": float(majority),
        "n_train": len(X_train),
        "n_test": len(X_test),
        "n_subjects": (len(np.unique(data.groups[train])), len(np.unique(data.groups[test]))),
        "n_stimuli": len(X_stimuli),
        "inhibition_weight": config.inhibition_weight,
        "seconds": time.perf_counter() - start,
    }


def _cell(value, interval, digits=3):
    low, high = interval
    return f"{value:.{digits}f} [{low:.2f}, {high:.2f}]"


_SHORT_NAMES = {"real windows (upper bound)": "real (upper)", "noise (floor)": "noise (floor)"}


def format_table(result):
    """The demo's result as the plain-text tables ``skstim demo`` prints.

    Every figure carries its 95 % interval: over held-out people for accuracy and kappa,
    over people (members and non-members resampled apart) for each attack's AUC, over
    released rows for the distance ratio.

    Parameters
    ----------
    result : dict
        As :func:`run_demo` returns it.

    Returns
    -------
    text : str
        The data set, the teacher's accuracy, one utility row per student family, one
        privacy row per attack, the worst case per released set, and the wall time.
    """
    lines = [
        f"Simulated sleep-apnea windows: {result['n_train']} training windows "
        f"({result['n_subjects'][0]} subjects), {result['n_test']} held-out windows "
        f"({result['n_subjects'][1]} other subjects), {result['n_stimuli']} stimuli.",
        f"Teacher accuracy on held-out subjects: {result['teacher_accuracy']:.3f}; "
        f"always answering the majority class: {result['majority_accuracy']:.3f}.",
        "Every figure: value [95 % interval].",
    ]
    for metric, title in (("accuracy", "Accuracy"), ("kappa", "Cohen's kappa")):
        lines += ["", f"{title} on held-out subjects:",
                  f"{'student':<22}{'trained on real':>22}{'trained on stimuli':>22}"
                  f"{'gap':>23}"]
        for row in result["rows"]:
            lines.append(
                f"{row['family']:<22}"
                f"{_cell(row[f'real_{metric}'], row[f'real_{metric}_ci']):>22}"
                f"{_cell(row[f'stimuli_{metric}'], row[f'stimuli_{metric}_ci']):>22}"
                f"{row[f'gap_{metric}']:>+9.3f} [{row[f'gap_{metric}_ci'][0]:+.2f}, "
                f"{row[f'gap_{metric}_ci'][1]:+.2f}]")
    privacy = result["privacy"]
    names = list(privacy)
    attacks = [a for a in ATTACK_LABELS if f"{a}_auc" in privacy[names[0]]]
    width = 22
    lines += [
        "",
        "Privacy: an attacker holds a second night of every simulated person (training and "
        "held-out)",
        "and tells training subjects (members) from held-out ones: AUC, 0.5 is chance.",
        "",
        f"{'attack':<36}" + "".join(f"{_SHORT_NAMES.get(n, n):>{width}}" for n in names),
    ]
    for attack in attacks:
        lines.append(f"{ATTACK_LABELS[attack]:<36}" + "".join(
            f"{_cell(privacy[n][f'{attack}_auc'], (privacy[n][f'{attack}_auc_low'], privacy[n][f'{attack}_auc_high']), 2):>{width}}"
            for n in names))
    lines.append(f"{'distance ratio (0: copies, 1: none)':<36}" + "".join(
        f"{_cell(privacy[n]['dcr_ratio'], (privacy[n]['dcr_ratio_low'], privacy[n]['dcr_ratio_high']), 2):>{width}}"
        for n in names))
    lines += ["", "Worst case, over the attacks whose interval on the real windows lies above "
                  "0.5:"]
    for name in names:
        worst = privacy[name]["worst_case"]
        if worst["attack"] is None:
            lines.append(f"  {name}: none of the attacks has power on the real windows")
        else:
            lines.append(f"  {name}: {_cell(worst['auc'], (worst['auc_low'], worst['auc_high']), 2)}"
                         f" ({worst['label']})")
    lines += ["", f"Wall time: {result['seconds']:.1f} s"]
    return "\n".join(lines)
