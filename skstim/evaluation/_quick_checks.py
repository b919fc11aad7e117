"""Quick privacy checks a data holder runs before a release: stimuli against real rows.

Two checks, both JSON-ready: the distance of each stimulus to its closest real row against
the real rows' own spacing, and a subject attacker's posterior on the stimuli against its
power on real rows held back from it. They need no outside people; the full protocol
(members, holdout people, noise floor) is :func:`evaluate_privacy`.
"""

import numpy as np

from ..utils import nearest_distances, numpy_generator, standardize
from ._privacy import make_subject_attacker

__all__ = ["quick_privacy_checks"]


def _distance_check(X_stimuli, X_real):
    """Nearest-real-row distance of the stimuli against the real rows' own spacing."""
    real, stimuli = standardize(X_real, X_stimuli)  # a constant feature is divided by 1
    stimuli = nearest_distances(real, stimuli)
    real = nearest_distances(real)  # each real row to its nearest *other* real row
    median_real = float(np.median(real))
    median_stimuli = float(np.median(stimuli))
    return {
        "median_stimulus_to_nearest_real_row": median_stimuli,
        "median_real_row_to_nearest_other_real_row": median_real,
        "ratio": median_stimuli / median_real if median_real > 0 else None,
        "share_of_stimuli_nearer_than_median_real_spacing": float(np.mean(stimuli < median_real)),
        "min_stimulus_to_nearest_real_row": float(stimuli.min()),
        "units": "Euclidean distance after standardizing each feature with the real rows",
    }


def _reidentification_check(X_stimuli, X_real, groups, input_shape, random_state):
    """A summary-feature subject attacker trained on half of each subject's real rows."""
    subjects, index, counts = np.unique(groups, return_inverse=True, return_counts=True)
    if len(subjects) < 2:
        return {"skipped": f"needs at least two subjects, the data has {len(subjects)}"}
    if input_shape[1] < 8:
        return {"skipped": f"the summary-feature attacker needs at least 8 time steps per "
                           f"channel, input shape is {tuple(input_shape)}"}
    rng = numpy_generator(random_state)
    attacker_rows = np.zeros(len(groups), dtype=bool)
    for s in range(len(subjects)):
        rows = rng.permutation(np.flatnonzero(index == s))
        attacker_rows[rows[: max(1, (len(rows) + 1) // 2)]] = True
    held_back = ~attacker_rows
    attacker = make_subject_attacker(input_shape, random_state=random_state)
    attacker.fit(X_real[attacker_rows], groups[attacker_rows])
    classes = np.asarray(attacker.classes_)

    result = {
        "attacker": "random forest on per-channel summary features "
                    "(skstim.evaluation.make_subject_attacker), trained on a random half of "
                    "each subject's real rows",
        "n_subjects": int(len(subjects)),
        "chance": 1.0 / len(subjects),
        "largest_subject_share_of_real_rows": float(counts.max() / counts.sum()),
    }
    if held_back.any():
        proba = attacker.predict_proba(X_real[held_back])
        result["real_held_back_top1_accuracy"] = float(
            np.mean(classes[proba.argmax(axis=1)] == groups[held_back]))
        result["real_held_back_mean_top_posterior"] = float(proba.max(axis=1).mean())
        result["n_real_held_back"] = int(held_back.sum())
    proba = attacker.predict_proba(X_stimuli)
    linked = np.bincount(proba.argmax(axis=1), minlength=len(classes))
    result.update(
        stimuli_mean_top_posterior=float(proba.max(axis=1).mean()),
        stimuli_share_linked_to_most_common_subject=float(linked.max() / linked.sum()),
        stimuli_subjects_linked_at_least_once=int(np.count_nonzero(linked)),
    )
    return result


def quick_privacy_checks(X_stimuli, X_real, groups, input_shape, random_state=0):
    """The distance and re-identification checks of the stimuli against real rows (JSON-ready).

    The checks ``skstim synthesize`` and ``skstim evaluate`` print: how near stimuli lie
    to real rows compared with how near real rows lie to each other, and how strongly a
    subject attacker (:func:`make_subject_attacker`, trained on a random half of each
    subject's real rows) links stimuli to single people, beside its power on the other
    half.

    Parameters
    ----------
    X_stimuli : ndarray of shape (n_stimuli, n_features)
        Stimuli.
    X_real : ndarray of shape (n_real, n_features)
        Real rows (the private training rows in ``synthesize``, the real file in
        ``evaluate``).
    groups : ndarray of shape (n_real,) or None
        Subject of each real row; ``None`` skips re-identification.
    input_shape : tuple of int
        ``(C, T)`` of one row.
    random_state : int or None, default=0
        Seed of the attacker and of its half of the rows.

    Returns
    -------
    summary : dict
        ``"distance_to_closest_record"`` and ``"reidentification"`` (``{"skipped":
        reason}`` where it cannot run).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X_real, groups = rng.normal(size=(60, 16)), np.repeat([0, 1, 2], 20)
    >>> summary = quick_privacy_checks(X_real[:5], X_real, groups, (1, 16))
    >>> round(summary["distance_to_closest_record"]["median_stimulus_to_nearest_real_row"], 6)
    0.0
    >>> summary["reidentification"]["n_subjects"]
    3
    """
    summary = {"n_stimuli_checked": int(len(X_stimuli)), "n_real_rows": int(len(X_real)),
               "distance_to_closest_record": _distance_check(X_stimuli, X_real)}
    if groups is None:
        summary["reidentification"] = {"skipped": "no subject ids (groups=None)"}
    else:
        summary["reidentification"] = _reidentification_check(X_stimuli, X_real, groups,
                                                               input_shape, random_state)
    return summary
