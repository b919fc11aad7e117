"""The export guard: stimuli that copy a private training row do not leave.

Rows are compared by their **shape**: each channel of a row is centred on its own mean
and divided by the private rows' spread of that channel, then the row is scaled to unit
norm, so a copy shifted in level or scaled in amplitude keeps the shape of its original. The
distance between two shapes is taken at the best of small time shifts, time reversal
and a change of sign. A stimulus is a copy when it lies nearer to a private row than
half the spacing that nearly every private row keeps from its nearest other row.
"""

import warnings

import numpy as np

from ..utils import check_input_shape

__all__ = ["export_guard"]

FLOOR_SHARE = 0.1  # the threshold's floor, as a share of the median distance between rows
MIN_THRESHOLD = 1e-3  # shape distance: copies stored at another float precision are caught
_SPREAD_ROWS = 2000  # rows (evenly spaced) whose pairwise distances give the data's spread
_IDENTICAL = 1.0 - MIN_THRESHOLD ** 2 / 2.0  # the correlation of shapes MIN_THRESHOLD apart
_SHOWN_INDICES = 10
_CHUNK = 2048  # query rows per matrix product: bounds memory at 2048 x n_train floats


def _shapes(X, scale, input_shape):
    """Rows as shapes (float32): every channel centred on its own mean and divided by the
    private rows' spread of that channel, the row then scaled to unit norm; and whether
    each row is flat."""
    Z = np.asarray(X, dtype=np.float64).reshape(len(X), *input_shape) / scale
    Z = Z - Z.mean(axis=2, keepdims=True)
    norm = np.sqrt((Z ** 2).sum(axis=(1, 2), keepdims=True))
    flat = norm.ravel() <= 1e-9 * max(1.0, float(np.max(norm, initial=0.0)))
    return (Z / np.where(flat[:, None, None], 1.0, norm)).astype(np.float32), flat


def _variants(Z, max_shift):
    """``Z`` as compared: shifted in time by up to ``max_shift`` steps, and reversed."""
    for reversed_ in (False, True):
        base = Z[..., ::-1] if reversed_ else Z
        for shift in range(-max_shift, max_shift + 1):
            yield (np.roll(base, shift, axis=-1) if shift else base).reshape(len(Z), -1)


def _nearest(queries, references, max_shift, exclude_self=False):
    """Distance of each query shape to its nearest reference shape under the variants.

    For unit-norm centred shapes the distance is ``sqrt(2 - 2 |correlation|)``: the
    absolute value covers a change of sign. With ``exclude_self`` (queries and
    references are the same rows), query ``i`` is not compared with reference ``i``
    nor with rows identical to it (within :data:`MIN_THRESHOLD`): duplicates do not
    count as spacing.
    """
    R = references.reshape(len(references), -1).T
    best = np.zeros(len(queries), dtype=np.float32)
    for start in range(0, len(queries), _CHUNK):
        rows = slice(start, start + len(queries[start:start + _CHUNK]))
        for Q in _variants(queries[rows], max_shift):
            correlation = np.abs(Q @ R)
            if exclude_self:
                correlation[np.arange(len(Q)), np.arange(rows.start, rows.stop)] = 0.0
                correlation[correlation >= _IDENTICAL] = 0.0
            best[rows] = np.maximum(best[rows], correlation.max(axis=1))
    return np.sqrt(np.clip(2.0 - 2.0 * best.astype(np.float64), 0.0, None))


def _spread(private):
    """The median shape distance between two private rows (evenly spaced subsample)."""
    rows = private[np.linspace(0, len(private) - 1, min(len(private), _SPREAD_ROWS)).astype(int)]
    flat = rows.reshape(len(rows), -1)
    correlation = np.abs(flat @ flat.T)[np.triu_indices(len(rows), 1)]
    return float(np.median(np.sqrt(np.clip(2.0 - 2.0 * correlation, 0.0, None))))


