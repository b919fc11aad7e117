"""quick_privacy_checks: intervals, the HRV attacker beside the summary attacker, the worst case."""

import json

import numpy as np
import pytest

from skstim.datasets import make_sleep_apnea
from skstim.evaluation import quick_privacy_checks
from skstim.evaluation._quick_checks import _worst_case

ATTACKERS = ("reidentification", "reidentification_hrv")
N_RESAMPLES = 200  # fewer bootstrap resamples than the default, to keep the tests fast


@pytest.fixture(scope="module")
def people():
    """6 people x 20 one-minute windows at 1 Hz."""
    return make_sleep_apnea(n_subjects=6, n_windows=20, sampling_rate=1.0, random_state=0)


def _checks(X_stimuli, data, groups=None, input_shape=None, **kwargs):
    kwargs.setdefault("n_resamples", N_RESAMPLES)
    return quick_privacy_checks(X_stimuli, data.X, data.groups if groups is None else groups,
                                input_shape or data.input_shape, **kwargs)


@pytest.fixture(scope="module")
def near_copies(people):
    """The checks of 30 real rows plus noise: every attacker runs and has power."""
    rng = np.random.default_rng(1)
    X = people.X[rng.choice(len(people.X), 30, replace=False)]
    return _checks(X + 0.3 * rng.normal(size=X.shape), people, random_state=0)


def _intervals(record, where=""):
    """``(where, value, [low, high])`` of every figure of a nested summary that has one."""
    for key, value in record.items():
        if isinstance(value, dict):
            yield from _intervals(value, f"{where}{key}.")
        elif key.endswith("_ci"):
            yield f"{where}{key}", record[key[:-3]], value


def test_every_interval_holds_its_figure_and_is_ordered(near_copies):
    json.dumps(near_copies, allow_nan=False)  # JSON-ready: it goes into the file's metadata
    found = {where: (value, interval) for where, value, interval in _intervals(near_copies)}
    expected = [f"distance_to_closest_record.{k}_ci" for k in (
        "median_stimulus_to_nearest_real_row", "median_real_row_to_nearest_other_real_row",
        "ratio", "share_of_stimuli_nearer_than_median_real_spacing")]
    for attacker in ATTACKERS:
        expected += [f"{attacker}.{k}_ci" for k in (
            "real_held_back_top1_accuracy", "real_held_back_mean_top_posterior",
            "stimuli_mean_top_posterior", "stimuli_share_linked_to_most_common_subject",
            "share_of_power")]
    expected.append("worst_case.share_of_power_ci")
    assert set(expected) <= set(found)
    for where, (value, (low, high)) in found.items():
        assert low is not None and high is not None, where
        assert low <= value <= high, where
        assert low < high, where  # 30 noisy stimuli, 60 held-back rows: no degenerate interval


def test_a_share_of_all_or_nothing_keeps_a_wilson_interval(people):
    summary = _checks(people.X[:10], people, random_state=0)  # exact copies: all are near
    dcr = summary["distance_to_closest_record"]
    assert dcr["share_of_stimuli_nearer_than_median_real_spacing"] == 1.0
    low, high = dcr["share_of_stimuli_nearer_than_median_real_spacing_ci"]
    assert high == pytest.approx(1.0) and 0.5 < low < 1.0


def test_the_checks_are_seeded_and_leave_the_global_state_alone(people):
    X = people.X[::5]
    state = np.random.get_state()[1].copy()
    first = _checks(X, people, random_state=3)
    assert _checks(X, people, random_state=3) == first
    unseeded = _checks(X, people, random_state=None)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert unseeded["reidentification"]["n_subjects"] == 6


def test_the_hrv_attacker_runs_beside_the_summary_attacker(near_copies, people):
    summary, hrv = near_copies["reidentification"], near_copies["reidentification_hrv"]
    shared = set(summary) - {"attacker"}
    assert shared <= set(hrv)
    assert "make_hrv_attacker" in hrv["attacker"] and "make_subject_attacker" in summary["attacker"]
    assert hrv["sampling_rate"] == 1.0 and hrv["sampling_rate_assumed"] is True
    for result in (summary, hrv):
        assert result["has_power"] is True  # six people who differ: both attackers name them
        assert result["n_real_held_back"] == near_copies["reidentification"]["n_real_held_back"]
    given = _checks(people.X[::5], people, random_state=0, sampling_rate=4.0)
    assert given["reidentification_hrv"]["sampling_rate"] == 4.0
    assert given["reidentification_hrv"]["sampling_rate_assumed"] is False
    assert "4 Hz" in given["reidentification_hrv"]["attacker"]


