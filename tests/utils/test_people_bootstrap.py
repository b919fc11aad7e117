"""people_bootstrap: macro F1 over resampled people, and the bootstrap over rows (no groups)."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score

from skstim.utils import people_bootstrap

ALL = ("accuracy", "kappa", "macro_f1")


def _labels(n, n_classes=3, seed=0):
    """True labels and two predictions of ``n`` rows, one better than the other."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    a = np.where(rng.random(n) < 0.7, y, rng.integers(0, n_classes, n))
    b = np.where(rng.random(n) < 0.4, y, rng.integers(0, n_classes, n))
    return y, a, b


def _score(metric, y, predicted):
    if metric == "accuracy":
        return accuracy_score(y, predicted)
    if metric == "kappa":
        return cohen_kappa_score(y, predicted)
    return f1_score(y, predicted, average="macro", zero_division=0)


def _check_against_sklearn(ci, resamples, y, a, b):
    """Each interval of ``ci`` is the percentiles of sklearn's scores on ``resamples``."""
    for metric in ALL:
        on_a = np.array([_score(metric, y[rows], a[rows]) for rows in resamples])
        on_b = np.array([_score(metric, y[rows], b[rows]) for rows in resamples])
        for key, values in ((f"real_{metric}_ci", on_a), (f"stimuli_{metric}_ci", on_b),
                            (f"gap_{metric}_ci", on_b - on_a)):
            assert ci[key] == pytest.approx(tuple(np.percentile(values, [2.5, 97.5]))), key


def test_macro_f1_matches_sklearn_on_each_resample_of_people():
    groups = np.repeat(np.arange(6), 10)
    y, a, b = _labels(60)
    rare = np.flatnonzero(groups == 5)[:4]
    y[rare], a[rare[:2]] = 3, 3  # a class of one person only: absent from resamples without
    ci = people_bootstrap(y, {"real": a, "stimuli": b}, groups, metrics=ALL, n_resamples=300,
                          random_state=1)
    # the same resamples: people drawn by the same multinomial
    weights = np.random.default_rng(1).multinomial(6, np.full(6, 1 / 6), size=300)
    resamples = [np.concatenate([np.flatnonzero(groups == p) for p in range(6)
                                 for _ in range(w[p])]) for w in weights]
    _check_against_sklearn(ci, resamples, y, a, b)


def test_without_groups_the_rows_are_resampled():
    y, a, b = _labels(80, seed=2)
    ci = people_bootstrap(y, {"real": a, "stimuli": b}, None, metrics=ALL, n_resamples=300,
                          random_state=4)
    # the same resamples: rows of one (true, predicted, predicted) cell drawn together
    codes, first, counts = np.unique(np.column_stack([y, a, b]), axis=0, return_index=True,
                                     return_counts=True)
    draws = np.random.default_rng(4).multinomial(80, counts / 80, size=300)
    resamples = [np.repeat(first, d) for d in draws]
    _check_against_sklearn(ci, resamples, y, a, b)
    # the same distribution as treating every row as its own person
    as_people = people_bootstrap(y, {"real": a}, np.arange(80), metrics=ALL, n_resamples=4000,
                                 random_state=0)
    as_rows = people_bootstrap(y, {"real": a}, None, metrics=ALL, n_resamples=4000,
                               random_state=0)
    for metric in ALL:
        assert as_rows[f"real_{metric}_ci"] == pytest.approx(as_people[f"real_{metric}_ci"],
                                                             abs=0.03)


def test_default_metrics_keep_the_earlier_keys_and_intervals_contain_the_scores():
    y, a, b = _labels(60, seed=3)
    groups = np.repeat(np.arange(12), 5)
    ci = people_bootstrap(y, {"real": a, "stimuli": b}, groups, random_state=0)
    assert list(ci) == ["real_accuracy_ci", "real_kappa_ci", "stimuli_accuracy_ci",
                        "stimuli_kappa_ci", "gap_accuracy_ci", "gap_kappa_ci"]
    both = people_bootstrap(y, {"real": a, "stimuli": b}, groups, metrics=ALL, random_state=0)
    assert {k: both[k] for k in ci} == ci  # F1 draws nothing more
    for name, predicted in (("real", a), ("stimuli", b)):
        for metric in ALL:
            low, high = both[f"{name}_{metric}_ci"]
            assert low <= _score(metric, y, predicted) <= high


def test_bad_metrics_and_lengths_are_refused_and_global_state_is_untouched():
    y, a, _ = _labels(20)
    state = np.random.get_state()[1].copy()
    people_bootstrap(y, {"real": a}, None, metrics=ALL, random_state=None)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    with pytest.raises(ValueError, match="unknown metrics"):
        people_bootstrap(y, {"real": a}, None, metrics=["auc"])
    with pytest.raises(ValueError, match="same number of rows"):
        people_bootstrap(y, {"real": a[:-1]}, None)
