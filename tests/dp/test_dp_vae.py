"""The differentially private conditional VAE, a peer of private stimuli."""

import numpy as np
import pytest

pytest.importorskip("opacus", reason="the dp extra (Opacus) is not installed")

from skstim.evaluation import dp_vae_set  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2, 10)).astype(np.float32) + np.array([[0.0], [95.0]])
    return X.reshape(120, -1), np.repeat([0, 1], 60), np.repeat(np.arange(12), 10)


@pytest.mark.parametrize("unit", ["window", "person"])
def test_the_set_spends_no_more_than_its_budget(data, unit):
    X, y, groups = data
    Xs, proba, classes, privacy = dp_vae_set(X, y, 30, epsilon=3.0, unit=unit, groups=groups,
                                             input_shape=(2, 10), max_epochs=2, random_state=0)
    assert Xs.shape == (30, 20) and proba.shape == (30, 2) and classes.tolist() == [0, 1]
    assert 0.97 * 3.0 <= privacy["epsilon"] <= 3.0 and privacy["unit"] == unit
    assert "VAE DP-SGD" in [m["name"] for m in privacy["mechanisms"]]


def test_the_set_is_decoded_in_the_datas_scale():
    # enough windows that the released centre is near the truth: a channel near 95
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(2000, 2, 10)) + np.array([[0.0], [95.0]])).reshape(2000, -1)
    Xs = dp_vae_set(X, np.arange(2000) % 2, 50, epsilon=8.0, input_shape=(2, 10),
                    max_epochs=1, random_state=0)[0].reshape(50, 2, 10)
    assert abs(Xs[:, 1].mean() - 95) < 3 and abs(Xs[:, 0].mean()) < 3


def test_fixed_random_state_gives_the_same_set(data):
    X, y, _ = data
    first = dp_vae_set(X, y, 10, epsilon=3.0, max_epochs=1, random_state=0)[0]
    again = dp_vae_set(X, y, 10, epsilon=3.0, max_epochs=1, random_state=0)[0]
    np.testing.assert_array_equal(first, again)


def test_person_unit_needs_groups(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="groups"):
        dp_vae_set(X, y, epsilon=3.0, unit="person")
