"""Every privacy figure of one released set, in one call."""

import numpy as np
from sklearn.base import clone

from ..nets import make_network
from ..utils import fit_on_stimuli, numpy_generator
from ._privacy import (
    distance_to_closest_record,
    make_subject_attacker,
    membership_inference,
    reidentification,
)
from ._utility import utility_scores

__all__ = ["evaluate_privacy"]


def evaluate_privacy(X_released, proba, classes, *, X_private, y_private, groups_private,
                     X_attacker, groups_attacker, X_outside, y_outside, groups_outside,
                     input_shape=None, attackers=None, student=None, random_state=None):
    """Re-identification, membership inference and distance to closest record of a released set.

    The data holder's private set ``(X_private, y_private, groups_private)`` made the
    released set; the attacker holds other recordings ``(X_attacker, groups_attacker)``
    of the people it knows, members (people of the private set) and others;
    ``X_outside`` are rows of people outside the private set (the utility test set and
    the negatives of membership inference). Run it on the real private rows too (the
    upper bound of risk) and on :func:`noise_set` (the floor).

    Parameters
    ----------
    X_released : ndarray of shape (n_released, n_features)
        The released rows (stimuli, or a baseline).
    proba : ndarray of shape (n_released, n_classes)
        Their (soft) labels, as given to students.
    classes : ndarray of shape (n_classes,)
        Label of each column of ``proba``.
    X_private, y_private, groups_private : arrays
        The private set and the subject of each row.
    X_attacker, groups_attacker : arrays
        The attacker's own recordings of the people it knows.
    X_outside, y_outside, groups_outside : arrays
        Rows of people outside the private set.
    input_shape : tuple of int or None, default=None
        ``(C, T)`` of one row; ``None`` is ``(1, n_features)``.
    attackers : dict of str to classifier or None, default=None
        Subject classifiers for re-identification; ``None`` is
        ``{"summary_rf": make_subject_attacker(input_shape)}``.
    student : classifier or None, default=None
        Trained on the released set, then attacked (membership) and scored on
        ``X_outside`` (utility); ``None`` is a 10-epoch network of the teacher's
        default architecture.
    random_state : int or None, default=None
        Seed of the attackers, the student and the subsampling.

    Returns
    -------
    result : dict
        ``{name}_ratio`` and ``{name}_linkage_auc`` per attacker (share of released
        rows linked to members over chance; AUC of per-person scores),
        ``mia_auc``, ``mia_auc_low``, ``mia_auc_high``, ``mia_tpr_at_1pct_fpr``
        (subject-level loss attack on the student), ``dcr_ratio`` and
        ``dcr_closer_to_private`` (released rows to private rows against as many
        outside rows), and ``utility_accuracy``, ``utility_kappa``,
        ``utility_macro_f1`` of the student on ``X_outside``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skstim.datasets import make_sleep_apnea
    >>> d = make_sleep_apnea(n_subjects=8, n_windows=20, sampling_rate=1.0, random_state=0)
    >>> first = np.tile(np.arange(20) < 10, 8)
    >>> private, outside = first & (d.groups < 4), first & (d.groups >= 4)
    >>> one_hot = np.eye(2, dtype=np.float32)[d.y[private]]
    >>> result = evaluate_privacy(
    ...     d.X[private], one_hot, np.array([0, 1]), X_private=d.X[private],
    ...     y_private=d.y[private], groups_private=d.groups[private],
    ...     X_attacker=d.X[~first], groups_attacker=d.groups[~first], X_outside=d.X[outside],
    ...     y_outside=d.y[outside], groups_outside=d.groups[outside],
    ...     input_shape=d.input_shape, student=LogisticRegression(max_iter=500), random_state=0)
    >>> sorted(k for k in result if k.startswith("summary_rf"))
    ['summary_rf_linkage_auc', 'summary_rf_ratio']
    """
    classes = np.asarray(classes)
    members = np.intersect1d(np.unique(groups_private), np.unique(groups_attacker))
    if attackers is None:
        attackers = {"summary_rf": make_subject_attacker(input_shape)}
    record = {}
    for name, attacker in attackers.items():
        link = reidentification(X_released, X_attacker, groups_attacker, members,
                                input_shape=input_shape, attacker=attacker,
                                random_state=random_state)
        record[f"{name}_ratio"] = link["ratio"]
        record[f"{name}_linkage_auc"] = link["membership_auc"]

    if student is None:
        n_features = np.shape(X_released)[1]
        student = make_network(input_shape or (1, n_features), max_epochs=10,
                               random_state=random_state)
    student = fit_on_stimuli(clone(student), np.asarray(X_released, dtype=np.float32),
                             proba, np.arange(len(classes)))
    X_mia = np.concatenate([X_private, X_outside]).astype(np.float32)
    y_mia = np.searchsorted(classes, np.concatenate([y_private, y_outside]))
    g_mia = np.concatenate([groups_private, groups_outside])
    mia = membership_inference(student, X_mia, y_mia, g_mia, np.unique(groups_private),
                               random_state=random_state)
    record.update(mia_auc=mia["auc"], mia_auc_low=mia["auc_ci"][0],
                  mia_auc_high=mia["auc_ci"][1], mia_tpr_at_1pct_fpr=mia["tpr_at_1pct_fpr"])

    rng = numpy_generator(random_state)
    n = min(len(X_private), len(X_outside))
    dcr = distance_to_closest_record(
        X_released, np.asarray(X_private)[rng.choice(len(X_private), n, replace=False)],
        np.asarray(X_outside)[rng.choice(len(X_outside), n, replace=False)])
    record.update(dcr_ratio=dcr["ratio"], dcr_closer_to_private=dcr["closer_to_train"])

    predicted = classes[np.asarray(student.predict(np.asarray(X_outside, dtype=np.float32)))]
    record.update({f"utility_{k}": v
                   for k, v in utility_scores(y_outside, predicted).items()})
    return record
