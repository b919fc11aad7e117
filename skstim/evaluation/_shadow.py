"""Shadow-model membership inference: the attacker reruns the method to learn what membership looks like.

Stadler et al. ("Synthetic Data - Anonymisation Groundhog Day", USENIX Security 2022)
attack synthetic data by training the generator on shadow data sets with and without a
target; the likelihood-ratio test of Carlini et al. (LiRA, IEEE S&P 2022) turns the two
distributions of a per-target statistic into a calibrated score. Here the target is a
person, and the statistic is the released set's density at that person's windows.
"""

import numbers

import numpy as np
from scipy.stats import norm
from sklearn.utils import check_array

from ..utils import auc_with_interval, check_same_length, numpy_generator
from ._density_ratio import attack_space, check_n_bootstrap, log_density, per_person_mean
from ._privacy import both_sides_mask

__all__ = ["shadow_membership"]


def _halves(groups, people):
    """Per person, the first half of their rows (shadow training) and the rest (probes)."""
    train = np.zeros(len(groups), dtype=bool)
    for person in people:
        rows = np.flatnonzero(groups == person)
        train[rows[: len(rows) // 2]] = True
    return train, ~train


def _inclusions(n_people, n_shadows, rng):
    """Which people each shadow release includes: random halves, each followed by its
    complement, so that every person is in exactly half of an even number of shadows."""
    rows = []
    for k in range(n_shadows):
        if k % 2 == 0:
            chosen = np.zeros(n_people, dtype=bool)
            chosen[rng.permutation(n_people)[: n_people // 2]] = True
        else:
            chosen = ~rows[-1]
        rows.append(chosen)
    return np.array(rows)


def _centred_statistic(space, X_set, Z_probe, groups_probe, people):
    """Each person's mean log density of ``X_set`` at their probes, minus the mean over people.

    Centring per release removes what the release's size and spread do to every person
    alike, so that shadow releases smaller than the one attacked stay comparable.
    """
    statistic = per_person_mean(log_density(space, X_set, Z_probe), groups_probe, people)
    return statistic - statistic.mean()


def _likelihood_ratio(target, shadow, included):
    """LiRA with per-person means and one pooled spread per hypothesis (few shadows)."""
    n_in, n_out = included.sum(axis=0), (~included).sum(axis=0)
    mean_in = np.where(included, shadow, 0).sum(axis=0) / n_in
    mean_out = np.where(~included, shadow, 0).sum(axis=0) / n_out
    spread_in = np.std((shadow - mean_in)[included]) + 1e-6
    spread_out = np.std((shadow - mean_out)[~included]) + 1e-6
    return norm.logpdf(target, mean_in, spread_in) - norm.logpdf(target, mean_out, spread_out)


def shadow_membership(release, X_released, X_attacker, y_attacker, groups_attacker, members, *,
                      n_shadows=16, input_shape=None, n_components=10, n_bootstrap=1000,
                      random_state=None):
    """Shadow-model membership (LiRA over people): was each known person in the private set?

    The attacker knows the method and its parameters (``release``) and holds labelled
    recordings of the candidate people (``X_attacker``). It splits each candidate's
    rows in two: the first half stands in for that person's private data in shadow
    releases, the second half are probe windows. Each of ``n_shadows`` shadow releases
    runs ``release`` on the first halves of a random half of the candidates (and the
    next on the other half), so every candidate is in half of the shadows. The
    statistic of a person in a release is the release's mean log kernel density at the
    person's probes, in :func:`~skstim.evaluation.density_ratio_membership`'s space,
    centred over people. Per person, Gaussians fitted to the statistic in the shadows
    with and without them (per-person means, pooled spreads: the fixed-variance LiRA of
    Carlini et al. for few shadows) score the release under attack by the log
    likelihood ratio.

    Shadow releases may be cheaper than the release under attack (fewer stimuli,
    fewer steps); the centring keeps their statistics on one scale, but a shadow that
    differs from the attacked method under-states the attack: say so beside its figure.
    In the shadows a person's training and probe windows come from the same recording,
    while the release under attack learned from another recording, so the shadows
    show the attacker more membership signal than the release can carry.

    Parameters
    ----------
    release : callable
        ``release(X, y, groups, random_state) -> X_released`` (or a tuple whose first
        item is the released rows): the method under attack, as the attacker reruns it.
    X_released : array-like of shape (n_released, n_features)
        The release under attack.
    X_attacker : array-like of shape (n_attacker, n_features)
        The attacker's recordings of the candidates, in time order per person.
    y_attacker : array-like of shape (n_attacker,)
        Their labels (the shadow releases are fitted on them).
    groups_attacker : array-like of shape (n_attacker,)
        Person of each row; every person needs at least two rows.
    members : array-like
        Ids of the private people; the other candidates are non-members.
    n_shadows : int, default=16
        Shadow releases; even, at least 2.
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of a window; ``None`` means one channel.
    n_components : int, default=10
        Dimensions of the whitened summary-feature space of the densities.
    n_bootstrap : int, default=1000
        Resamples of people for the AUC's interval; 0 skips it.
    random_state : int, Generator or None, default=None
        Seed of the inclusions, of each shadow release and of the bootstrap.

    Returns
    -------
    result : dict
        ``auc``, ``auc_ci``, ``tpr_at_1pct_fpr``, ``tpr_at_01pct_fpr`` (members against
        non-members), ``scores`` (person -> log likelihood ratio), ``n_members``,
        ``n_nonmembers``, ``n_shadows``.

    Examples
    --------
    >>> from skstim.datasets import make_sleep_apnea
    >>> d = make_sleep_apnea(n_subjects=8, n_windows=40, sampling_rate=1.0, random_state=0)
    >>> later = np.tile(np.arange(40) >= 20, 8)
    >>> def copy(X, y, groups, random_state):          # a "method" that copies its input
    ...     return X
    >>> private = ~later & (d.groups < 4)
    >>> r = shadow_membership(copy, d.X[private], d.X[later], d.y[later], d.groups[later],
    ...                       members=[0, 1, 2, 3], n_shadows=4, input_shape=d.input_shape,
    ...                       random_state=0)
    >>> r["n_shadows"], r["auc"] > 0.9
    (4, True)
    """
    check_n_bootstrap(n_bootstrap)
    if (not isinstance(n_shadows, numbers.Integral) or isinstance(n_shadows, bool)
            or n_shadows < 2 or n_shadows % 2):
        raise ValueError(f"n_shadows must be an even int of at least 2 (each person is in "
                         f"half of the shadows); got {n_shadows!r}.")
    if not callable(release):
        raise TypeError(f"release must be a callable release(X, y, groups, random_state); "
                        f"got {type(release).__name__}.")
    X_released = check_array(X_released, dtype=np.float64, input_name="X_released")
    X_attacker = check_array(X_attacker, dtype=np.float64, input_name="X_attacker")
    y_attacker = np.asarray(y_attacker).ravel()
    groups_attacker = np.asarray(groups_attacker).ravel()
    check_same_length(X_attacker=X_attacker, y_attacker=y_attacker,
                      groups_attacker=groups_attacker)
    if X_released.shape[1] != X_attacker.shape[1]:
        raise ValueError(f"X_released has {X_released.shape[1]} features but X_attacker has "
                         f"{X_attacker.shape[1]}; both must be windows of the same shape.")
    people, counts = np.unique(groups_attacker, return_counts=True)
    if counts.min() < 2:
        raise ValueError(f"person {people[counts.argmin()]!r} has one row in X_attacker; the "
                         "attack needs two or more rows per person (shadow data and probes).")
    is_member = both_sides_mask(people, members, "groups_attacker")

    rng = numpy_generator(random_state)
    train, probe = _halves(groups_attacker, people)
    space = attack_space(X_attacker, input_shape, n_components)
    Z_probe = space.transform(X_attacker[probe])
    g_probe = groups_attacker[probe]

    included = _inclusions(len(people), n_shadows, rng)
    shadow = np.empty((n_shadows, len(people)))
    for k, chosen in enumerate(included):
        rows = train & np.isin(groups_attacker, people[chosen])
        X_shadow = release(X_attacker[rows], y_attacker[rows], groups_attacker[rows],
                           int(rng.integers(2**31 - 1)))
        X_shadow = X_shadow[0] if isinstance(X_shadow, tuple) else X_shadow
        shadow[k] = _centred_statistic(space, check_array(X_shadow, dtype=np.float64),
                                       Z_probe, g_probe, people)
    target = _centred_statistic(space, X_released, Z_probe, g_probe, people)
    scores = _likelihood_ratio(target, shadow, included)
    figures = auc_with_interval(is_member, scores, n_bootstrap=n_bootstrap, random_state=rng)
    return {**figures, "scores": dict(zip(people.tolist(), scores.tolist())),
            "n_members": int(is_member.sum()), "n_nonmembers": int((~is_member).sum()),
            "n_shadows": int(n_shadows)}
