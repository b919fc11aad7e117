"""Intervals for scores on held-out people: the people, not the windows, are the sample."""

import numpy as np

from ._seeding import numpy_generator
from ._validation import check_same_length

__all__ = ["people_bootstrap"]

METRICS = ("accuracy", "kappa", "macro_f1")


def _confusions(y_true, y_pred, people_index, n_people, n_classes):
    """Per person, the confusion counts: array of shape (n_people, n_classes * n_classes)."""
    cell = (people_index * n_classes + y_true) * n_classes + y_pred
    counts = np.bincount(cell, minlength=n_people * n_classes * n_classes)
    return counts.reshape(n_people, n_classes * n_classes).astype(np.float64)


def _scores(confusion, n_classes):
    """Accuracy, Cohen's kappa and macro F1 of confusion matrices of shape (..., n_classes ** 2).

    Macro F1 averages over the classes present in the true or the predicted labels of
    each matrix, as :func:`sklearn.metrics.f1_score` does; a class that is true but
    never predicted (or predicted but never true) has F1 0.
    """
    matrix = confusion.reshape(*confusion.shape[:-1], n_classes, n_classes)
    total = matrix.sum(axis=(-2, -1))
    true, predicted = matrix.sum(axis=-1), matrix.sum(axis=-2)
    hits = np.diagonal(matrix, axis1=-2, axis2=-1)
    observed = hits.sum(axis=-1) / total
    expected = (true * predicted).sum(axis=-1) / total ** 2
    support = true + predicted
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.where(expected < 1, (observed - expected) / (1 - expected), 0.0)
        f1 = np.where(support > 0, 2 * hits / support, 0.0)
    macro_f1 = f1.sum(axis=-1) / (support > 0).sum(axis=-1)
    return {"accuracy": observed, "kappa": kappa, "macro_f1": macro_f1}


def _resampling_units(codes, groups):
    """What is drawn: the people, or (``groups=None``) the rows, grouped by their codes.

    Returns ``(unit_index, n_draws, probabilities, size)``: the unit of each row, how many
    units one resample draws, the chance of each unit per draw, and the rows per unit.
    Rows with the same true and predicted labels are interchangeable, so drawing rows is
    drawing their distinct ``codes`` with probability proportional to their counts; a
    resample is then of size (n_units,) instead of (n_rows,).
    """
    if groups is None:
        _, unit_index, size = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
        return unit_index.ravel(), len(codes), size / len(codes), size
    people, unit_index = np.unique(np.asarray(groups).ravel(), return_inverse=True)
    if len(people) < 2:
        raise ValueError(f"groups names {len(people)} person; intervals over people need at "
                         "least two held-out people.")
    return unit_index, len(people), np.full(len(people), 1 / len(people)), np.ones(len(people))


def people_bootstrap(y_true, predictions, groups, *, metrics=("accuracy", "kappa"),
                     n_resamples=1000, random_state=None):
    """95 % intervals of accuracy, kappa, macro F1 and their paired differences, resampling people.

    Windows of one person are not independent draws, so the held-out *people* are
    resampled with replacement (a cluster bootstrap) and each resample's scores are
    taken over all windows of the people drawn. Differences between two predictions
    (``gap`` rows) are computed on the same resample, which keeps their pairing. Every
    resample's scores come from per-person confusion counts, all resamples at once.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels.
    predictions : dict of str to array-like of shape (n,)
        Predicted labels, by name.
    groups : array-like of shape (n,) or None
        Person of each row; at least two people. ``None``: every row is its own person
        (a bootstrap over rows, for data without subject ids).
    metrics : sequence of {"accuracy", "kappa", "macro_f1"}, default=("accuracy", "kappa")
        The scores to give intervals of.
    n_resamples : int, default=1000
    random_state : int, Generator or None, default=None

    Returns
    -------
    intervals : dict
        ``{name}_{metric}_ci`` per prediction and metric (e.g. ``real_accuracy_ci``), and
        for the first two predictions ``a`` and ``b`` also ``gap_{metric}_ci`` (``b``
        minus ``a``); each a ``(low, high)`` tuple of the 2.5 and 97.5 percentiles.

    Examples
    --------
    >>> y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    >>> groups = np.repeat([0, 1, 2, 3], 2)
    >>> ci = people_bootstrap(y, {"real": y, "stimuli": 1 - y}, groups, random_state=0)
    >>> ci["real_accuracy_ci"], ci["gap_accuracy_ci"]
    ((1.0, 1.0), (-1.0, -1.0))
    >>> ci = people_bootstrap(y, {"real": y}, None, metrics=["macro_f1"], random_state=0)
    >>> ci["real_macro_f1_ci"]
    (1.0, 1.0)
    """
    unknown = sorted(set(metrics) - set(METRICS))
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {list(METRICS)}.")
    names = list(predictions)
    columns = [np.asarray(y_true).ravel()] + [np.asarray(predictions[n]).ravel() for n in names]
    check_same_length(y_true=columns[0], **{f"predictions[{n!r}]": c
                                            for n, c in zip(names, columns[1:])})
    labels = np.unique(np.concatenate(columns))
    codes = np.column_stack([np.searchsorted(labels, c) for c in columns])
    unit_index, n_draws, probabilities, size = _resampling_units(codes, groups)
    rng = numpy_generator(random_state)
    weights = rng.multinomial(n_draws, probabilities, size=n_resamples).astype(np.float64)
    scores = {}
    for k, name in enumerate(names):
        confusion = _confusions(codes[:, 0], codes[:, k + 1], unit_index, len(size),
                                len(labels))
        scores[name] = _scores(weights @ (confusion / size[:, None]), len(labels))
    intervals = {f"{name}_{metric}_ci": _percentiles(scores[name][metric])
                 for name in names for metric in metrics}
    if len(names) >= 2:
        a, b = scores[names[0]], scores[names[1]]
        intervals.update({f"gap_{metric}_ci": _percentiles(b[metric] - a[metric])
                          for metric in metrics})
    return intervals


def _percentiles(values):
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)
