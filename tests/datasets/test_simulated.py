"""make_sleep_apnea: the embedded simulation of sleep-apnea recordings."""

import numpy as np
import pytest
from sklearn.utils import Bunch

from skstim.datasets import make_sleep_apnea


def test_make_sleep_apnea_shapes():
    data = make_sleep_apnea(n_subjects=3, n_windows=7, sampling_rate=1.0, window_seconds=30,
                            random_state=0)
    assert isinstance(data, Bunch)
    assert data.X.shape == (21, 4 * 30) and data.X.dtype == np.float64
    assert data.y.shape == (21,) and set(np.unique(data.y)) <= {0, 1}
    assert data.input_shape == (4, 30)
    assert data.channel_names == ["chest", "abdomen", "airflow", "spo2"]
    np.testing.assert_array_equal(data.groups, np.repeat([0, 1, 2], 7))
    assert "apnea" in data.DESCR
    X, y = make_sleep_apnea(n_subjects=3, n_windows=7, sampling_rate=1.0, window_seconds=30,
                            random_state=0, return_X_y=True)
    np.testing.assert_array_equal(X, data.X)
    np.testing.assert_array_equal(y, data.y)


def test_make_sleep_apnea_default_sampling_rate():
    data = make_sleep_apnea(n_subjects=2, n_windows=2, random_state=0)
    assert data.input_shape == (4, 120) and data.X.shape == (4, 480)


def test_make_sleep_apnea_is_seeded():
    a = make_sleep_apnea(n_subjects=4, n_windows=10, sampling_rate=1.0, random_state=3)
    b = make_sleep_apnea(n_subjects=4, n_windows=10, sampling_rate=1.0, random_state=3)
    c = make_sleep_apnea(n_subjects=4, n_windows=10, sampling_rate=1.0, random_state=4)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.allclose(a.X, c.X)
    rs = np.random.RandomState(0)
    d = make_sleep_apnea(n_subjects=2, n_windows=3, sampling_rate=1.0, random_state=rs)
    assert d.X.shape == (6, 240)


def test_make_sleep_apnea_leaves_the_global_state():
    np.random.seed(0)
    state = np.random.get_state()
    make_sleep_apnea(n_subjects=2, n_windows=5, sampling_rate=1.0, random_state=None)
    np.testing.assert_array_equal(np.random.get_state()[1], state[1])


def test_make_sleep_apnea_both_classes_and_learnable_structure():
    data = make_sleep_apnea(n_subjects=10, n_windows=30, sampling_rate=1.0, random_state=0)
    counts = np.bincount(data.y, minlength=2)
    assert counts.min() >= 0.1 * len(data.y)
    channels = data.X.reshape(len(data.X), 4, 60)
    # SpO2 sits near its physiological level; airflow drops during apnea windows
    assert 85 < channels[:, 3].mean() < 100
    flow_spread = channels[:, 2].std(axis=1)
    assert flow_spread[data.y == 1].mean() < flow_spread[data.y == 0].mean()
    # subjects differ: their SpO2 baselines are spread beyond the within-subject noise
    baselines = [channels[data.groups == g, 3].mean() for g in range(10)]
    assert np.std(baselines) > 0.5


@pytest.mark.parametrize("params, name", [
    ({"n_subjects": 1}, "n_subjects"), ({"n_windows": 0}, "n_windows"),
    ({"sampling_rate": 0.1}, "sampling_rate"), ({"noise": -1.0}, "noise"),
])
def test_make_sleep_apnea_bad_parameters(params, name):
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        make_sleep_apnea(**params)
