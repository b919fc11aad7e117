"""Property-based tests: whatever shapes, dtypes, labels and counts users pass, a call works
or raises a clear ValueError/TypeError; it never returns NaN and never changes the
caller's arrays."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skstim.release import load_stimuli, save_stimuli
from skstim.utils import check_input_shape

from .helpers import tiny_synthesizer

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
LABELS = {
    "int": lambda k: np.arange(k),
    "str": lambda k: np.array(["normal", "apnea", "hypopnea", "central"][:k]),
    "whole float": lambda k: np.arange(k, dtype=float),
}


@st.composite
def data_sets(draw):
    n_channels = draw(st.integers(1, 3))
    n_times = draw(st.integers(4, 16))
    n_classes = draw(st.integers(2, 3))
    per_class = draw(st.integers(3, 8))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    labels = LABELS[draw(st.sampled_from(sorted(LABELS)))](n_classes)
    seed = draw(st.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(labels, per_class))
    X = (rng.normal(size=(len(y), n_channels * n_times))
         + 3 * np.searchsorted(labels, y)[:, None]).astype(dtype)
    shape = draw(st.sampled_from([(n_channels, n_times), None, (n_times, n_channels),
                                  (n_channels * n_times + 1, 1)]))
    amount = draw(st.one_of(
        st.builds(lambda k: {"n_stimuli": k}, st.integers(1, 20)),
        st.builds(lambda r: {"stimuli_per_sample": r}, st.floats(0.05, 2.0))))
    return X, y, shape, amount


@SETTINGS
@given(data=data_sets())
def test_fit_resample_works_or_says_why(data):
    X, y, shape, amount = data
    X_before, y_before = X.copy(), y.copy()
    synthesizer = tiny_synthesizer(input_shape=shape, n_iter=3, **amount)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X_s, y_s = synthesizer.fit_resample(X, y)
    except (ValueError, TypeError) as exc:
        assert "input_shape" in str(exc)  # the only bad input drawn: a shape that does not fit
        assert shape is not None and np.prod(shape) != X.shape[1]
    else:
        assert X_s.shape == (synthesizer.n_stimuli_, X.shape[1])
        assert np.isfinite(X_s).all() and np.isfinite(synthesizer.y_proba_).all()
        assert set(np.unique(y_s).tolist()) <= set(np.unique(y).tolist())
        np.testing.assert_allclose(synthesizer.y_proba_.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


@SETTINGS
@given(data=data_sets())
def test_stimuli_files_round_trip_any_labels(tmp_path_factory, data):
    X, y, _, _ = data
    path = tmp_path_factory.mktemp("files") / "s.npz"
    X_before = X.copy()
    save_stimuli(path, X, y)
    loaded = load_stimuli(path)
    np.testing.assert_array_equal(loaded.X, X.astype(np.float32))
    np.testing.assert_array_equal(loaded.y, y)
    np.testing.assert_array_equal(X, X_before)


@given(shape=st.one_of(st.none(), st.lists(st.integers(-3, 50), max_size=4),
                       st.tuples(st.floats(0.5, 10), st.integers(1, 5)), st.text(max_size=4)),
       n_features=st.integers(1, 60))
def test_input_shapes_are_checked_or_explained(shape, n_features):
    try:
        checked = check_input_shape(shape, n_features)
    except ValueError as exc:
        assert "input_shape" in str(exc)
    else:
        assert len(checked) == 2 and int(np.prod(checked)) == n_features
        assert all(isinstance(v, int) and v >= 1 for v in checked)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_input_is_refused_with_a_clear_error(apnea, value):
    X = apnea.X.copy()
    X[3, 5] = value
    with pytest.raises(ValueError, match="NaN|infinity"):
        tiny_synthesizer().fit_resample(X, apnea.y)
