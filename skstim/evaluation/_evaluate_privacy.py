"""Every privacy figure of one released set, in one call."""

import numpy as np
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils import check_array

from ..nets import make_network
from ..utils import (
    bootstrap_interval,
    check_same_length,
    fit_on_stimuli,
    numpy_generator,
    people_bootstrap,
)
from ._density_ratio import density_ratio_membership
from ._hrv import make_hrv_attacker
from ._privacy import (
    distance_to_closest_record,
    make_subject_attacker,
    _seeded_clone,
    membership_inference,
    reidentification,
)
from ._shadow import shadow_membership
from ._utility import utility_scores

__all__ = ["evaluate_privacy", "fit_attackers"]


def _auc_figures(attack, auc, interval):
    return {f"{attack}_auc": auc, f"{attack}_auc_low": interval[0],
            f"{attack}_auc_high": interval[1]}


def _membership_figures(attack, result):
    return {**_auc_figures(attack, result["auc"], result["auc_ci"]),
            f"{attack}_tpr_at_1pct_fpr": result["tpr_at_1pct_fpr"],
            f"{attack}_tpr_at_01pct_fpr": result["tpr_at_01pct_fpr"]}


def _default_attackers(input_shape, sampling_rate):
    return {"summary_rf": make_subject_attacker(input_shape),
            "hrv": make_hrv_attacker(input_shape, sampling_rate)}


def fit_attackers(X_attacker, groups_attacker, attackers=None, *, input_shape=None,
                  sampling_rate=1.0, n_jobs=None, random_state=None):
    """Fit the re-identification attackers once, for every released set they will meet.

    The attackers learn only the attacker's own recordings, so their fit is the same
    for every released set of a study: fit them here and pass the result to
    :func:`evaluate_privacy` (``attackers=``) or :func:`reidentification`
    (``attacker=``) for each set. The figures are those of unfitted attackers given
    the same ``random_state``.

    The fitted attackers hold what they learned of the attacker's recordings (not of
    the private set); treat them as those recordings.

    Parameters
    ----------
    X_attacker, groups_attacker : arrays
        The attacker's own recordings and the person of each row.
    attackers : dict of str to classifier or None, default=None
        Unfitted subject classifiers; ``None`` is the default of
        :func:`evaluate_privacy`.
    input_shape : tuple of int or None, default=None
        ``(C, T)`` of one row, for the default attackers.
    sampling_rate : float, default=1.0
        Samples per second of a window, for the default HRV attacker.
    n_jobs : int or None, default=None
        Every ``n_jobs`` parameter of the attackers while they fit (their forests' trees
        in parallel); set back afterwards, so that they predict as given and the
        figures do not depend on it.
    random_state : int or None, default=None
        Seed of every ``random_state`` parameter of the attackers, as
        :func:`reidentification` would set it.

    Returns
    -------
    attackers : dict of str to :class:`~sklearn.frozen.FrozenEstimator`
        Each attacker fitted on ``(X_attacker, groups_attacker)``, frozen so that the
        evaluation uses it without fitting it again.

    Examples
    --------
    >>> from skstim.datasets import make_sleep_apnea
    >>> d = make_sleep_apnea(n_subjects=4, n_windows=20, sampling_rate=1.0, random_state=0)
    >>> fitted = fit_attackers(d.X, d.groups, input_shape=d.input_shape, random_state=0)
    >>> sorted(fitted), fitted["hrv"].classes_.tolist()
    (['hrv', 'summary_rf'], [0, 1, 2, 3])
    """
    X_attacker = check_array(X_attacker, input_name="X_attacker")
    groups_attacker = np.asarray(groups_attacker).ravel()
    check_same_length(X_attacker=X_attacker, groups_attacker=groups_attacker)
    if attackers is None:
        attackers = _default_attackers(input_shape, sampling_rate)
    fitted = {}
    for name, attacker in attackers.items():
        attacker = _seeded_clone(attacker, random_state)
        given = {key: value for key, value in attacker.get_params(deep=True).items()
                 if key == "n_jobs" or key.endswith("__n_jobs")}
        if n_jobs is not None and given:
            attacker.set_params(**dict.fromkeys(given, n_jobs))
        attacker.fit(X_attacker, groups_attacker)
        if given:
            attacker.set_params(**given)
        fitted[name] = FrozenEstimator(attacker)
    return fitted


