"""Nearest-row distances in a per-feature standardized space."""

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

__all__ = ["standardize", "nearest_distances"]


def standardize(reference, *others):
    """``reference`` and ``others`` standardized with the mean and spread of ``reference``.

    A constant feature is divided by 1 (scikit-learn's :class:`StandardScaler`).

    Returns
    -------
    arrays : list of ndarray
        ``reference`` first, then ``others`` in order, float64.

    Examples
    --------
    >>> Z, W = standardize(np.array([[0.0, 1.0], [2.0, 1.0]]), np.array([[4.0, 3.0]]))
    >>> Z.tolist(), W.tolist()
    ([[-1.0, 0.0], [1.0, 0.0]], [[3.0, 2.0]])
    """
    scaler = StandardScaler().fit(reference)
    return [scaler.transform(np.asarray(a, dtype=np.float64)) for a in (reference, *others)]


def nearest_distances(reference, query=None):
    """Euclidean distance of each ``query`` row to its nearest ``reference`` row.

    With ``query=None``, the distance of each reference row to its nearest *other*
    reference row.

    Examples
    --------
    >>> reference = np.array([[0.0], [1.0], [3.0]])
    >>> nearest_distances(reference).tolist(), nearest_distances(reference, [[2.5]]).tolist()
    ([1.0, 1.0, 2.0], [0.5])
    """
    neighbors = NearestNeighbors(n_neighbors=1).fit(reference)
    return neighbors.kneighbors(query)[0][:, 0]
