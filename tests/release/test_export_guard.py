"""The export guard: what it catches, what it does not flag, and what data cannot switch off."""

import warnings

import numpy as np
import pytest

from skstim.datasets import make_sleep_apnea
from skstim.release import export_guard, load_stimuli, save_stimuli


@pytest.fixture(scope="module")
def study():
    """12 simulated people: 9 private, 3 others (fresh rows no guard should flag)."""
    data = make_sleep_apnea(n_subjects=12, n_windows=20, sampling_rate=1.0, random_state=4)
    private = data.groups < 9
    return data.X[private], data.X[~private], data.input_shape


def _channels(row, shape):
    return row.reshape(shape)


# Each copy is made of private row ``i`` by a transformation the guard claims to catch.
CAUGHT = {
    "exact": lambda x, s: x,
    "float32": lambda x, s: x.astype(np.float32),
    "shifted by one step": lambda x, s: np.concatenate(
        [_channels(x, s)[:, :1], _channels(x, s)[:, :-1]], axis=1).ravel(),
    "rolled by two steps": lambda x, s: np.roll(_channels(x, s), 2, axis=1).ravel(),
    "scaled by 1.1": lambda x, s: 1.1 * x,
    "scaled by 0.3 and shifted in level": lambda x, s: 0.3 * x + 5.0,
    "time-reversed": lambda x, s: _channels(x, s)[:, ::-1].ravel(),
    "channels negated": lambda x, s: -x,
    "reversed, negated and rolled": lambda x, s: -np.roll(_channels(x, s)[:, ::-1], 1,
                                                          axis=1).ravel(),
    "with noise of 1% of the spread": lambda x, s: x + 0.01 * np.random.default_rng(0).normal(
        size=x.shape) * np.repeat(_channels(x, s).std(axis=1), s[1]),
}


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_a_planted_copy_is_caught(study, name):
    private, fresh, shape = study
    X = np.vstack([fresh[:6], CAUGHT[name](private[7], shape)])
    with pytest.warns(UserWarning, match=r"dropped 1 of 7 stimuli.*\[6\]"):
        keep, record = export_guard(X, private, input_shape=shape, on_copy="drop")
    assert keep.tolist() == [True] * 6 + [False]
    assert record["min_distance"] > record["threshold"]


def test_other_peoples_rows_are_not_copies(study):
    private, fresh, shape = study
    keep, record = export_guard(fresh, private, input_shape=shape)
    assert keep.all() and not record["degenerate"]
    assert record["min_distance"] > record["threshold"] > 0


def test_a_near_duplicate_pair_does_not_switch_the_guard_off(study):
    private, fresh, shape = study
    X_train = private.copy()
    X_train[1] = X_train[0] + 1e-9  # the old guard's threshold fell to 2.4e-7 here
    plain = export_guard(fresh, private, input_shape=shape)[1]["threshold"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a pair of near-duplicates is no degenerate data set
        record = export_guard(fresh, X_train, input_shape=shape)[1]
    assert record["threshold"] == pytest.approx(plain, rel=0.05)
    with pytest.raises(ValueError, match=r"1 of 4 stimuli are copies.*\[3\]"):
        export_guard(np.vstack([fresh[:3], X_train[5].astype(np.float32)]), X_train,
                     input_shape=shape)


def test_many_near_duplicates_make_a_degenerate_threshold_with_a_warning(study):
    private, fresh, shape = study
    noise = np.random.default_rng(1).normal(scale=5e-3, size=private.shape)
    X_train = np.vstack([private, private + noise * private.std(axis=0)])  # all rows twice
    with pytest.warns(UserWarning, match="degenerate"):
        keep, record = export_guard(fresh, X_train, input_shape=shape)
    assert record["degenerate"] and record["n_private_near_duplicates"] >= len(private)
    assert keep.all() and record["threshold"] > 0
    with pytest.warns(UserWarning, match="degenerate"), \
            pytest.raises(ValueError, match="1 of 1 stimuli are copies"):
        export_guard(private[[4]], X_train, input_shape=shape)


def test_exact_duplicates_in_the_data_do_not_count_as_spacing(study):
    private, fresh, shape = study
    plain = export_guard(fresh, private, input_shape=shape)[1]
    doubled = export_guard(fresh, np.vstack([private, private[:10]]), input_shape=shape)[1]
    assert doubled["threshold"] == pytest.approx(plain["threshold"], rel=0.05)


def test_flat_rows_are_never_copies_and_flat_private_rows_do_not_count(study):
    private, fresh, shape = study
    X_train = np.vstack([private, np.full((3, private.shape[1]), 2.0)])
    X = np.vstack([fresh[:2], np.full((1, private.shape[1]), 2.0)])
    keep, record = export_guard(X, X_train, input_shape=shape)
    assert keep.all()
    with pytest.raises(ValueError, match="at least two distinct rows"):
        export_guard(fresh, np.vstack([private[:1]] * 4), input_shape=shape)


def test_the_saved_record_says_what_the_threshold_means(study, tmp_path):
    private, fresh, shape = study
    y = np.zeros(len(fresh), dtype=int)
    report = save_stimuli(tmp_path / "s.npz", fresh, y, metadata={"input_shape": shape},
                          X_train=private)
    guard = load_stimuli(tmp_path / "s.npz").metadata["export_guard"]
    assert guard["threshold"] == pytest.approx(report["threshold"])
    assert {"quantile", "margin", "max_shift", "private_spacing_quantile", "degenerate"} \
        <= set(guard)


def test_refusal_names_the_threshold_and_its_meaning(study):
    private, _, shape = study
    with pytest.raises(ValueError, match=r"within shape distance .* of the spacing that 95% "
                                         r"of the private rows keep"):
        export_guard(private[:2], private, input_shape=shape)