def _threshold(spacing, spread, quantile, margin):
    """The copy threshold from the private rows' spacing and spread, and its record."""
    low = float(np.quantile(spacing, quantile))
    floor = FLOOR_SHARE * spread
    degenerate = margin * low < floor
    threshold = max(margin * low, floor, MIN_THRESHOLD)
    record = {
        "threshold": threshold,
        "private_spacing_quantile": low,
        "private_spread": spread,
        "floor": floor,
        "quantile": quantile,
        "margin": margin,
        "n_private_near_duplicates": int(np.sum(spacing < floor)),
        "degenerate": bool(degenerate),
    }
    if degenerate:
        warnings.warn(
            f"The export guard's threshold is degenerate: {record['n_private_near_duplicates']} "
            f"of {len(spacing)} private rows have a near-duplicate, and {margin} of the "
            f"{quantile:.0%} quantile of the private rows' spacing ({margin * low:.3g}) is "
            f"below the floor of {FLOOR_SHARE} of their median distance ({floor:.3g}), which "
            "the guard uses instead. Remove duplicate rows from X_train.",
            UserWarning, stacklevel=3)
    return threshold, record


def show_indices(indices):
    """The first indices of a list, for an error message (``[3, 8, ...]``)."""
    shown = ", ".join(str(i) for i in indices[:_SHOWN_INDICES])
    return f"[{shown}{', ...' if len(indices) > _SHOWN_INDICES else ''}]"


