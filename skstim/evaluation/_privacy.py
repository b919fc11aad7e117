"""Privacy: what released rows (stimuli, or a baseline set) give away about the private people.

Every attack here is meant to be run on three sets in the same run (the evaluation
protocol of the user guide): the real private rows (upper bound of risk, and proof that
the attack has power), the released rows, and pure noise from :func:`noise_set` (the
floor).

- :func:`reidentification`: an attacker who holds other real recordings of the people
  it knows links each released row to a person (:func:`make_subject_attacker`).
- :func:`membership_inference`: a subject-level loss attack against a classifier
  trained on the released rows.
- :func:`distance_to_closest_record`: are released rows nearer to the private rows than
  to rows of unseen people?
"""

import numbers

import numpy as np
from scipy.signal import welch
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils import check_array

from ..utils import (
    check_input_shape,
    auc_with_interval,
    check_same_length,
    nearest_distances,
    numpy_generator,
    sklearn_seed,
    standardize,
)

__all__ = [
    "summary_features",
    "make_subject_attacker",
    "reidentification",
    "membership_inference",
    "distance_to_closest_record",
    "noise_set",
]

_QUANTILES = (5, 25, 50, 75, 95)
_N_BANDS = 4
_MAX_NPERSEG = 64
_FEATURE_NAMES = (["mean", "std"] + [f"q{q}" for q in _QUANTILES]
                  + ["mean_abs_diff", "std_diff"] + [f"band{b}" for b in range(_N_BANDS)])


def _as_3d(X, input_shape, name="X"):
    X = check_array(X, dtype=np.float64, input_name=name)
    return X.reshape(len(X), *check_input_shape(input_shape, X.shape[1], data=name))


def summary_features(X, input_shape=None):
    """Per-channel summary of each window: level, spread, quantiles, differences, band powers.

    For every channel of every row: mean, standard deviation, the 5, 25, 50, 75 and
    95 % quantiles, the mean absolute successive difference, the standard deviation of
    the successive differences, and the relative power in 4 equal bands of the
    frequency axis (0 to Nyquist) of a Welch periodogram (:func:`scipy.signal.welch`,
    Hann segments of ``min(n_times, 64)`` samples, constant detrend; the zero frequency
    is left out; each band's power is divided by the total, 0 for a flat channel).
    A frequency belongs to the band whose upper edge it does not exceed, so that every
    band holds at least one frequency when ``n_times >= 8``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels * n_times)
        Windows, flattened channel-major.
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of one window; ``None`` means ``(1, n_features)``.

    Returns
    -------
    features : ndarray of shape (n_samples, n_channels * 13), float64
        Channel-major: the 13 features of channel 0, then those of channel 1, ...

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(5, 2 * 40))
    >>> F = summary_features(X, input_shape=(2, 40))
    >>> F.shape
    (5, 26)
    >>> bool(np.allclose(F[:, 0], X[:, :40].mean(axis=1)))
    True
    >>> bool(np.allclose(F[:, 9:13].sum(axis=1), 1.0))  # band powers of channel 0
    True
    """
    X3 = _as_3d(X, input_shape)
    n, n_channels, n_times = X3.shape
    if n_times < 8:
        raise ValueError(
            f"summary_features needs windows of at least 8 time steps for its 4 frequency "
            f"bands; got n_times={n_times}. Check input_shape={(n_channels, n_times)}."
        )
    diff = np.diff(X3, axis=-1)
    level = [X3.mean(axis=-1), X3.std(axis=-1)]
    quantiles = list(np.percentile(X3, _QUANTILES, axis=-1))
    differences = [np.abs(diff).mean(axis=-1), diff.std(axis=-1)]

    freqs, psd = welch(X3, nperseg=min(n_times, _MAX_NPERSEG), axis=-1)
    freqs, psd = freqs[1:], psd[..., 1:]  # drop the zero frequency
    # band b is (b/8, (b+1)/8] cycles per sample (fs=1, Nyquist 0.5)
    band = np.clip(np.ceil(freqs * 2 * _N_BANDS).astype(int) - 1, 0, _N_BANDS - 1)
    band_power = np.stack([psd[..., band == b].sum(axis=-1) for b in range(_N_BANDS)], axis=-1)
    total = band_power.sum(axis=-1, keepdims=True)
    relative = np.divide(band_power, total, out=np.zeros_like(band_power), where=total > 0)

    features = np.concatenate([np.stack(level + quantiles + differences, axis=-1), relative],
                              axis=-1)  # (n, C, 13)
    return features.reshape(n, n_channels * len(_FEATURE_NAMES))


