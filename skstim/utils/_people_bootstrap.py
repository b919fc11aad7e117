"""Intervals for scores on held-out people: the people, not the windows, are the sample."""

import numpy as np

from ._seeding import numpy_generator

__all__ = ["people_bootstrap"]


def _confusions(y_true, y_pred, people_index, n_people, n_classes):
    """Per person, the confusion counts: array of shape (n_people, n_classes * n_classes)."""
    cell = (people_index * n_classes + y_true) * n_classes + y_pred
    counts = np.bincount(cell, minlength=n_people * n_classes * n_classes)
    return counts.reshape(n_people, n_classes * n_classes).astype(np.float64)


def _accuracy_kappa(confusion, n_classes):
    """Accuracy and Cohen's kappa of confusion matrices of shape (..., n_classes ** 2)."""
    matrix = confusion.reshape(*confusion.shape[:-1], n_classes, n_classes)
    total = matrix.sum(axis=(-2, -1))
    observed = np.trace(matrix, axis1=-2, axis2=-1) / total
    expected = (matrix.sum(axis=-1) * matrix.sum(axis=-2)).sum(axis=-1) / total ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.where(expected < 1, (observed - expected) / (1 - expected), 0.0)
    return observed, kappa


def people_bootstrap(y_true, predictions, groups, *, n_resamples=1000, random_state=None):
    """95 % intervals of accuracy, kappa and their paired differences, resampling people.

    Windows of one person are not independent draws, so the held-out *people* are
    resampled with replacement (a cluster bootstrap) and each resample's scores are
    taken over all windows of the people drawn. Differences between two predictions
    (``gap`` rows) are computed on the same resample, which keeps their pairing.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels.
    predictions : dict of str to array-like of shape (n,)
        Predicted labels, by name.
    groups : array-like of shape (n,)
        Person of each row; at least two people.
    n_resamples : int, default=1000
    random_state : int, Generator or None, default=None

    Returns
    -------
    intervals : dict
        ``{name}_accuracy_ci`` and ``{name}_kappa_ci`` per prediction, and for the
        first two predictions ``a`` and ``b`` also ``gap_accuracy_ci`` and
        ``gap_kappa_ci`` (``b`` minus ``a``).

    Examples
    --------
    >>> y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    >>> groups = np.repeat([0, 1, 2, 3], 2)
    >>> ci = people_bootstrap(y, {"real": y, "stimuli": 1 - y}, groups, random_state=0)
    >>> ci["real_accuracy_ci"], ci["gap_accuracy_ci"]
    ((1.0, 1.0), (-1.0, -1.0))
    """
    y_true = np.asarray(y_true).ravel()
    groups = np.asarray(groups).ravel()
    people, people_index = np.unique(groups, return_inverse=True)
    if len(people) < 2:
        raise ValueError(f"groups names {len(people)} person; intervals over people need at "
                         "least two held-out people.")
    names = list(predictions)
    labels = np.unique(np.concatenate([y_true] + [np.asarray(predictions[n]).ravel()
                                                  for n in names]))
    n_classes = len(labels)
    rng = numpy_generator(random_state)
    weights = rng.multinomial(len(people), np.full(len(people), 1 / len(people)),
                              size=n_resamples).astype(np.float64)
    scores = {}
    for name in names:
        confusion = _confusions(np.searchsorted(labels, y_true),
                                np.searchsorted(labels, np.asarray(predictions[name]).ravel()),
                                people_index, len(people), n_classes)
        scores[name] = _accuracy_kappa(weights @ confusion, n_classes)
    intervals = {}
    for name, (accuracy, kappa) in scores.items():
        intervals[f"{name}_accuracy_ci"] = _percentiles(accuracy)
        intervals[f"{name}_kappa_ci"] = _percentiles(kappa)
    if len(names) >= 2:
        (acc_a, kappa_a), (acc_b, kappa_b) = scores[names[0]], scores[names[1]]
        intervals["gap_accuracy_ci"] = _percentiles(acc_b - acc_a)
        intervals["gap_kappa_ci"] = _percentiles(kappa_b - kappa_a)
    return intervals


def _percentiles(values):
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)
