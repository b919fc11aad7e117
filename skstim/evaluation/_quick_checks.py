"""Quick privacy checks a data holder runs before a release: stimuli against real rows.

Two checks, both JSON-ready: the distance of each stimulus to its closest real row against
the real rows' own spacing, and subject attackers' posteriors on the stimuli against their
power on real rows held back from them, with the worst case over the attackers. Every
estimate carries a 95 % interval. They need no outside people; the full protocol
(members, holdout people, noise floor) is :func:`evaluate_privacy`.
"""

from numbers import Integral

import numpy as np

from ..utils import (
    bootstrap_interval,
    child_seed,
    int_seed,
    nearest_distances,
    proportion_interval,
    seed_sequence,
    standardize,
)
from ._hrv import make_hrv_attacker
from ._privacy import make_subject_attacker

__all__ = ["quick_privacy_checks"]

_MIN_TIMES = 8  # both attackers' features need windows of at least 8 time steps per channel
# (summary key, name in messages) of each attacker, in the order they run
_ATTACKERS = (("reidentification", "the summary-feature attacker"),
             ("reidentification_hrv", "the HRV attacker"))


def _json_interval(pair):
    """``[low, high]`` as JSON: a bound that is not finite (JSON has none) is None."""
    return [float(v) if np.isfinite(v) else None for v in pair]


def _bootstrap(statistic, *samples, seed, n_resamples):
    """The JSON percentile-bootstrap interval of ``statistic(*samples)``."""
    return _json_interval(bootstrap_interval(statistic, *samples, n_resamples=n_resamples,
                                             random_state=seed))


def _median_ratio(a, b, axis=-1):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.median(a, axis=axis) / np.median(b, axis=axis)


def _distance_check(X_stimuli, X_real, seed, n_resamples):
    """Nearest-real-row distance of the stimuli against the real rows' own spacing."""
    real, stimuli = standardize(X_real, X_stimuli)  # a constant feature is divided by 1
    stimuli = nearest_distances(real, stimuli)
    real = nearest_distances(real)  # each real row to its nearest *other* real row
    median_real = float(np.median(real))
    median_stimuli = float(np.median(stimuli))
    near = int(np.count_nonzero(stimuli < median_real))

    def interval(k, statistic, *samples):
        return _bootstrap(statistic, *samples, seed=child_seed(seed, k), n_resamples=n_resamples)

    return {
        "median_stimulus_to_nearest_real_row": median_stimuli,
        "median_stimulus_to_nearest_real_row_ci": interval(0, np.median, stimuli),
        "median_real_row_to_nearest_other_real_row": median_real,
        "median_real_row_to_nearest_other_real_row_ci": interval(1, np.median, real),
        "ratio": median_stimuli / median_real if median_real > 0 else None,
        "ratio_ci": interval(2, _median_ratio, stimuli, real) if median_real > 0 else None,
        "share_of_stimuli_nearer_than_median_real_spacing": near / len(stimuli),
        "share_of_stimuli_nearer_than_median_real_spacing_ci":
            list(proportion_interval(near, len(stimuli))),
        "min_stimulus_to_nearest_real_row": float(stimuli.min()),
        "units": "Euclidean distance after standardizing each feature with the real rows",
    }