def make_subject_attacker(input_shape=None, random_state=None):
    """An unfitted subject classifier on window summaries: the re-identification attacker.

    :func:`summary_features` of each window, standardized, then a
    :class:`~sklearn.ensemble.RandomForestClassifier` (300 trees, sklearn defaults
    otherwise; one core: set ``classifier__n_jobs`` for more).

    How often it names the person of a window of real Apnea-ECG recordings, against
    other attackers, is measured in the privacy benchmark page
    (``docs/benchmarks/privacy.md``, "Attacker calibration").

    Parameters
    ----------
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of one window; ``None`` means one channel.
    random_state : int, RandomState instance or None, default=None
        Seed of the forest.

    Returns
    -------
    attacker : :class:`~sklearn.pipeline.Pipeline`
        Steps ``"summary"``, ``"scale"``, ``"classifier"``; has ``predict_proba``.

    Examples
    --------
    >>> from skstim.datasets import make_sleep_apnea
    >>> d = make_sleep_apnea(n_subjects=3, n_windows=20, sampling_rate=1.0, random_state=0)
    >>> attacker = make_subject_attacker(d.input_shape, random_state=0).fit(d.X, d.groups)
    >>> attacker.predict_proba(d.X[:2]).shape
    (2, 3)
    """
    return Pipeline([
        ("summary", FunctionTransformer(summary_features, kw_args={"input_shape": input_shape})),
        ("scale", StandardScaler()),
        ("classifier", RandomForestClassifier(n_estimators=300, random_state=random_state)),
    ])


def _set_random_state(estimator, random_state):
    """Seed every ``random_state`` parameter of an (unfitted) estimator or pipeline."""
    params = {key: random_state for key in estimator.get_params(deep=True)
              if key == "random_state" or key.endswith("__random_state")}
    return estimator.set_params(**params) if params else estimator


def _seeded_clone(attacker, random_state):
    """A clone of ``attacker`` with every ``random_state`` set from ``random_state``
    (left as it is for ``None``); a frozen attacker is itself."""
    attacker = clone(attacker)
    if random_state is not None:
        _set_random_state(attacker, sklearn_seed(random_state))
    return attacker


def _member_mask(people, members):
    """Which of ``people`` are in ``members``; ``members`` must not be empty."""
    members = np.unique(np.asarray(members).ravel())
    if members.size == 0:
        raise ValueError("members is empty; pass the ids of the people whose data was private "
                         "(the teacher's training subjects).")
    return np.isin(people, members)


def both_sides_mask(people, members, name):
    """Which of ``people`` are members; raises unless both members and non-members are there."""
    is_member = _member_mask(people, members)
    n_members = int(is_member.sum())
    if n_members == 0 or n_members == len(people):
        side = "member" if n_members == 0 else "non-member"
        raise ValueError(
            f"{name} holds no {side} subject (members: {n_members} of {len(people)} "
            "subjects); the attack needs rows of both members and non-members. Check that "
            f"members and {name} use the same ids and type."
        )
    return is_member


