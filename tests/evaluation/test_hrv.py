"""HRV features and the HRV linkage attacker: known signals, copies, noise, bad input."""

import numpy as np
import pytest

from skstim.evaluation import HRV_FEATURES, hrv_features, make_hrv_attacker, noise_set
from skstim.evaluation import reidentification


def _column(name):
    return HRV_FEATURES.index(name)


def test_time_domain_measures_match_their_definitions():
    rr = np.array([[0.8, 0.9, 0.8, 0.9, 0.8, 0.9, 0.8, 0.9, 0.8, 0.9]])
    F = hrv_features(rr)
    assert F[0, _column("mean_rr")] == pytest.approx(0.85)
    assert F[0, _column("sdnn")] == pytest.approx(0.05)
    assert F[0, _column("rmssd")] == pytest.approx(0.1)
    assert F[0, _column("pnn50")] == pytest.approx(1.0)  # every difference is 100 ms
    assert F[0, _column("sd1")] == pytest.approx(np.sqrt(0.5) * np.diff(rr).std())


@pytest.mark.parametrize("frequency, band", [(0.1, "lf"), (0.3, "hf")])
def test_spectral_power_lands_in_its_band(frequency, band):
    t = np.arange(300)
    rr = 0.9 + 0.05 * np.sin(2 * np.pi * frequency * t)[None, :]
    F = hrv_features(rr, sampling_rate=1.0)
    other = "hf" if band == "lf" else "lf"
    assert F[0, _column(band)] > 20 * F[0, _column(other)]
    assert (F[0, _column("lf_nu")] > 0.9) == (band == "lf")


def test_channels_and_sampling_rate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 2 * 64))
    F = hrv_features(X, input_shape=(2, 64), sampling_rate=2.0)
    assert F.shape == (3, 2 * len(HRV_FEATURES))
    np.testing.assert_allclose(F[:, len(HRV_FEATURES):],
                               hrv_features(X[:, 64:], sampling_rate=2.0))
    flat = hrv_features(np.ones((2, 30)))
    assert np.all(flat[:, 1:] == 0)  # no variability, no ratio: 0, not NaN


@pytest.mark.parametrize("kwargs, match", [
    (dict(input_shape=(2, 5)), "at least 8 samples"),
    (dict(input_shape=(3, 7)), "input_shape"),
    (dict(sampling_rate=0), "sampling_rate must be a positive number"),
])
def test_bad_input_names_the_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hrv_features(np.zeros((2, 10)), **kwargs)


def _people(n_people=6, n_windows=30, seed=0):
    """RR windows whose level, variability and breathing rate are personal traits."""
    rng = np.random.default_rng(seed)
    t = np.arange(120)
    X, groups = [], []
    for person in range(n_people):
        level, spread, breath = 0.7 + 0.08 * person, 0.01 + 0.01 * (person % 3), 0.2 + 0.03 * person
        rows = level + spread * np.sin(2 * np.pi * breath * t + rng.uniform(0, 6, (n_windows, 1)))
        X.append(rows + 0.005 * rng.normal(size=rows.shape))
        groups += [person] * n_windows
    return np.vstack(X), np.array(groups)


def test_the_attacker_links_copies_but_not_noise():
    X, groups = _people()
    attacker_rows = np.arange(len(X)) % 2 == 0
    members = np.arange(3)
    released = np.isin(groups, members) & ~attacker_rows
    common = dict(members=members, input_shape=(1, 120), random_state=0,
                  attacker=make_hrv_attacker(random_state=0))
    copies = reidentification(X[released], X[attacker_rows], groups[attacker_rows],
                              groups_released=groups[released], **common)
    noise, _ = noise_set(X[released], groups[released], random_state=0)
    floor = reidentification(noise, X[attacker_rows], groups[attacker_rows], **common)
    assert copies["top1_accuracy"] > 0.9
    assert copies["membership_auc"] > 0.9
    assert floor["membership_auc"] < copies["membership_auc"]