def evaluate_privacy(X_released, proba, classes, *, X_private, y_private, groups_private,
                     X_attacker, groups_attacker, X_outside, y_outside, groups_outside,
                     input_shape=None, sampling_rate=1.0, attackers=None, student=None,
                     y_attacker=None, shadow_release=None, n_shadows=8, n_bootstrap=1000,
                     random_state=None):
    """Every attack on a released set: linkage, membership (loss, density ratio, shadow), DCR.

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
    sampling_rate : float, default=1.0
        Samples per second of a window, for the HRV attacker's frequency bands.
    attackers : dict of str to classifier or None, default=None
        Subject classifiers for re-identification; ``None`` is
        ``{"summary_rf": make_subject_attacker(input_shape), "hrv":
        make_hrv_attacker(input_shape, sampling_rate)}``. Attackers fitted once by
        :func:`fit_attackers` save their fit on every further released set.
    student : classifier or None, default=None
        Trained on the released set, then attacked (membership) and scored on
        ``X_outside`` (utility); ``None`` is a 10-epoch network of the teacher's
        default architecture.
    y_attacker : array-like of shape (n_attacker,) or None, default=None
        Labels of the attacker's recordings; needed by ``shadow_release``.
    shadow_release : callable or None, default=None
        ``release(X, y, groups, random_state) -> X_released``: the method as the
        attacker reruns it, for :func:`shadow_membership` on the attacker's
        recordings; ``None`` skips the shadow-model attack.
    n_shadows : int, default=8
        Shadow releases of that attack.
    n_bootstrap : int, default=1000
        Resamples of people for the interval of every AUC; 0 skips them.
    random_state : int or None, default=None
        Seed of the attackers, the student, the subsampling and the bootstraps.

    Returns
    -------
    result : dict
        Every attack gives ``{attack}_auc`` (members against non-members, 0.5 is
        chance) with its interval ``{attack}_auc_low`` and ``{attack}_auc_high``:
        ``{name}_linkage`` per attacker (AUC of the mean posterior per person; also
        ``{name}_ratio``, the share of released rows linked to members over chance),
        ``mia`` (subject-level loss attack on the student), ``domias``
        (:func:`density_ratio_membership`, the attacker's recordings as reference and
        probes) and, with ``shadow_release``, ``shadow`` (:func:`shadow_membership`);
        the membership attacks add ``{attack}_tpr_at_1pct_fpr`` and
        ``{attack}_tpr_at_01pct_fpr``. Then ``dcr_ratio`` (with ``dcr_ratio_low`` and
        ``dcr_ratio_high``, a bootstrap interval over released rows) and
        ``dcr_closer_to_private`` (released rows to private rows against as many
        outside rows), and ``utility_accuracy``, ``utility_kappa``,
        ``utility_macro_f1`` of the student on ``X_outside`` (with
        ``utility_accuracy_low`` and ``utility_accuracy_high``, resampling the outside
        people).

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
    ['summary_rf_linkage_auc', 'summary_rf_linkage_auc_high', 'summary_rf_linkage_auc_low', 'summary_rf_ratio']
    >>> bool(result["domias_auc_low"] <= result["domias_auc"] <= result["domias_auc_high"])
    True
    """
    classes = np.asarray(classes)
    members = np.intersect1d(np.unique(groups_private), np.unique(groups_attacker))
    if attackers is None:
        attackers = _default_attackers(input_shape, sampling_rate)
    record = {}
    for name, attacker in attackers.items():
        link = reidentification(X_released, X_attacker, groups_attacker, members,
                                input_shape=input_shape, attacker=attacker,
                                n_bootstrap=n_bootstrap, random_state=random_state)
        record[f"{name}_ratio"] = link["ratio"]
        record.update(_auc_figures(f"{name}_linkage", link["membership_auc"],
                                   link["membership_auc_ci"]))

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
                               n_bootstrap=n_bootstrap, random_state=random_state)
    record.update(_membership_figures("mia", mia))
    domias = density_ratio_membership(X_released, X_attacker, X_attacker, groups_attacker,
                                      members, input_shape=input_shape,
                                      n_bootstrap=n_bootstrap, random_state=random_state)
    record.update(_membership_figures("domias", domias))
    if shadow_release is not None:
        if y_attacker is None:
            raise ValueError("shadow_release needs y_attacker, the labels of the attacker's "
                             "recordings, to fit the shadow releases; pass y_attacker.")
        shadow = shadow_membership(shadow_release, X_released, X_attacker, y_attacker,
                                   groups_attacker, members, n_shadows=n_shadows,
                                   input_shape=input_shape, n_bootstrap=n_bootstrap,
                                   random_state=random_state)
        record.update(_membership_figures("shadow", shadow))

    rng = numpy_generator(random_state)
    n = min(len(X_private), len(X_outside))
    dcr = distance_to_closest_record(
        X_released, np.asarray(X_private)[rng.choice(len(X_private), n, replace=False)],
        np.asarray(X_outside)[rng.choice(len(X_outside), n, replace=False)])
    dcr_low, dcr_high = bootstrap_interval(
        lambda a, b, axis=-1: np.median(a, axis=axis) / np.median(b, axis=axis),
        dcr["train"], dcr["holdout"], n_resamples=max(n_bootstrap, 1), random_state=rng)
    record.update(dcr_ratio=dcr["ratio"], dcr_ratio_low=dcr_low, dcr_ratio_high=dcr_high,
                  dcr_closer_to_private=dcr["closer_to_train"])

    predicted = classes[np.asarray(student.predict(np.asarray(X_outside, dtype=np.float32)))]
    record.update({f"utility_{k}": v
                   for k, v in utility_scores(y_outside, predicted).items()})
    if n_bootstrap > 0 and len(np.unique(groups_outside)) > 1:
        ci = people_bootstrap(y_outside, {"utility": predicted}, groups_outside,
                              n_resamples=n_bootstrap, random_state=rng)
        record.update(utility_accuracy_low=ci["utility_accuracy_ci"][0],
                      utility_accuracy_high=ci["utility_accuracy_ci"][1])
    return record