def reidentification(X_released, X_attacker, groups_attacker, members, *, groups_released=None,
                     input_shape=None, attacker=None, n_bootstrap=1000, random_state=None):
    """Link each released row to a person with a subject classifier trained on other recordings.

    The attacker holds real recordings ``X_attacker`` of the people it knows (ids
    ``groups_attacker``: private members and people who were not in the private set),
    fits a clone of ``attacker`` on them, and names the top-1 person of each released
    row. If the released rows carry the members' identity, they are linked to members
    more often than chance, and the members get higher mean posteriors than the known
    non-members.

    Run it on the real private rows too (with ``groups_released``, where the truth is
    known): that is the upper bound, and it shows that the attacker has power at all.
    The attacker's recordings should then be other nights or other windows than the
    released ones.

    Rows unlike any person (:func:`noise_set`) tend to be linked to the same few people,
    so a ``ratio`` below 1 is no sign of protection by itself. The attack's power on real
    Apnea-ECG recordings is in the privacy benchmark page (``docs/benchmarks/privacy.md``,
    "Attacker calibration").

    Parameters
    ----------
    X_released : array-like of shape (n_released, n_features)
        Released rows (stimuli, a baseline set, or real rows for the baseline).
    X_attacker : array-like of shape (n_attacker, n_features)
        The attacker's own real recordings.
    groups_attacker : array-like of shape (n_attacker,)
        Person of each row of ``X_attacker``; at least two people.
    members : array-like
        Ids of the private people (members). Members the attacker does not know cannot
        be linked and are left out of ``chance`` and ``membership_auc``.
    groups_released : array-like of shape (n_released,) or None, default=None
        True person of each released row, when known (the real-data baseline); adds
        ``top1_accuracy`` and ``top1_chance``.
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of a row, for the default attacker.
    attacker : estimator or None, default=None
        Unfitted classifier with ``predict_proba``, cloned before fitting; ``None`` is
        :func:`make_subject_attacker` ``(input_shape)``. One already fitted on
        ``(X_attacker, groups_attacker)`` and wrapped in
        :class:`~sklearn.frozen.FrozenEstimator` (:func:`fit_attackers`) is used as it
        is, so that several released sets meet the same attacker for one fit.
    n_bootstrap : int, default=1000
        Resamples of people (members and non-members separately) for the interval of
        ``membership_auc``; 0 skips it.
    random_state : int, RandomState instance or None, default=None
        Seed of every ``random_state`` parameter of the attacker and of the bootstrap.

    Returns
    -------
    result : dict
        - ``"linked_to_members"``: share of released rows whose top-1 person is a member;
        - ``"chance"``: members among the known people / known people;
        - ``"ratio"``: ``linked_to_members / chance`` (1 = no more than chance);
        - ``"member_scores"``: dict person -> mean posterior of that person over the
          released rows, for every known person;
        - ``"membership_auc"``: ROC AUC of ``member_scores``, known members against
          known non-members (NaN if the attacker knows no non-member), and
          ``"membership_auc_ci"``, its 95 % bootstrap interval over people;
        - with ``groups_released``: ``"top1_accuracy"`` (share of released rows, among
          those whose person the attacker knows, linked to their true person) and
          ``"top1_chance"`` (1 / known people).

    Examples
    --------
    >>> from skstim.datasets import make_sleep_apnea
    >>> d = make_sleep_apnea(n_subjects=6, n_windows=20, sampling_rate=1.0, random_state=0)
    >>> first = d.X.reshape(6, 20, -1)[:, :10].reshape(60, -1)   # attacker's windows
    >>> second = d.X.reshape(6, 20, -1)[:, 10:].reshape(60, -1)  # released windows
    >>> g = np.repeat(np.arange(6), 10)
    >>> r = reidentification(second[g < 3], first, g, members=[0, 1, 2],
    ...                      groups_released=g[g < 3], input_shape=d.input_shape, random_state=0)
    >>> r["chance"], r["top1_chance"]
    (0.5, 0.16666666666666666)
    >>> r["ratio"] > 1.5, r["top1_accuracy"] > 0.5
    (True, True)
    """
    X_released = check_array(X_released, input_name="X_released")
    X_attacker = check_array(X_attacker, input_name="X_attacker")
    groups_attacker = np.asarray(groups_attacker).ravel()
    if len(groups_attacker) != len(X_attacker):
        raise ValueError(
            f"groups_attacker has {len(groups_attacker)} entries but X_attacker has "
            f"{len(X_attacker)} rows; pass one person id per row of X_attacker."
        )
    if X_released.shape[1] != X_attacker.shape[1]:
        raise ValueError(
            f"X_released has {X_released.shape[1]} features but X_attacker has "
            f"{X_attacker.shape[1]}; both must be windows of the same shape."
        )
    known = np.unique(groups_attacker)
    if len(known) < 2:
        raise ValueError(f"groups_attacker names {len(known)} person; the attacker needs "
                         "recordings of at least two people to tell them apart.")
    is_member = _member_mask(known, members)
    if not is_member.any():
        raise ValueError(
            f"none of the members is among the people the attacker knows (groups_attacker: "
            f"{known[:5].tolist()}{' ...' if len(known) > 5 else ''}); give the attacker "
            "recordings of some members, and check that members and groups use the same ids "
            "and type."
        )
    if groups_released is not None:
        groups_released = np.asarray(groups_released).ravel()
        if len(groups_released) != len(X_released):
            raise ValueError(
                f"groups_released has {len(groups_released)} entries but X_released has "
                f"{len(X_released)} rows; pass one person id per released row, or None."
            )
        if not np.isin(groups_released, known).any():
            raise ValueError(
                "no person of groups_released is among the people the attacker knows "
                "(groups_attacker), so top-1 accuracy is undefined; check that both use the "
                "same ids and type."
            )

    if attacker is None:
        attacker = make_subject_attacker(input_shape)
    attacker = _seeded_clone(attacker, random_state)
    attacker.fit(X_attacker, groups_attacker)

    classes = np.asarray(attacker.classes_)
    if not np.array_equal(classes, known):
        raise ValueError(
            f"the attacker knows {len(classes)} people but groups_attacker names {len(known)} "
            "(or others); a frozen attacker must be fitted on (X_attacker, groups_attacker) "
            "themselves: use fit_attackers(X_attacker, groups_attacker)."
        )
    proba = attacker.predict_proba(X_released)
    top1 = classes[np.argmax(proba, axis=1)]
    class_is_member = np.isin(classes, known[is_member])

    linked = float(np.isin(top1, known[is_member]).mean())
    chance = float(is_member.mean())
    mean_posterior = proba.mean(axis=0)
    if 0 < class_is_member.sum() < len(classes):
        linkage = auc_with_interval(class_is_member, mean_posterior, n_bootstrap=n_bootstrap,
                                    random_state=random_state)
    else:
        linkage = {"auc": float("nan"), "auc_ci": (float("nan"), float("nan"))}
    result = {
        "linked_to_members": linked,
        "chance": chance,
        "ratio": linked / chance,
        "member_scores": dict(zip(classes.tolist(), mean_posterior.tolist())),
        "membership_auc": linkage["auc"],
        "membership_auc_ci": linkage["auc_ci"],
    }
    if groups_released is not None:
        knows = np.isin(groups_released, known)
        result["top1_accuracy"] = float(np.mean(top1[knows] == groups_released[knows]))
        result["top1_chance"] = 1.0 / len(known)
    return result