def test_windows_too_short_for_the_attackers_skip_them_with_a_reason():
    rng = np.random.default_rng(0)
    X, groups = rng.normal(size=(40, 2 * 6)), np.repeat([0, 1, 2, 3], 10)
    summary = quick_privacy_checks(X[:5], X, groups, (2, 6), n_resamples=N_RESAMPLES)
    for attacker, name in zip(ATTACKERS, ("summary-feature attacker", "HRV attacker")):
        reason = summary[attacker]["skipped"]
        assert name in reason and "at least 8 time steps" in reason and "(2, 6)" in reason
    assert summary["worst_case"]["attacker"] is None
    assert summary["worst_case"]["reason"].startswith("no attacker ran")
    assert "distance_to_closest_record" in summary  # the distance check still runs


def test_no_subject_ids_skip_the_attackers(people):
    summary = quick_privacy_checks(people.X[::5], people.X, None, people.input_shape,
                                   n_resamples=N_RESAMPLES)
    for attacker in ATTACKERS:
        assert summary[attacker] == {"skipped": "no subject ids (groups=None)"}
    assert "no subject ids" in summary["worst_case"]["reason"]


def test_copies_carry_more_of_the_attackers_power_than_noise(people):
    rng = np.random.default_rng(0)
    noise = people.X.mean(axis=0) + people.X.std(axis=0) * rng.normal(size=(30, people.X.shape[1]))
    copies = _checks(people.X[::4], people, random_state=0)
    floor = _checks(noise, people, random_state=0)
    for attacker in ATTACKERS:
        assert copies[attacker]["share_of_power_ci"][0] > 0.8  # as sure as on real rows, or more
        assert copies[attacker]["share_of_power"] > floor[attacker]["share_of_power"]
    for summary in (copies, floor):
        worst = summary["worst_case"]
        shares = {key: summary[key]["share_of_power"] for key in worst["attackers_with_power"]}
        assert worst["attacker"] == max(shares, key=shares.get)
        assert worst["share_of_power"] == summary[worst["attacker"]]["share_of_power"]
        assert worst["share_of_power_ci"] == summary[worst["attacker"]]["share_of_power_ci"]


def _attacker(share, power):
    return {"has_power": power, "share_of_power": share, "share_of_power_ci": [share - 0.1,
                                                                                share + 0.1]}


def test_the_worst_case_is_the_largest_share_among_attackers_with_power():
    worst = _worst_case({"a": _attacker(0.3, True), "b": _attacker(0.6, True),
                         "c": _attacker(0.9, False), "d": {"skipped": "too short"}})
    assert worst["attacker"] == "b" and worst["share_of_power"] == 0.6
    assert worst["share_of_power_ci"] == [0.5, 0.7]
    assert worst["attackers_with_power"] == ["a", "b"]  # c links more, but has no power
    worst = _worst_case({"a": _attacker(0.3, False), "d": {"skipped": "too short"}})
    assert worst["attacker"] is None and worst["reason"].startswith("no attacker has power")


def test_random_subject_ids_leave_no_attacker_with_power(people):
    groups = np.random.default_rng(0).permutation(people.groups)  # ids unrelated to the rows
    summary = _checks(people.X[::4], people, groups=groups, random_state=0)
    for attacker in ATTACKERS:
        assert summary[attacker]["has_power"] is False
        low = summary[attacker]["real_held_back_top1_accuracy_ci"][0]
        assert low <= summary[attacker]["chance"]
    assert summary["worst_case"]["attacker"] is None
    assert "no attacker has power" in summary["worst_case"]["reason"]


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
def test_a_sampling_rate_that_is_no_rate_is_refused(people, rate):
    with pytest.raises(ValueError, match="sampling_rate"):
        _checks(people.X[:5], people, sampling_rate=rate)


def test_the_summary_that_goes_into_the_file_holds_no_private_row():
    """The summary is written into the stimuli file's metadata: figures and [low, high]
    pairs only, and none of a planted row's values."""
    import json

    from skstim.evaluation import quick_privacy_checks

    rng = np.random.default_rng(3)
    X_real = rng.normal(size=(60, 16))
    secret = np.linspace(101.5, 117.25, 16)  # values no figure can take by chance
    X_real[7] = secret
    groups = np.repeat([0, 1, 2], 20)
    summary = quick_privacy_checks(X_real[:10] + 0.01, X_real, groups, (1, 16), random_state=0)

    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, (list, tuple)):
            assert len(value) <= 2, value  # an interval at most, never a row
            for item in value:
                yield from leaves(item)
        else:
            yield value

    numbers = [v for v in leaves(summary) if isinstance(v, float)]
    assert numbers and not np.isin(np.round(numbers, 6), np.round(secret, 6)).any()
    json.dumps(summary)  # JSON-ready
