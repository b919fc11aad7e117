"""95 % confidence intervals for the figures skstim reports: AUCs, shares, means, split means."""

import numpy as np
from scipy import stats
from sklearn.metrics import roc_auc_score, roc_curve

from ._seeding import numpy_generator

__all__ = ["auc_with_interval", "bootstrap_interval", "proportion_interval", "split_interval"]

_NAN_PAIR = (float("nan"), float("nan"))


def auc_with_interval(is_positive, scores, *, n_bootstrap=1000, random_state=None):
    """ROC AUC of ``scores``, its stratified bootstrap interval and the TPR at low FPR.

    The bootstrap resamples positives and negatives separately (with replacement). AUC is
    the mean over (positive, negative) pairs of ``[s_p > s_n] + 0.5 [s_p == s_n]``, so a
    resample is the count-weighted mean of that pair matrix: all resamples at once.

    Parameters
    ----------
    is_positive : array-like of bool, shape (n,)
        At least one positive and one negative.
    scores : array-like of shape (n,)
        Higher means more likely positive.
    n_bootstrap : int, default=1000
        Resamples; 0 gives a NaN interval.
    random_state : int, Generator or None, default=None

    Returns
    -------
    result : dict
        ``auc``, ``auc_ci`` (2.5 and 97.5 percentiles), ``tpr_at_1pct_fpr`` and
        ``tpr_at_01pct_fpr`` (largest TPR at a false-positive rate of at most 1 % and
        0.1 %: with fewer than 100 or 1000 negatives, the TPR at no false positive).

    Examples
    --------
    >>> r = auc_with_interval([1, 1, 0, 0], [0.9, 0.8, 0.1, 0.2], random_state=0)
    >>> r["auc"], r["auc_ci"], r["tpr_at_1pct_fpr"]
    (1.0, (1.0, 1.0), 1.0)
    """
    is_positive = np.asarray(is_positive, dtype=bool).ravel()
    scores = np.asarray(scores, dtype=np.float64).ravel()
    fpr, tpr, _ = roc_curve(is_positive, scores, drop_intermediate=False)
    result = {
        "auc": float(roc_auc_score(is_positive, scores)),
        "auc_ci": _NAN_PAIR,
        "tpr_at_1pct_fpr": float(tpr[fpr <= 0.01].max()),
        "tpr_at_01pct_fpr": float(tpr[fpr <= 0.001].max()),
    }
    if n_bootstrap > 0:
        rng = numpy_generator(random_state)
        pos, neg = scores[is_positive], scores[~is_positive]
        pairs = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        count_pos = rng.multinomial(len(pos), np.full(len(pos), 1 / len(pos)), size=n_bootstrap)
        count_neg = rng.multinomial(len(neg), np.full(len(neg), 1 / len(neg)), size=n_bootstrap)
        boot = np.einsum("bi,ij,bj->b", count_pos, pairs, count_neg) / (len(pos) * len(neg))
        result["auc_ci"] = tuple(float(v) for v in np.percentile(boot, [2.5, 97.5]))
    return result


def proportion_interval(successes, n):
    """Wilson 95 % interval of a share ``successes / n`` (:func:`scipy.stats.binomtest`).

    Examples
    --------
    >>> low, high = proportion_interval(5, 10)
    >>> round(low, 3), round(high, 3)
    (0.237, 0.763)
    """
    if n == 0:
        return _NAN_PAIR
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(0.95, method="wilson")
    return float(ci.low), float(ci.high)


def bootstrap_interval(statistic, *samples, n_resamples=1000, random_state=None):
    """Percentile bootstrap 95 % interval of ``statistic(*samples)`` (:func:`scipy.stats.bootstrap`).

    The samples are resampled independently of each other; a sample of one value, or a
    statistic that is not finite on the data, gives a NaN interval.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=400)
    >>> low, high = bootstrap_interval(np.mean, x, random_state=0)
    >>> bool(low < x.mean() < high), bool(high - low < 0.3)
    (True, True)
    """
    samples = [np.asarray(s, dtype=np.float64).ravel() for s in samples]
    if min(len(s) for s in samples) < 2 or not np.isfinite(statistic(*samples)):
        return _NAN_PAIR
    result = stats.bootstrap(samples, lambda *s, axis=-1: statistic(*s, axis=axis),
                             n_resamples=n_resamples, method="percentile", vectorized=True,
                             paired=False, rng=numpy_generator(random_state))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def split_interval(values):
    """Mean over splits and its Student-t 95 % interval (NaN values are left out).

    Examples
    --------
    >>> mean, (low, high) = split_interval([0.5, 0.6, 0.7])
    >>> round(mean, 2), round(low, 3), round(high, 3)
    (0.6, 0.352, 0.848)
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan"), _NAN_PAIR
    mean = float(values.mean())
    if len(values) < 2:
        return mean, _NAN_PAIR
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return mean, (mean - float(half), mean + float(half))