def _subject_scores(model, X, y, groups, people):
    """Mean log-probability of the true label over each subject's rows."""
    proba = np.asarray(model.predict_proba(X))
    classes = np.asarray(model.classes_)
    if proba.shape[1] != len(classes):
        raise ValueError(f"{type(model).__name__}.predict_proba gave {proba.shape[1]} columns but "
                         f"classes_ has {len(classes)}.")
    sorter = np.argsort(classes)
    column = sorter[np.clip(np.searchsorted(classes, y, sorter=sorter), 0, len(classes) - 1)]
    p_true = proba[np.arange(len(y)), column]
    p_true = np.where(classes[column] == y, p_true, 0.0)  # a label the model never saw: p = 0
    log_p = np.log(np.clip(p_true, 1e-12, None))
    encoded = np.searchsorted(people, groups)
    return np.bincount(encoded, weights=log_p, minlength=len(people)) / np.bincount(
        encoded, minlength=len(people))


def membership_inference(model, X, y, groups, members, *, reference_models=None, n_bootstrap=1000,
                         random_state=None):
    """Subject-level loss attack: were this subject's recordings in the model's training data?

    A model fits its training people better than unseen people. Each subject's score is
    the mean, over that subject's rows, of the log probability the fitted ``model``
    gives the true label (clipped at ``1e-12``); members should score higher. With
    ``reference_models`` (fitted on other people, never on the candidates), the mean of
    their scores for the subject is subtracted, which removes how easy the subject is
    for any model (calibrated attack).

    With few subjects one split's AUC is noisy (about 0.12 standard deviation with 25
    people): average over many random member splits and report the spread, beside the
    same attack on a model trained on the real private rows.

    Parameters
    ----------
    model : fitted classifier
        Has ``predict_proba`` and ``classes_`` (e.g. a student trained on stimuli).
    X : array-like of shape (n_samples, n_features)
        Real rows of the members and of non-members.
    y : array-like of shape (n_samples,)
        True labels.
    groups : array-like of shape (n_samples,)
        Subject of each row.
    members : array-like
        Ids of the subjects in the private training data (positives); the other subjects
        of ``groups`` are the negatives. Ids absent from ``groups`` are ignored.
    reference_models : list of fitted classifiers or None, default=None
        Models that never saw the candidates, for calibration.
    n_bootstrap : int, default=1000
        Resamples of subjects (with replacement, members and non-members separately)
        for the confidence interval of the AUC; 0 skips it (``auc_ci`` is NaN).
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the bootstrap.

    Returns
    -------
    result : dict
        - ``"auc"``: ROC AUC of the scores, members against non-members;
        - ``"auc_ci"``: (2.5 %, 97.5 %) percentiles of the bootstrap AUCs;
        - ``"tpr_at_1pct_fpr"``, ``"tpr_at_01pct_fpr"``: largest true-positive rate at a
          false-positive rate of at most 1 % and 0.1 % (with fewer than 100 or 1000
          non-members: at no false positive);
        - ``"scores"``: dict subject -> score;
        - ``"n_members"``, ``"n_nonmembers"``: subjects on each side.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skstim.datasets import make_sleep_apnea
    >>> d = make_sleep_apnea(n_subjects=8, n_windows=10, sampling_rate=1.0, random_state=0)
    >>> members = [0, 1, 2, 3]
    >>> train = np.isin(d.groups, members)
    >>> tree = DecisionTreeClassifier(random_state=0).fit(d.X[train], d.y[train])
    >>> r = membership_inference(tree, d.X, d.y, d.groups, members, random_state=0)
    >>> r["n_members"], r["n_nonmembers"], r["auc"] > 0.8
    (4, 4, True)
    """
    if not isinstance(n_bootstrap, numbers.Integral) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be a non-negative int (0 skips the interval); "
                         f"got {n_bootstrap!r}.")
    X = check_array(X, input_name="X")
    y = np.asarray(y).ravel()
    groups = np.asarray(groups).ravel()
    check_same_length(X=X, y=y, groups=groups)
    people = np.unique(groups)
    is_member = both_sides_mask(people, members, "groups")
    n_members = int(is_member.sum())

    scores = _subject_scores(model, X, y, groups, people)
    if reference_models:
        scores = scores - np.mean([_subject_scores(ref, X, y, groups, people)
                                   for ref in reference_models], axis=0)

    figures = auc_with_interval(is_member, scores, n_bootstrap=n_bootstrap,
                                random_state=random_state)
    return {
        **figures,
        "scores": dict(zip(people.tolist(), scores.tolist())),
        "n_members": n_members,
        "n_nonmembers": len(people) - n_members,
    }


