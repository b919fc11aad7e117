"""``skstim demo``: the whole method on the embedded simulated data set."""

import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupShuffleSplit
from tqdm.auto import tqdm

from .. import IdentityInhibitor, StimulusSynthesizer
from ..datasets import make_sleep_apnea
from ..evaluation import (
    ATTACK_LABELS,
    evaluate_privacy,
    fit_attackers,
    noise_set,
    student_families,
    utility_row,
    worst_case_attack,
)
from ..nets import make_network, make_teacher
from ..utils import fit_on_stimuli, predict_labels
from ._lanes import Lanes, Task

SHARED_FAMILY = "teacher architecture"


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


def demo_split(config, random_state, **simulation):
    """The demo's simulated study and its split by person: ``(data, train, test, second)``.

    ``config.n_subjects`` people, each recorded for two nights of ``config.n_windows``
    windows; 25 % of the people are held out; ``train`` and ``test`` index the first
    night of the training and the held-out people, ``second`` marks every second night
    (the attacker's). ``simulation`` goes to :func:`~skstim.datasets.make_sleep_apnea`
    (``sampling_rate``, ``window_seconds``, ``noise``: another representation).
    """
    data = make_sleep_apnea(config.n_subjects, 2 * config.n_windows, random_state=random_state,
                            **simulation)
    first_night = np.concatenate([np.arange(np.sum(data.groups == g)) < config.n_windows
                                  for g in np.unique(data.groups)])
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=random_state)
                       .split(data.X, data.y, data.groups))
    return data, train[first_night[train]], test[first_night[test]], ~first_night


@dataclass(frozen=True)
class _Study:
    """What every task after synthesis reads: the data, its split by person, the sizes."""

    data: object
    train: np.ndarray
    test: np.ndarray
    second_night: np.ndarray
    config: DemoConfig
    device: str
    random_state: int

    def network(self):
        """The attacked student: the teacher's architecture as :func:`student_families`
        builds it, so that it is that family's utility row as well."""
        return student_families(self.data.input_shape, families=[SHARED_FAMILY],
                                max_epochs=self.config.teacher_epochs, device=self.device,
                                random_state=self.random_state)[SHARED_FAMILY]


class _Made(NamedTuple):
    """What a synthesis task made: its fitted synthesizer (``None`` where no later task
    needs it), the stimuli and their soft labels."""

    synthesizer: object
    X: np.ndarray
    proba: np.ndarray


def _teacher_and_stimuli(study):
    """The synthesizer fitted on the private windows (its teacher) and its default stimuli
    with their soft labels, as a :class:`_Made`."""
    d, train, config = study.data, study.train, study.config
    synthesizer = StimulusSynthesizer(
        make_teacher(max_epochs=config.teacher_epochs, device=study.device),
        input_shape=d.input_shape, n_iter=config.n_iter, device=study.device,
        random_state=study.random_state,
    ).fit(d.X[train], d.y[train], groups=d.groups[train])
    X_stimuli, _, proba = synthesizer.sample(synthesizer.n_stimuli_, return_proba=True)
    return _Made(synthesizer, X_stimuli, proba)


def _real_fit_task(study, student):
    """The predictions for the held-out windows of ``student`` fitted on the private ones."""
    d, train, test = study.data, study.train, study.test
    return clone(student).fit(d.X[train], d.y[train]).predict(d.X[test])


def _stimuli_fit_task(study, student, classes, made):
    """The predictions for the held-out windows of ``student`` fitted on the stimuli
    (``made``: the :class:`_Made` of :func:`_teacher_and_stimuli`)."""
    fitted = fit_on_stimuli(clone(student), made.X, made.proba, classes)
    return predict_labels(fitted, study.data.X[study.test], classes)


def _baseline_attacks(study, released, classes):
    """The attackers, fitted once on the attacker's nights, and :func:`_privacy_task` on
    each of the ``released`` sets that need no teacher (the real windows, noise)."""
    d, attacker = study.data, study.second_night
    attackers = fit_attackers(d.X[attacker], d.groups[attacker], input_shape=d.input_shape,
                              sampling_rate=d.sampling_rate, random_state=study.random_state)
    return attackers, [_privacy_task(study, one, classes, attackers) for one in released]


def _inhibited_set(study, made):
    """Stimuli of the teacher with identity inhibition, as many as the plain ones, and
    their soft labels, as a :class:`_Made` without synthesizer (``made``: the
    :class:`_Made` of :func:`_teacher_and_stimuli`)."""
    synthesizer, X_stimuli = made.synthesizer, made.X
    d, train, config = study.data, study.train, study.config
    inhibitor = IdentityInhibitor(
        FrozenEstimator(synthesizer.teacher_),
        identity_model=make_network(max_epochs=config.teacher_epochs, device=study.device),
        inhibition_weight=config.inhibition_weight, input_shape=d.input_shape,
        n_iter=config.n_iter, device=study.device, random_state=study.random_state,
    ).fit(d.X[train], d.y[train], groups=d.groups[train])
    X_inhibited, _, proba = inhibitor.sample(len(X_stimuli), return_proba=True)
    return _Made(None, X_inhibited, proba)


def _attacks_on(study, classes, made, baselines):
    """:func:`_privacy_task` on the set a task made (``made``: a :class:`_Made`) with
    the attackers of :func:`_baseline_attacks`."""
    return _privacy_task(study, (made.X, made.proba), classes, baselines[0])


