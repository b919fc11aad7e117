"""The export guard: stimuli that copy a private training row do not leave."""

import warnings

import numpy as np

from ..utils import nearest_distances, standardize

__all__ = ["export_guard"]

_SHOWN_INDICES = 10


def _copy_distances(X, X_train):
    """Distance of each stimulus to its nearest training row, and the copy threshold.

    In the per-feature standardized space of ``X_train``; the threshold is the smallest
    distance between a training row and its nearest other (not identical) training row.
    """
    Z_train, Z = standardize(X_train, X)
    distinct = np.unique(Z_train, axis=0)
    if len(distinct) < 2:
        raise ValueError(
            "X_train must hold at least two distinct rows: the copy threshold is the smallest "
            "distance between two distinct training rows."
        )
    between = nearest_distances(distinct)
    between = between[between > 0]
    if not len(between):  # pragma: no cover - rows distinct in float64 yet at distance 0
        raise ValueError("X_train must hold at least two distinct rows.")
    return nearest_distances(distinct, Z), float(between.min())


def _show(indices):
    shown = ", ".join(str(i) for i in indices[:_SHOWN_INDICES])
    return f"[{shown}{', ...' if len(indices) > _SHOWN_INDICES else ''}]"


def export_guard(X, X_train, on_copy="refuse"):
    """Which stimuli may leave: those no nearer to a private row than private rows are.

    Every stimulus is compared with the private training rows in the per-feature
    standardized space of ``X_train`` (standard deviation 0 counts as 1). A stimulus
    closer to a training row than any two distinct training rows are to each other (the
    threshold) is a copy of private data.

    Parameters
    ----------
    X : ndarray of shape (n_stimuli, n_features)
        Stimuli.
    X_train : ndarray of shape (n_train, n_features), float64
        The private training rows, finite.
    on_copy : {"refuse", "drop"}, default="refuse"
        Raise a ValueError when any stimulus is a copy, or mark copies to be dropped
        with a :class:`UserWarning`.

    Returns
    -------
    keep : ndarray of shape (n_stimuli,), bool
        The stimuli that may be saved.
    record : dict
        ``threshold``, ``n_checked``, ``n_dropped``, ``dropped_indices`` and
        ``min_distance`` (the smallest distance of a kept stimulus to a training row).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X_train = rng.normal(size=(50, 12))
    >>> X = np.vstack([3 * rng.normal(size=(4, 12)), X_train[:1]])
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     keep, record = export_guard(X, X_train, on_copy="drop")
    >>> keep.tolist(), record["dropped_indices"]
    ([True, True, True, True, False], [4])
    """
    n_stimuli = len(X)
    if X_train.shape[1] != X.shape[1]:
        raise ValueError(
            f"X_train has {X_train.shape[1]} features but X has {X.shape[1]}: pass the "
            "private training rows the stimuli were made from, flat like X."
        )
    distances, threshold = _copy_distances(X, X_train)
    copies = np.flatnonzero(distances < threshold)
    if len(copies) and on_copy == "refuse":
        raise ValueError(
            f"{len(copies)} of {n_stimuli} stimuli are copies of rows of X_train (closer "
            f"to a training row than {threshold:.4g}, the smallest distance between two "
            f"distinct training rows, in standardized units); indices {_show(copies)}. "
            "Nothing was written. Pass on_copy='drop' to save the other stimuli."
        )
    if len(copies) == n_stimuli:
        raise ValueError(
            f"All {n_stimuli} stimuli are copies of rows of X_train (closer to a training "
            f"row than {threshold:.4g}): nothing would be left to save. Synthesize new "
            "stimuli (e.g. more optimization steps, another init)."
        )
    keep = np.ones(n_stimuli, dtype=bool)
    keep[copies] = False
    if len(copies):
        warnings.warn(
            f"save_stimuli dropped {len(copies)} of {n_stimuli} stimuli that are copies of "
            f"rows of X_train (indices {_show(copies)}); see metadata['export_guard'].",
            UserWarning, stacklevel=3,
        )
    record = {
        "threshold": threshold,
        "n_checked": int(n_stimuli),
        "n_dropped": int(len(copies)),
        "dropped_indices": copies.tolist(),
        "min_distance": float(distances[keep].min()),
    }
    return keep, record
