"""The 95 % intervals of ``skstim evaluate``'s utility figures: over people, else over rows."""

import numpy as np
import pytest

from skstim.cli._evaluate import score_text, utility_intervals, utility_intervals_text
from skstim.evaluation import utility_scores
from skstim.utils import people_bootstrap, proportion_interval

METRICS = ("accuracy", "kappa", "macro_f1")


@pytest.fixture
def labels():
    """60 rows of 10 people, three classes, the stimuli student better than the real one."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    stimuli = np.where(rng.random(60) < 0.8, y, rng.integers(0, 3, 60))
    real = np.where(rng.random(60) < 0.5, y, rng.integers(0, 3, 60))
    return y, {"stimuli": stimuli, "real": real}, np.repeat(np.arange(10), 6)


def _check_contains_scores(intervals, y, predictions):
    for name, predicted in predictions.items():
        scores = utility_scores(y, predicted)
        for metric in METRICS:
            low, high = intervals[name][metric]
            assert low <= scores[metric] <= high, (name, metric)


def test_with_subject_ids_the_people_are_resampled(labels):
    y, predictions, groups = labels
    intervals = utility_intervals(y, predictions, groups, 3)
    expected = people_bootstrap(y, predictions, groups, metrics=METRICS, random_state=3)
    for name in predictions:
        for metric in METRICS:
            assert intervals[name][metric] == list(expected[f"{name}_{metric}_ci"])
    _check_contains_scores(intervals, y, predictions)
    assert "10 subjects of the real file are resampled" in utility_intervals_text(groups)


@pytest.mark.parametrize("groups", [None, np.zeros(60)], ids=["no ids", "one subject"])
def test_without_two_subjects_the_rows_are_resampled(labels, groups):
    y, predictions, _ = labels
    intervals = utility_intervals(y, predictions, groups, 3)
    by_rows = people_bootstrap(y, predictions, None, metrics=METRICS, random_state=3)
    for name, predicted in predictions.items():
        hits = np.sum(predicted == y)
        assert intervals[name]["accuracy"] == list(proportion_interval(hits, 60))  # Wilson
        for metric in ("kappa", "macro_f1"):
            assert intervals[name][metric] == list(by_rows[f"{name}_{metric}_ci"])
    _check_contains_scores(intervals, y, predictions)
    text = utility_intervals_text(groups)
    assert "rows are resampled because" in text and "cluster" not in text
    assert ("no subject ids were given" in text) == (groups is None)


def test_the_seed_decides_and_global_state_is_untouched(labels):
    y, predictions, groups = labels
    state = np.random.get_state()[1].copy()
    first = utility_intervals(y, predictions, groups, 7)
    assert utility_intervals(y, predictions, groups, 7) == first
    assert utility_intervals(y, predictions, groups, 8) != first
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_score_text():
    scores = {"accuracy": 0.8125}
    assert score_text(scores, {"accuracy": [0.75, 0.875]}, "accuracy") == "0.812 [0.750, 0.875]"
    assert score_text(scores, {}, "accuracy") == score_text(scores, None, "accuracy") == "0.812"
    assert score_text(None, {"accuracy": [0.75, 0.875]}, "accuracy") == "n/a"
