"""Utility: each student family trained on real data and on stimuli, scored on real data."""

from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from ..nets import PreciseBatchNorm, make_network
from ._diagnosis import diagnosis_agreement
from ..utils import fit_on_stimuli, people_bootstrap, predict_labels

__all__ = ["FAMILY_NAMES", "student_families", "utility_scores", "score_real", "score_synthetic",
           "evaluate_utility", "utility_row"]

FAMILY_NAMES = ("teacher architecture", "mlp", "gru", "random forest", "gradient boosting",
                "k-nn", "rbf svm", "logistic regression")
"""Names of the student families of :func:`student_families`, in its order."""


def student_families(input_shape, *, teacher_arch="cnn", families=None, max_epochs=20,
                     device="cpu", precise_batchnorm=True, random_state=None):
    """Unfitted students of every family the evaluation protocol names.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_times)`` of one sample, for the networks.
    teacher_arch : str, default="cnn"
        Architecture of the teacher; the first family is a fresh network of it.
    families : list of str or None, default=None
        Names to keep (keys of the returned dict), from :data:`FAMILY_NAMES`; ``None``
        keeps all.
    max_epochs : int, default=20
        Epochs of the network students.
    device : str, default="cpu"
        Torch device of the network students.
    precise_batchnorm : bool, default=True
        End every network student's fit with :class:`~skstim.nets.PreciseBatchNorm`,
        so that its BatchNorm layers predict with the statistics of its whole training
        set rather than an average of its last batches. Without it a network's score on
        held-out people can depend on which batches came last: on the quick Apnea-ECG
        benchmark a GRU on real windows scored 0.634 as trained and 0.792 with the
        callback, the same weights (``docs/benchmarks/utility.md``). ``False`` gives
        the networks as trained, as the tables recorded before the callback existed.
    random_state : int or None, default=None
        Seed of every student that takes one.

    Returns
    -------
    students : dict of str to estimator
        ``"teacher architecture"``, ``"mlp"``, ``"gru"``, ``"random forest"``,
        ``"gradient boosting"``, ``"k-nn"``, ``"rbf svm"``, ``"logistic regression"``
        (:data:`FAMILY_NAMES`), or those of ``families`` in its order.

    Raises
    ------
    ValueError
        ``families`` names a family not in :data:`FAMILY_NAMES`; nothing is built.

    Examples
    --------
    >>> sorted(student_families((1, 20), families=["mlp", "k-nn"]))
    ['k-nn', 'mlp']
    """
    if families is None:
        families = FAMILY_NAMES
    unknown = set(families) - set(FAMILY_NAMES)
    if unknown:
        raise ValueError(f"families holds unknown names {sorted(unknown)}; known: "
                         f"{sorted(FAMILY_NAMES)}.")

    def net(arch):
        callbacks = [("precise_bn", PreciseBatchNorm())] if precise_batchnorm else None
        return make_network(input_shape, arch=arch, max_epochs=max_epochs, device=device,
                            callbacks=callbacks, random_state=random_state)

    build = {
        "teacher architecture": lambda: net(teacher_arch),
        "mlp": lambda: net("mlp"),
        "gru": lambda: net("gru"),
        "random forest": lambda: RandomForestClassifier(n_estimators=200, min_samples_leaf=2,
                                                        random_state=random_state),
        "gradient boosting": lambda: HistGradientBoostingClassifier(random_state=random_state),
        "k-nn": lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=15)),
        "rbf svm": lambda: make_pipeline(StandardScaler(), SVC(random_state=random_state)),
        "logistic regression": lambda: make_pipeline(StandardScaler(),
                                                     LogisticRegression(max_iter=2000)),
    }
    return {name: build[name]() for name in families}


def utility_scores(y_true, y_pred, *, recording=None, positive=1, minutes_per_row=1.0):
    """Accuracy, Cohen's kappa and macro F1 of predictions on real held-out data.

    With ``recording`` (the night of each row), also the per-recording diagnosis
    (:func:`diagnosis_agreement`): ``index_mae``, the mean absolute error of the apnea
    index (apnea minutes per hour), and ``diagnosis_accuracy``, the share of nights given
    their true class (apnea, borderline, normal).

    Examples
    --------
    >>> utility_scores([0, 1, 1, 0], [0, 1, 0, 0])["accuracy"]
    0.75
    """
    scores = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "kappa": float(cohen_kappa_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
    }
    if recording is not None:
        agreement = diagnosis_agreement(y_true, y_pred, recording, positive=positive,
                                        minutes_per_row=minutes_per_row)
        scores.update(index_mae=agreement["index_mae"],
                      diagnosis_accuracy=agreement["class_accuracy"])
    return scores


def _predict_real(student, X_train, y_train, X_test):
    return clone(student).fit(X_train, y_train).predict(X_test)


def _predict_synthetic(student, X_synthetic, proba, classes, X_test, soft_labels="auto"):
    fitted = fit_on_stimuli(clone(student), X_synthetic, proba, classes, soft_labels)
    return predict_labels(fitted, X_test, classes)