def distance_to_closest_record(X_released, X_train, X_holdout):
    """Distance of each released row to its nearest private (training) row and nearest holdout row.

    All rows are standardized per feature with ``X_train``'s mean and standard
    deviation (a constant feature is divided by 1), then the Euclidean distance to the
    nearest neighbour (:class:`~sklearn.neighbors.NearestNeighbors`) is taken in
    ``X_train`` and in ``X_holdout`` (real rows of people absent from the training
    data). Released rows that copy or lightly perturb private rows lie much nearer to
    ``X_train``.

    The comparison is fair only with ``X_train`` and ``X_holdout`` of equal size: a
    larger set has nearer neighbours by chance, so with unequal sizes a ``ratio`` below
    1 and a ``closer_to_train`` share other than 0.5 are expected even without any
    leakage. Subsample the larger one to the size of the smaller.

    Parameters
    ----------
    X_released : array-like of shape (n_released, n_features)
        Released rows.
    X_train : array-like of shape (n_train, n_features)
        Private rows the released set was made from (or the teacher was trained on).
    X_holdout : array-like of shape (n_holdout, n_features)
        Real rows of other people.

    Returns
    -------
    result : dict
        ``"train"``, ``"holdout"`` (ndarray of shape (n_released,)): nearest distances;
        ``"median_train"``, ``"median_holdout"``; ``"ratio"`` (``median_train /
        median_holdout``: near 1 means released rows are no nearer to private rows than
        to unseen people's, well below 1 means copies; NaN if ``median_holdout`` is 0);
        ``"closer_to_train"`` (share of released rows strictly nearer to a training row
        than to any holdout row).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X_train, X_holdout = rng.normal(size=(200, 5)), rng.normal(size=(200, 5))
    >>> copies = distance_to_closest_record(X_train[:50], X_train, X_holdout)
    >>> copies["median_train"], copies["closer_to_train"]
    (0.0, 1.0)
    >>> fresh = distance_to_closest_record(rng.normal(size=(200, 5)), X_train, X_holdout)
    >>> 0.8 < fresh["ratio"] < 1.25
    True
    """
    X_released = check_array(X_released, dtype=np.float64, input_name="X_released")
    X_train = check_array(X_train, dtype=np.float64, input_name="X_train")
    X_holdout = check_array(X_holdout, dtype=np.float64, input_name="X_holdout")
    n_features = {"X_released": X_released.shape[1], "X_train": X_train.shape[1],
                  "X_holdout": X_holdout.shape[1]}
    if len(set(n_features.values())) > 1:
        raise ValueError(f"X_released, X_train and X_holdout must have the same number of "
                         f"features; got {n_features}.")
    Z_train, Z_released, Z_holdout = standardize(X_train, X_released, X_holdout)
    d_train = nearest_distances(Z_train, Z_released)
    d_holdout = nearest_distances(Z_holdout, Z_released)
    median_train, median_holdout = float(np.median(d_train)), float(np.median(d_holdout))
    return {
        "train": d_train,
        "holdout": d_holdout,
        "median_train": median_train,
        "median_holdout": median_holdout,
        "ratio": median_train / median_holdout if median_holdout > 0 else float("nan"),
        "closer_to_train": float(np.mean(d_train < d_holdout)),
    }