def _privacy_task(study, released, classes, attackers):
    """Every attack on one released set ``(X, proba)``.

    Returns the figures and the labels that the attacked student (a network of the
    teacher's architecture, fitted once on the released set) predicts for the held-out
    windows: on the real windows and the stimuli, that student is the utility row's
    teacher's architecture too.
    """
    d, train, test, attacker = study.data, study.train, study.test, study.second_night
    X_released, proba = np.asarray(released[0], dtype=np.float32), released[1]
    student = fit_on_stimuli(study.network(), X_released, proba, classes)
    figures = evaluate_privacy(
        X_released, proba, classes, X_private=d.X[train], y_private=d.y[train],
        groups_private=d.groups[train], X_attacker=d.X[attacker],
        groups_attacker=d.groups[attacker], X_outside=d.X[test], y_outside=d.y[test],
        groups_outside=d.groups[test], input_shape=d.input_shape,
        sampling_rate=d.sampling_rate, attackers=attackers, student=FrozenEstimator(student),
        random_state=study.random_state)
    return figures, predict_labels(student, np.asarray(d.X[test], dtype=np.float32), classes)


def run_demo(quick=False, random_state=0, device="cpu", progress=True, n_jobs=None):
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
    n_jobs : int or None, default=None
        Processes for the demo's tasks: this one and ``n_jobs - 1`` workers, each
        taking the next task whose inputs are ready (the teacher with its stimuli, then
        the inhibited stimuli; the attackers with their attacks on the real windows and
        on noise; the attacks on each set of stimuli; each student family on the real
        windows and on the stimuli; the teacher's architecture is the student the
        attacks on the real windows and on the stimuli train, so it is fitted in those
        tasks); ``-1`` uses every core. With more than one process every task runs with
        ``cpu_count // n_jobs`` threads, and torch's sums round a little differently
        with another thread count: figures can then move in the last digits against
        ``n_jobs=None``. A given ``n_jobs`` on a given machine always gives the same
        figures, whichever process runs a task.

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
    study = _Study(data, train, test, second_night, config, device, random_state)
    X_train, y_train, y_test = data.X[train], data.y[train], data.y[test]

    students = student_families(data.input_shape, families=list(config.families),
                                max_epochs=config.teacher_epochs, device=device,
                                random_state=random_state)
    # the attacked student of the real windows and of the stimuli is the utility row of the
    # teacher's architecture: one fit serves both
    shared = SHARED_FAMILY if SHARED_FAMILY in students else None
    others = {name: student for name, student in students.items() if name != shared}
    released = ["real windows (upper bound)", "stimuli",
                f"stimuli, inhibition {config.inhibition_weight:g}", "noise (floor)"]
    classes = np.unique(y_train)
    one_hot = np.eye(len(classes), dtype=np.float32)
    X_noise, y_noise = noise_set(X_train, y_train, random_state=random_state)
    real_set = (X_train, one_hot[np.searchsorted(classes, y_train)])
    noise = (X_noise, one_hot[np.searchsorted(classes, y_noise)])
    # name: Task(steps of the progress bar, function, arguments, the tasks whose outputs it
    # needs); a free process takes the first ready task in this order: the teacher and
    # its stimuli first, then the inhibited set, the longest task, as soon as it can
    # start; what needs no teacher fills the time until then.
    tasks = {
        "teacher": Task(2, _teacher_and_stimuli, (study,)),
        "inhibited stimuli": Task(1, _inhibited_set, (study,), needs=("teacher",)),
        "baselines": Task(2 + (shared is not None), _baseline_attacks,
                          (study, [real_set, noise], classes)),
        released[2]: Task(1, _attacks_on, (study, classes),
                          needs=("inhibited stimuli", "baselines")),
        released[1]: Task(1 + (shared is not None), _attacks_on, (study, classes),
                          needs=("teacher", "baselines")),
        **{("stimuli", name): Task(1, _stimuli_fit_task, (study, student, classes),
                                   needs=("teacher",)) for name, student in others.items()},
        **{("real", name): Task(1, _real_fit_task, (study, student))
           for name, student in others.items()},
    }
    n_lanes = min(effective_n_jobs(n_jobs), len(tasks))
    with Lanes(n_lanes) as lanes, tqdm(total=sum(t.steps for t in tasks.values()),
                                       desc="skstim demo", disable=not progress) as bar:
        outputs = lanes.run(tasks, bar.update)
    synthesizer, X_stimuli, _ = outputs["teacher"]
    attackers, (on_real, on_noise) = outputs["baselines"]
    outputs.update({released[0]: on_real, released[3]: on_noise})
    privacy = {name: outputs[name][0] for name in released}
    predictions = {name: (outputs["real", name], outputs["stimuli", name]) for name in others}
    if shared is not None:
        predictions[shared] = (on_real[1], outputs[released[1]][1])
    rows = [utility_row(name, y_test, *predictions[name], groups_test=data.groups[test],
                        random_state=random_state) for name in students]
    real = privacy[released[0]]
    for figures in privacy.values():
        figures["worst_case"] = worst_case_attack(figures, real)
    majority = np.mean(y_test == np.bincount(y_train).argmax())
    return {
        "rows": rows,
        "privacy": privacy,
        "teacher_accuracy": float(np.mean(synthesizer.teacher_.predict(data.X[test]) == y_test)),
        "majority_accuracy": float(majority),
        "n_train": len(X_train),
        "n_test": len(y_test),
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