def _attacker_rows(index, n_subjects, rng):
    """A random half (at least one row) of each subject's real rows: the attacker's rows."""
    attacker_rows = np.zeros(len(index), dtype=bool)
    for s in range(n_subjects):
        rows = rng.permutation(np.flatnonzero(index == s))
        attacker_rows[rows[: max(1, (len(rows) + 1) // 2)]] = True
    return attacker_rows


def _make_attackers(input_shape, sampling_rate, random_state):
    """``{key: (unfitted attacker, description)}`` of the attackers, as ``_ATTACKERS``."""
    rate = 1.0 if sampling_rate is None else float(sampling_rate)
    hrv = {
        "attacker": f"random forest on the heart-rate-variability measures of each channel, "
                    f"read as an RR series sampled at {rate:g} Hz "
                    "(skstim.evaluation.make_hrv_attacker), trained on the same half of "
                    "each subject's real rows",
        "sampling_rate": rate,
        "sampling_rate_assumed": sampling_rate is None,
    }
    summary = {"attacker": "random forest on per-channel summary features "
                           "(skstim.evaluation.make_subject_attacker), trained on a random half "
                           "of each subject's real rows"}
    return {
        "reidentification": (make_subject_attacker(input_shape, random_state=random_state),
                             summary),
        "reidentification_hrv": (make_hrv_attacker(input_shape, sampling_rate=rate,
                                                   random_state=random_state), hrv),
    }


def _share_of_power(stimuli_top, real_top, chance, seed, n_resamples):
    """How far the stimuli's mean top posterior lies above chance, as a share of the real
    held-back rows' (bootstrap over both sets of rows, independently)."""
    def share(stimuli, real, axis=-1):
        with np.errstate(divide="ignore", invalid="ignore"):
            return ((np.mean(stimuli, axis=axis) - chance)
                    / (np.mean(real, axis=axis) - chance))

    point = float(share(stimuli_top, real_top))
    if not np.isfinite(point):  # the posteriors on real rows are uniform
        return {"share_of_power": None, "share_of_power_ci": None}
    return {"share_of_power": point,
            "share_of_power_ci": _bootstrap(share, stimuli_top, real_top, seed=seed,
                                            n_resamples=n_resamples)}


def _attack(attacker, X_stimuli, X_real, groups, attacker_rows, seed, n_resamples):
    """Fit ``attacker`` on ``attacker_rows``; its power on the others, its posteriors on the
    stimuli, and the share of that power the stimuli carry."""
    attacker.fit(X_real[attacker_rows], groups[attacker_rows])
    classes = np.asarray(attacker.classes_)
    chance = 1.0 / len(classes)
    held_back = ~attacker_rows
    result = {}
    if held_back.any():
        proba = attacker.predict_proba(X_real[held_back])
        real_top = proba.max(axis=1)
        n, correct = int(held_back.sum()), int(np.count_nonzero(
            classes[proba.argmax(axis=1)] == groups[held_back]))
        accuracy_ci = list(proportion_interval(correct, n))
        result.update(
            real_held_back_top1_accuracy=correct / n,
            real_held_back_top1_accuracy_ci=accuracy_ci,
            real_held_back_mean_top_posterior=float(real_top.mean()),
            real_held_back_mean_top_posterior_ci=_bootstrap(
                np.mean, real_top, seed=child_seed(seed, 0), n_resamples=n_resamples),
            n_real_held_back=n,
            has_power=bool(accuracy_ci[0] > chance),
        )
    proba = attacker.predict_proba(X_stimuli)
    top = proba.max(axis=1)
    linked = np.bincount(proba.argmax(axis=1), minlength=len(classes))
    result.update(
        stimuli_mean_top_posterior=float(top.mean()),
        stimuli_mean_top_posterior_ci=_bootstrap(np.mean, top, seed=child_seed(seed, 1),
                                                 n_resamples=n_resamples),
        stimuli_share_linked_to_most_common_subject=float(linked.max() / linked.sum()),
        stimuli_share_linked_to_most_common_subject_ci=list(
            proportion_interval(linked.max(), linked.sum())),
        stimuli_subjects_linked_at_least_once=int(np.count_nonzero(linked)),
    )
    if held_back.any():
        result.update(_share_of_power(top, real_top, chance, child_seed(seed, 2), n_resamples))
    return result


def _reidentification_checks(X_stimuli, X_real, groups, input_shape, root, random_state,
                             sampling_rate, n_resamples):
    """Every attacker of ``_ATTACKERS``, trained on the same half of each subject's rows."""
    subjects, index, counts = np.unique(groups, return_inverse=True, return_counts=True)
    if len(subjects) < 2:
        reason = f"needs at least two subjects, the data has {len(subjects)}"
        return {key: {"skipped": reason} for key, _ in _ATTACKERS}
    attacker_rows = _attacker_rows(index, len(subjects), np.random.default_rng(root))
    # an int seed passes through (the forests draw as before); else one drawn from root,
    # so that no forest falls back on numpy's global random state
    seed = random_state if isinstance(random_state, Integral) else int_seed(child_seed(root, 0))
    attackers = _make_attackers(input_shape, sampling_rate, seed)
    results = {}
    for k, (key, name) in enumerate(_ATTACKERS):
        if input_shape[1] < _MIN_TIMES:
            results[key] = {"skipped": f"{name} needs at least {_MIN_TIMES} time steps per "
                                       f"channel, input shape is {tuple(input_shape)}"}
            continue
        attacker, description = attackers[key]
        results[key] = {
            **description,
            "n_subjects": int(len(subjects)),
            "chance": 1.0 / len(subjects),
            "largest_subject_share_of_real_rows": float(counts.max() / counts.sum()),
            **_attack(attacker, X_stimuli, X_real, groups, attacker_rows,
                      child_seed(root, 2 + k), n_resamples),
        }
    return results


def _worst_case(results):
    """The attacker with power whose stimuli carry the largest share of it, or why none."""
    ran = {key: r for key, r in results.items() if "skipped" not in r}
    if not ran:
        reasons = dict.fromkeys(r["skipped"] for r in results.values())
        return {"attacker": None, "reason": "no attacker ran: " + "; ".join(reasons)}
    with_power = [key for key, r in ran.items()
                  if r.get("has_power") and r.get("share_of_power") is not None]
    if not with_power:
        return {"attacker": None,
                "reason": "no attacker has power: none links the held-back real rows to their "
                          "subjects above chance (the lower end of the 95% interval of its "
                          "top-1 accuracy is at or below chance), so its posteriors on the "
                          "stimuli measure no resemblance to people"}
    worst = max(with_power, key=lambda key: ran[key]["share_of_power"])
    return {"attacker": worst, "share_of_power": ran[worst]["share_of_power"],
            "share_of_power_ci": ran[worst]["share_of_power_ci"],
            "attackers_with_power": with_power}


def quick_privacy_checks(X_stimuli, X_real, groups, input_shape, random_state=0, *,
                         sampling_rate=None, n_resamples=1000):
    """The distance and re-identification checks of the stimuli against real rows (JSON-ready).

    The checks ``skstim synthesize`` and ``skstim evaluate`` print: how near stimuli lie
    to real rows compared with how near real rows lie to each other, and how strongly
    two subject attackers link stimuli to single people, beside their power on real rows
    held back from them. Both attackers are trained on the same random half of each
    subject's real rows: the summary-feature attacker (:func:`make_subject_attacker`)
    and the HRV biometric attacker (:func:`make_hrv_attacker`).

    **Worst case.** An attacker *has power* where the lower end of the 95 % interval of
    its top-1 accuracy on the held-back real rows lies above chance (one over the number
    of subjects). For each attacker, the *share of its power* the stimuli carry is
    ``(stimuli mean top posterior - chance) / (held-back real rows' mean top posterior -
    chance)``: 0 where the attacker is no surer of one person on a stimulus than it
    would be by chance, 1 where it is as sure as on real rows of people it knows, above
    1 where it is surer (copies of the rows it was trained on, say). ``"worst_case"`` names, among the attackers with power, the one
    with the largest share: the attack under which the stimuli resemble single people
    most, relative to what that attack can do at all. A stimulus has no true subject, so
    this measures resemblance, not re-identification of a named person. An attacker
    without power says nothing either way, and a worst case of none is no evidence of
    privacy.

    **Intervals.** Every estimate ``key`` has ``key + "_ci"``, its 95 % interval
    ``[low, high]``: a bound that is not finite is None, an interval that cannot be
    computed is ``[None, None]``, the interval of a figure that is None is None. Wilson
    intervals (:func:`proportion_interval`) for shares and accuracies; percentile
    bootstraps over rows (``n_resamples`` resamples) for the medians, the mean
    posteriors, the ratio of the two medians and the share of power, where the two sets
    of rows of a ratio (stimuli and real rows) are resampled independently, rather than
    the two intervals propagated. Rows are resampled, not people: rows of one person are
    not independent, so the intervals are too narrow where people differ. The Wilson
    intervals of the share of near stimuli and of the share linked to the most common
    subject take the median spacing and that subject as fixed. Counts, baselines (chance,
    the largest subject's share) and the smallest distance describe the data and carry
    none.

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
        ``(C, T)`` of one row. Both attackers need ``T >= 8``; with fewer time steps
        they are skipped with the reason.
    random_state : int, Generator or None, default=0
        Seed of the attackers, of their half of the rows and of every bootstrap;
        numpy's global random state is never used.
    sampling_rate : float or None, default=None
        Samples per second of each channel, for the HRV attacker's spectral bands.
        ``None``: unknown, read as 1.0 and recorded as assumed (the files of
        ``skstim synthesize`` and ``skstim evaluate`` record no sampling rate).
    n_resamples : int, default=1000
        Bootstrap resamples of every bootstrap interval.

    Returns
    -------
    summary : dict
        - ``"n_stimuli_checked"``, ``"n_real_rows"``;
        - ``"distance_to_closest_record"``: medians of the stimuli's and of the real
          rows' nearest-real-row distances, their ``"ratio"``, the share of stimuli
          nearer than the real rows' median spacing, the smallest distance;
        - ``"reidentification"`` (summary-feature attacker) and
          ``"reidentification_hrv"`` (HRV attacker, with ``"sampling_rate"`` and
          ``"sampling_rate_assumed"``), each ``{"skipped": reason}`` where it cannot run,
          else ``"attacker"`` (a description), ``"n_subjects"``, ``"chance"``, the
          largest subject's share of the real rows, the top-1 accuracy and mean top
          posterior on the held-back rows, ``"has_power"``, the mean top posterior on the
          stimuli, the share of stimuli linked to the most common subject, the subjects
          linked at least once and ``"share_of_power"``;
        - ``"worst_case"``: ``{"attacker": key, "share_of_power": x,
          "share_of_power_ci": [low, high], "attackers_with_power": [key, ...]}``, or
          ``{"attacker": None, "reason": reason}`` where no attacker has power.

    Raises
    ------
    ValueError
        ``sampling_rate`` is given but not a positive number.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> groups = np.repeat([0, 1, 2], 20)                 # three people of different levels
    >>> X_real = rng.normal(size=(60, 16)) + 3 * groups[:, None]
    >>> summary = quick_privacy_checks(X_real[:5], X_real, groups, (1, 16), n_resamples=200)
    >>> round(summary["distance_to_closest_record"]["median_stimulus_to_nearest_real_row"], 6)
    0.0
    >>> reid = summary["reidentification"]
    >>> reid["n_subjects"], reid["has_power"]
    (3, True)
    >>> low, high = reid["stimuli_mean_top_posterior_ci"]
    >>> bool(low <= reid["stimuli_mean_top_posterior"] <= high)
    True
    >>> worst = summary["worst_case"]
    >>> worst["attacker"] in worst["attackers_with_power"]
    True
    """
    if sampling_rate is not None and not (np.isfinite(sampling_rate) and sampling_rate > 0):
        raise ValueError(f"sampling_rate must be a positive number of samples per second or "
                         f"None, got {sampling_rate!r}.")
    root = seed_sequence(random_state)
    summary = {"n_stimuli_checked": int(len(X_stimuli)), "n_real_rows": int(len(X_real)),
               "distance_to_closest_record": _distance_check(X_stimuli, X_real,
                                                             child_seed(root, 1), n_resamples)}
    if groups is None:
        results = {key: {"skipped": "no subject ids (groups=None)"} for key, _ in _ATTACKERS}
    else:
        results = _reidentification_checks(X_stimuli, X_real, np.asarray(groups), input_shape,
                                           root, random_state, sampling_rate, n_resamples)
    summary.update(results)
    summary["worst_case"] = _worst_case(results)
    return summary