def noise_set(X, y, *, n_samples=None, random_state=None):
    """The pure-noise floor: Gaussian rows with each feature's mean and standard deviation.

    Each feature is drawn independently from a normal distribution with that feature's
    mean and standard deviation in ``X``; the labels are drawn independently of the rows,
    with the class frequencies of ``y``. Nothing of any person survives beyond the
    per-feature moments, so every privacy attack should be at chance on it.

    Parameters
    ----------
    X : array-like of shape (n, n_features)
        Private data.
    y : array-like of shape (n,)
        Labels.
    n_samples : int or None, default=None
        Rows to draw; ``None`` is ``len(X)``.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed; the global numpy random state is neither used nor changed.

    Returns
    -------
    X_noise : ndarray of shape (n_samples, n_features), float32
    y_noise : ndarray of shape (n_samples,)
        Labels, of the dtype of ``y``.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(5.0, 2.0, size=(500, 3)); y = np.arange(500) % 4
    >>> Xn, yn = noise_set(X, y, random_state=0)
    >>> Xn.shape, Xn.dtype, sorted(set(yn.tolist()))
    ((500, 3), dtype('float32'), [0, 1, 2, 3])
    >>> bool(np.allclose(Xn.mean(axis=0), X.mean(axis=0), atol=0.3))
    True
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    y = np.asarray(y).ravel()
    check_same_length(X=X, y=y)
    n_samples = len(X) if n_samples is None else int(n_samples)
    if n_samples < 1:
        raise ValueError(f"n_samples must be a positive int; got {n_samples}.")
    rng = numpy_generator(random_state)
    X_noise = rng.normal(X.mean(axis=0), X.std(axis=0), size=(n_samples, X.shape[1]))
    classes, counts = np.unique(y, return_counts=True)
    y_noise = rng.choice(classes, size=n_samples, p=counts / counts.sum())
    return X_noise.astype(np.float32), y_noise
