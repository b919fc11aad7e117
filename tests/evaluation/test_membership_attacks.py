"""Density-ratio (DOMIAS) and shadow-model (LiRA) membership, the worst case over attacks."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skstim.datasets import make_sleep_apnea
from skstim.evaluation import (
    attack_figures,
    density_ratio_membership,
    evaluate_privacy,
    fit_attackers,
    noise_set,
    reidentification,
    shadow_membership,
    summarize_splits,
    worst_case_attack,
)


@pytest.fixture(scope="module")
def study():
    """60 people x 24 windows: 20 members, 20 non-members the attacker also knows, 20
    strangers. The attacker holds each candidate's last 12 windows; the members' first 12
    are private."""
    d = make_sleep_apnea(n_subjects=60, n_windows=24, sampling_rate=1.0, random_state=0)
    later = np.tile(np.arange(24) >= 12, 60)
    candidate = d.groups < 40
    private = ~later & (d.groups < 20)
    attacker = later & candidate
    return dict(X_private=d.X[private], y_private=d.y[private],
                X_attacker=d.X[attacker], y_attacker=d.y[attacker],
                g_attacker=d.groups[attacker], X_strangers=d.X[~later & (d.groups >= 40)],
                members=np.arange(20), input_shape=d.input_shape)


def _domias(study, X_released, **kwargs):
    return density_ratio_membership(X_released, study["X_attacker"], study["X_attacker"],
                                    study["g_attacker"], study["members"],
                                    input_shape=study["input_shape"], random_state=0, **kwargs)


def test_density_ratio_finds_copies_and_not_noise_or_strangers(study):
    copies = _domias(study, study["X_private"])
    assert copies["auc_ci"][0] > 0.6 and copies["auc"] > 0.85
    assert copies["n_members"] == 20 and copies["n_nonmembers"] == 20
    noise, _ = noise_set(study["X_private"], study["y_private"], random_state=0)
    for released in (noise, study["X_strangers"]):  # learned nothing of the members
        result = _domias(study, released)
        assert result["auc_ci"][0] < 0.5 < result["auc_ci"][1]
        assert result["auc"] < copies["auc"]


def test_density_ratio_scores_are_mean_log_ratios_and_reproducible(study):
    first = _domias(study, study["X_private"])
    again = _domias(study, study["X_private"])
    assert first["scores"] == again["scores"] and first["auc_ci"] == again["auc_ci"]
    assert set(first["scores"]) == set(np.unique(study["g_attacker"]).tolist())
    members = np.mean([first["scores"][p] for p in range(20)])
    others = np.mean([first["scores"][p] for p in range(20, 40)])
    assert members > others
    assert np.isnan(_domias(study, study["X_private"], n_bootstrap=0)["auc_ci"]).all()


def test_density_ratio_errors_name_the_parameter(study):
    X = study["X_attacker"]
    with pytest.raises(ValueError, match="same shape"):
        density_ratio_membership(X[:, :-4], X, X, study["g_attacker"], study["members"])
    with pytest.raises(ValueError, match="no non-member"):
        density_ratio_membership(X, X, X, study["g_attacker"], np.arange(40),
                                 input_shape=study["input_shape"])
    with pytest.raises(ValueError, match="n_bootstrap"):
        density_ratio_membership(X, X, X, study["g_attacker"], study["members"],
                                 n_bootstrap=-1)


def _copy(X, y, groups, random_state):
    return X


def _shadow(study, release, X_released, **kwargs):
    kwargs = {"n_shadows": 6, "random_state": 0, **kwargs}
    return shadow_membership(release, X_released, study["X_attacker"], study["y_attacker"],
                             study["g_attacker"], study["members"],
                             input_shape=study["input_shape"], **kwargs)


def test_shadow_membership_against_a_copying_method(study):
    result = _shadow(study, _copy, study["X_private"])
    assert result["auc"] > 0.85 and result["auc_ci"][0] > 0.6
    assert result["n_shadows"] == 6
    assert 0 <= result["tpr_at_01pct_fpr"] <= result["tpr_at_1pct_fpr"] <= 1


def test_shadow_membership_against_methods_that_memorized_nothing(study):
    strangers = study["X_strangers"]
    ignores_input = _shadow(study, lambda X, y, groups, random_state: strangers, strangers)
    assert ignores_input["auc"] == 0.5  # every shadow is alike: no person moves the release
    noise, _ = noise_set(study["X_private"], study["y_private"], random_state=0)
    moments_only = _shadow(study, lambda X, y, groups, random_state: noise_set(
        X, y, random_state=random_state)[0], noise)
    assert moments_only["auc_ci"][0] < 0.5 < moments_only["auc_ci"][1]


def test_shadow_membership_calls_the_method_with_half_the_people_and_is_seeded(study):
    calls = []

    def recording(X, y, groups, random_state):
        calls.append((len(np.unique(groups)), random_state, len(X) == len(y) == len(groups)))
        return X, None  # a tuple: the first item is the release

    first = _shadow(study, recording, study["X_private"], n_shadows=4)
    assert [c[0] for c in calls] == [20] * 4 and all(c[2] for c in calls)
    seeds = [c[1] for c in calls]
    calls.clear()
    again = _shadow(study, recording, study["X_private"], n_shadows=4)
    assert [c[1] for c in calls] == seeds and first["scores"] == again["scores"]


def test_shadow_membership_errors_name_the_parameter(study):
    X_private = study["X_private"]
    with pytest.raises(ValueError, match="n_shadows must be an even int"):
        _shadow(study, _copy, X_private, n_shadows=3)
    with pytest.raises(TypeError, match="release must be a callable"):
        _shadow(study, "copy", X_private)
    with pytest.raises(ValueError, match="one row"):
        shadow_membership(_copy, X_private, study["X_attacker"][:3], study["y_attacker"][:3],
                          np.array([0, 1, 1]), [0])
    before = study["X_attacker"].copy()
    _shadow(study, _copy, X_private, n_shadows=2)
    np.testing.assert_array_equal(study["X_attacker"], before)


def test_worst_case_counts_only_attacks_with_power_on_the_real_rows():
    real = {"a_auc": 0.9, "a_auc_low": 0.8, "a_auc_high": 1.0,
            "b_auc": 0.95, "b_auc_low": 0.45, "b_auc_high": 1.0,
            "c_auc": 0.7, "c_auc_low": 0.55, "c_auc_high": 0.85}
    released = {"a_auc": 0.52, "a_auc_low": 0.4, "a_auc_high": 0.6,
                "b_auc": 0.9, "b_auc_low": 0.7, "b_auc_high": 1.0,
                "c_auc": 0.6, "c_auc_low": 0.5, "c_auc_high": 0.7}
    worst = worst_case_attack(released, real)
    assert worst["attack"] == "c" and worst["auc"] == 0.6 and worst["auc_low"] == 0.5
    assert worst["attacks_with_power"] == ["a", "c"]
    assert worst["attacks_without_power"] == ["b"]
    nothing = worst_case_attack(released, {"a_auc": 0.6, "a_auc_low": 0.4, "a_auc_high": 0.8})
    assert nothing["attack"] is None and np.isnan(nothing["auc"])


def test_summarize_splits_gives_intervals_over_splits():
    records = [{"mia_auc": v, "mia_auc_low": 0.0, "mia_auc_high": 1.0, "dcr_ratio": 1.0}
               for v in (0.5, 0.6, 0.7, 0.8)]
    summary = summarize_splits(records)
    mean, low, high = attack_figures(summary)["mia"]
    assert mean == pytest.approx(0.65) and 0.4 < low < mean < high < 0.9
    assert summary["dcr_ratio"] == 1.0 and summary["n_splits"] == 4
    wide = summarize_splits([dict(records[0], mia_auc=v) for v in (0.1, 0.95)])
    assert (wide["mia_auc_low"], wide["mia_auc_high"]) == (0.0, 1.0)
    one = summarize_splits(records[:1])
    assert (one["mia_auc_low"], one["mia_auc_high"]) == (0.0, 1.0)


def test_evaluate_privacy_runs_every_attack_with_intervals(study):
    n = len(study["X_private"])
    outside = study["X_strangers"][:n]
    labels = np.eye(2, dtype=np.float32)[study["y_private"]]
    calls = []

    def copying(X, y, groups, random_state):
        calls.append(random_state)
        return X

    common = dict(
        X_private=study["X_private"], y_private=study["y_private"],
        groups_private=np.repeat(np.arange(20), 12), X_attacker=study["X_attacker"],
        groups_attacker=study["g_attacker"], X_outside=outside,
        y_outside=study["y_private"][: len(outside)],
        groups_outside=np.repeat(np.arange(40, 60), 12)[: len(outside)],
        input_shape=study["input_shape"], student=LogisticRegression(max_iter=300),
        shadow_release=copying, random_state=0)
    record = evaluate_privacy(study["X_private"], labels, np.array([0, 1]),
                              y_attacker=study["y_attacker"], n_shadows=2, n_bootstrap=200,
                              **common)
    figures = attack_figures(record)
    assert set(figures) == {"summary_rf_linkage", "hrv_linkage", "mia", "domias", "shadow"}
    for auc, low, high in figures.values():
        assert low <= auc <= high
    assert len(calls) == 2
    assert record["dcr_ratio_low"] <= record["dcr_ratio"] <= record["dcr_ratio_high"]
    assert record["dcr_ratio_high"] < 0.5  # released rows are the private rows
    assert record["utility_accuracy_low"] <= record["utility_accuracy"]
    assert record["utility_accuracy"] <= record["utility_accuracy_high"]
    assert worst_case_attack(record, record)["auc"] == max(
        auc for auc, low, _ in figures.values() if low > 0.5)
    with pytest.raises(ValueError, match="y_attacker"):
        evaluate_privacy(study["X_private"], labels, np.array([0, 1]), n_bootstrap=0,
                         **common)


def test_attackers_fitted_once_give_the_figures_of_attackers_fitted_per_set(study):
    n = len(study["X_private"])
    common = dict(
        X_private=study["X_private"], y_private=study["y_private"],
        groups_private=np.repeat(np.arange(20), 12), X_attacker=study["X_attacker"],
        groups_attacker=study["g_attacker"], X_outside=study["X_strangers"][:n],
        y_outside=study["y_private"], groups_outside=np.repeat(np.arange(40, 60), 12),
        input_shape=study["input_shape"], student=LogisticRegression(max_iter=300),
        n_bootstrap=50, random_state=0)
    fitted = fit_attackers(study["X_attacker"], study["g_attacker"],
                           input_shape=study["input_shape"], n_jobs=2, random_state=0)
    assert all(attacker.estimator.get_params()["classifier__n_jobs"] is None
               for attacker in fitted.values())  # fitted on 2 cores, predicts as given
    labels = np.eye(2, dtype=np.float32)[study["y_private"]]
    noise, _ = noise_set(study["X_private"], study["y_private"], random_state=0)
    for released in (study["X_private"], noise):
        once = evaluate_privacy(released, labels, np.array([0, 1]), attackers=fitted, **common)
        per_set = evaluate_privacy(released, labels, np.array([0, 1]), **common)
        linkage = [key for key in per_set if key.startswith(("summary_rf_", "hrv_"))]
        assert len(linkage) == 8
        assert {key: once[key] for key in linkage} == {key: per_set[key] for key in linkage}
    assert once["summary_rf_linkage_auc"] != evaluate_privacy(
        noise, labels, np.array([0, 1]), attackers=fit_attackers(
            study["X_attacker"], study["g_attacker"], input_shape=study["input_shape"],
            random_state=1), **common)["summary_rf_linkage_auc"]


def test_frozen_attacker_of_other_people_is_refused(study):
    known = study["g_attacker"] < 30
    fitted = fit_attackers(study["X_attacker"][known], study["g_attacker"][known],
                           input_shape=study["input_shape"], random_state=0)
    with pytest.raises(ValueError, match="fit_attackers"):
        reidentification(study["X_private"], study["X_attacker"], study["g_attacker"],
                         study["members"], attacker=fitted["summary_rf"])
    with pytest.raises(ValueError, match="X_attacker, groups_attacker must have the same"):
        fit_attackers(study["X_attacker"], study["g_attacker"][1:])