def score_real(student, X_train, y_train, X_test, y_test, **diagnosis):
    """Fit a clone of ``student`` on real data and score it on real held-out data.

    ``diagnosis`` (``recording``, ``positive``, ``minutes_per_row``) goes to
    :func:`utility_scores` for the per-recording figures.
    """
    return utility_scores(y_test, _predict_real(student, X_train, y_train, X_test), **diagnosis)


def score_synthetic(student, X_synthetic, proba, classes, X_test, y_test, soft_labels="auto",
                    **diagnosis):
    """Fit a clone of ``student`` on a synthetic set (soft labels ``proba``) and score it on real data.

    Works for stimuli and for any other synthetic set: hard-labelled sets pass one-hot
    ``proba``. ``diagnosis`` goes to :func:`utility_scores` as in :func:`score_real`.
    """
    return utility_scores(y_test, _predict_synthetic(student, X_synthetic, proba, classes, X_test,
                                                     soft_labels), **diagnosis)


def evaluate_utility(students, X_train, y_train, X_stimuli, proba_stimuli, classes, X_test, y_test,
                     *, soft_labels="auto", groups_test=None, random_state=None, callback=None):
    """Train each student on the real training data and on the stimuli; score both on real test data.

    Parameters
    ----------
    students : dict of str to estimator
        Unfitted students (see :func:`student_families`); each is cloned twice.
    X_train, y_train : array-like
        Real training data (what the teacher was fitted on).
    X_stimuli : ndarray of shape (n_stimuli, n_features)
        Stimuli.
    proba_stimuli : ndarray of shape (n_stimuli, n_classes)
        The teacher's probabilities for the stimuli.
    classes : ndarray of shape (n_classes,)
        Label of each column of ``proba_stimuli``.
    X_test, y_test : array-like
        Real held-out data, from subjects absent from the training data.
    soft_labels : {"auto", "expand", "hard"}, default="auto"
        How the students take the teacher's labels (:func:`~skstim.utils.fit_on_stimuli`).
    groups_test : array-like of shape (n_test,) or None, default=None
        Person of each test row; adds 95 % intervals over held-out people
        (a cluster bootstrap: the held-out people are resampled).
    random_state : int, Generator or None, default=None
        Seed of that bootstrap.
    callback : callable or None
        Called with no argument after each fit.

    Returns
    -------
    rows : list of dict
        One per family: ``family``, then ``accuracy``, ``kappa``, ``macro_f1`` for
        ``real`` and ``stimuli`` (e.g. ``real_accuracy``), and the gaps (stimuli minus
        real, e.g. ``gap_accuracy``); with ``groups_test`` also the intervals
        ``real_accuracy_ci``, ``real_kappa_ci``, ``stimuli_accuracy_ci``,
        ``stimuli_kappa_ci``, ``gap_accuracy_ci`` and ``gap_kappa_ci``.
    """
    rows = []
    for name, student in students.items():
        pred_real = _predict_real(student, X_train, y_train, X_test)
        if callback is not None:
            callback()
        pred_stimuli = _predict_synthetic(student, X_stimuli, proba_stimuli, classes, X_test,
                                          soft_labels)
        if callback is not None:
            callback()
        rows.append(utility_row(name, y_test, pred_real, pred_stimuli, groups_test=groups_test,
                                random_state=random_state))
    return rows


def utility_row(family, y_test, pred_real, pred_stimuli, *, groups_test=None, random_state=None):
    """One row of :func:`evaluate_utility` from a family's predictions on the real test data.

    For a student fitted elsewhere, e.g. the one a privacy evaluation trains on the
    released set anyway (``skstim demo`` fits the teacher's architecture once per set).

    Parameters
    ----------
    family : str
        Name of the student family.
    y_test : array-like of shape (n_test,)
        True labels of the real held-out data.
    pred_real, pred_stimuli : array-like of shape (n_test,)
        Predictions of the family trained on the real training data and on the stimuli.
    groups_test : array-like of shape (n_test,) or None, default=None
        Person of each test row; adds the 95 % intervals over held-out people.
    random_state : int, Generator or None, default=None
        Seed of that bootstrap.

    Returns
    -------
    row : dict
        As in :func:`evaluate_utility`.

    Examples
    --------
    >>> row = utility_row("k-nn", [0, 1, 1, 0], [0, 1, 1, 1], [0, 1, 0, 1])
    >>> row["real_accuracy"], row["stimuli_accuracy"], row["gap_accuracy"]
    (0.75, 0.5, -0.25)
    """
    real_scores = utility_scores(y_test, pred_real)
    stim_scores = utility_scores(y_test, pred_stimuli)
    row = {"family": family}
    row.update({f"real_{k}": v for k, v in real_scores.items()})
    row.update({f"stimuli_{k}": v for k, v in stim_scores.items()})
    row.update({f"gap_{k}": stim_scores[k] - real_scores[k] for k in real_scores})
    if groups_test is not None:
        row.update(people_bootstrap(y_test, {"real": pred_real, "stimuli": pred_stimuli},
                                    groups_test, random_state=random_state))
    return row