def export_guard(X, X_train, *, input_shape=None, on_copy="refuse", max_shift=2, quantile=0.05,
                 margin=0.5):
    """Which stimuli may leave: those not nearer to a private row than private rows are.

    **What it compares.** Each channel of a row is centred on its own mean and divided
    by the private rows' spread of that channel; the row is then scaled to unit norm
    (its *shape*). The distance of a stimulus to a private row is the distance between
    their shapes at the best of: time shifts of up to ``max_shift`` steps (circular),
    time reversal, and a change of sign of all channels. For unit-norm shapes it is
    ``sqrt(2 - 2 |r|)``, ``r`` their correlation: 0 for a copy, about 1.4 for
    unrelated rows.

    **The threshold.** Each private row's distance to its nearest other private row
    (its *spacing*, under the same comparisons; rows identical to it within 0.001 do
    not count) is computed. A stimulus is a copy when
    it lies within ``margin`` times the ``quantile`` quantile of the spacings: nearer
    to a private row than nearly all private rows are to each other. A few
    near-duplicate private rows do not move a quantile. The threshold never falls below
    a floor of a tenth of the median distance between two private rows (the data's
    spread, which near-duplicates cannot shrink); where the floor applies, a warning
    says the threshold is degenerate (more than ``quantile`` of the rows have a
    near-duplicate). Nor is it ever below 0.001, so copies at another float precision
    are always caught.

    **What it catches**: exact copies, copies at another float precision, copies with
    noise small against the private rows' spacing, copies shifted in level, scaled in
    amplitude (by any factor, of either sign), shifted in time by up to ``max_shift``
    steps, time-reversed, or with every channel negated, and combinations of these.
    **What it cannot catch**: copies shifted further in time or warped in time; copies
    with channels scaled, negated or swapped one by one; noise comparable to the
    private rows' spacing; a segment of a private row inside a stimulus; averages of a
    few rows; copies of recordings that are not in ``X_train`` (the same people's other
    nights). Flat rows (no variation) are never copies. The guard is a last line
    against accidents, not a proof of privacy: measure that with
    :mod:`skstim.evaluation`.

    Parameters
    ----------
    X : array-like of shape (n_stimuli, n_features)
        Stimuli, finite.
    X_train : array-like of shape (n_train, n_features)
        The private training rows, finite; at least two rows that are not flat.
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of one row; ``None`` means ``(1, n_features)``.
    on_copy : {"refuse", "drop"}, default="refuse"
        Raise a ValueError when any stimulus is a copy, or mark copies to be dropped
        with a :class:`UserWarning`.
    max_shift : int, default=2
        Largest time shift, in steps, under which rows are compared.
    quantile : float, default=0.05
        Share of the private rows whose spacing may fall below the one that sets the
        threshold.
    margin : float, default=0.5
        The threshold as a share of that spacing.

    Returns
    -------
    keep : ndarray of shape (n_stimuli,), bool
        The stimuli that may be saved.
    record : dict
        ``threshold`` (shape distance at or below which a stimulus is a copy),
        ``private_spacing_quantile``, ``private_spread``, ``floor``, ``quantile``,
        ``margin``, ``max_shift``, ``n_private_near_duplicates``, ``degenerate``,
        ``n_checked``, ``n_dropped``, ``dropped_indices`` and ``min_distance`` (the
        smallest distance of a kept stimulus to a private row).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X_train = rng.normal(size=(50, 24)).cumsum(axis=1)
    >>> copies = [X_train[3], 1.1 * np.roll(X_train[7], 1), -X_train[9][::-1]]
    >>> X = np.vstack([rng.normal(size=(4, 24)).cumsum(axis=1), copies])
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     keep, record = export_guard(X, X_train, on_copy="drop")
    >>> keep.tolist(), record["dropped_indices"]
    ([True, True, True, True, False, False, False], [4, 5, 6])
    """
    X = np.asarray(X)
    X_train = np.asarray(X_train)
    n_stimuli, n_features = X.shape
    if X_train.shape[1] != n_features:
        raise ValueError(
            f"X_train has {X_train.shape[1]} features but X has {n_features}: pass the "
            "private training rows the stimuli were made from, flat like X."
        )
    shape = check_input_shape(input_shape, n_features)
    channels = X_train.reshape(len(X_train), *shape)
    scale = (channels - channels.mean(axis=2, keepdims=True)).std(axis=(0, 2))[:, None]
    scale = np.where(scale > 0, scale, 1.0)
    private, private_flat = _shapes(X_train, scale, shape)
    private = private[~private_flat]
    if len(np.unique(np.round(private, 5), axis=0)) < 2:
        raise ValueError(
            "X_train must hold at least two distinct rows that are not flat: the copy "
            "threshold is the spacing between private rows."
        )
    spacing = _nearest(private, private, max_shift, exclude_self=True)
    threshold, record = _threshold(spacing, _spread(private), quantile, margin)
    stimuli, flat = _shapes(X, scale, shape)
    distance = _nearest(stimuli, private, max_shift)
    distance[flat] = np.inf
    copies = np.flatnonzero(distance <= threshold)
    meaning = (f"shape distance {threshold:.4g}: " + (
        f"the floor, {FLOOR_SHARE} of the median distance between private rows, as their "
        "spacing is degenerate" if record["degenerate"] else
        f"{margin} of the spacing that {1 - quantile:.0%} of the private rows keep from their "
        "nearest other row") + f"; compared under time shifts up to {max_shift}, reversal, "
        "sign and amplitude")
    if len(copies) and on_copy == "refuse":
        raise ValueError(
            f"{len(copies)} of {n_stimuli} stimuli are copies of rows of X_train (within "
            f"{meaning}); indices {show_indices(copies)}. Nothing was written. Pass on_copy='drop' "
            "to save the other stimuli."
        )
    if len(copies) == n_stimuli:
        raise ValueError(
            f"All {n_stimuli} stimuli are copies of rows of X_train (within {meaning}): "
            "nothing would be left to save. Synthesize new stimuli (e.g. more optimization "
            "steps, another init)."
        )
    keep = np.ones(n_stimuli, dtype=bool)
    keep[copies] = False
    if len(copies):
        warnings.warn(
            f"save_stimuli dropped {len(copies)} of {n_stimuli} stimuli that are copies of "
            f"rows of X_train (indices {show_indices(copies)}); see metadata['export_guard'].",
            UserWarning, stacklevel=3,
        )
    kept = distance[keep]
    record.update(
        max_shift=int(max_shift), n_checked=int(n_stimuli), n_dropped=int(len(copies)),
        dropped_indices=copies.tolist(),
        min_distance=float(kept.min()) if np.isfinite(kept).any() else None,
    )
    return keep, record
