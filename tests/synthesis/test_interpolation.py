"""Teacher-labelled interpolations between stimuli (``mix``)."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from skstim.synthesis import interpolate

from ..helpers import tiny_synthesizer


def test_interpolate_mixes_levels_and_keeps_the_spread_labelled_by_the_teacher():
    model = torch.nn.Linear(4, 2)
    # levels 1 and 3; deviations orthogonal and of the same norm (2)
    stimuli = np.array([[2, 0, 2, 0], [4, 4, 2, 2]], dtype=np.float32)
    X, proba = interpolate(model, stimuli, 50, batch_size=7, random_state=0)
    assert X.shape == (50, 4) and X.dtype == np.float32 and proba.shape == (50, 2)
    lam = (3 - X.mean(axis=1)) / 2  # the level is lam * 1 + (1 - lam) * 3
    assert ((lam > -1e-6) & (lam < 1 + 1e-6)).all() and lam.std() > 0.1
    # rows of two different stimuli (a stimulus drawn twice keeps its level)
    pairs = (lam > 0.005) & (lam < 0.995)
    assert pairs.sum() >= 15
    X, lam, proba_pairs = X[pairs], lam[pairs], proba[pairs]
    deviation = X - X.mean(axis=1, keepdims=True)
    # a plain average would shrink the norm, to sqrt(2) at lam = 0.5
    np.testing.assert_allclose(np.linalg.norm(deviation, axis=1), 2.0, rtol=1e-5)
    expected = (lam[:, None] * np.array([1, -1, 1, -1]) + (1 - lam[:, None])
                * np.array([1, 1, -1, -1])) / np.sqrt(lam ** 2 + (1 - lam) ** 2)[:, None]
    np.testing.assert_allclose(deviation, expected, atol=1e-5)
    with torch.inference_mode():
        expected = model(torch.as_tensor(X)).softmax(dim=1).numpy()
    np.testing.assert_allclose(proba_pairs, expected, rtol=1e-5, atol=1e-6)


def test_interpolate_mixes_each_channel_on_its_own():
    model = torch.nn.Linear(6, 2)
    # two channels of three times; channel levels (0, 10) and (6, 4)
    stimuli = np.array([[-1, 0, 1, 10, 10, 10], [6, 6, 6, 3, 4, 5]], dtype=np.float32)
    X = interpolate(model, stimuli, 20, n_channels=2, random_state=1)[0].reshape(20, 2, 3)
    lam = 1 - X[:, 0].mean(axis=1) / 6
    pairs = (lam > 0.005) & (lam < 0.995)  # rows of two different stimuli
    assert pairs.sum() >= 5
    X, lam = X[pairs], lam[pairs]
    np.testing.assert_allclose(X[:, 1].mean(axis=1), lam * 10 + (1 - lam) * 4, atol=1e-4)
    # each channel's deviation comes from the one stimulus that has one there
    np.testing.assert_allclose(X[:, 0] - X[:, 0].mean(axis=1, keepdims=True),
                               (lam / np.sqrt(lam ** 2 + (1 - lam) ** 2))[:, None] * [-1, 0, 1],
                               atol=1e-4)
    with pytest.raises(ValueError, match="n_channels=4 does not divide the 6 features"):
        interpolate(model, stimuli, 2, n_channels=4)


def test_interpolate_is_seeded():
    model = torch.nn.Linear(4, 2)
    stimuli = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    first = interpolate(model, stimuli, 8, random_state=3)[0]
    np.testing.assert_array_equal(first, interpolate(model, stimuli, 8, random_state=3)[0])
    assert not np.array_equal(first, interpolate(model, stimuli, 8, random_state=4)[0])


def test_mix_makes_a_share_of_the_stimuli_by_interpolation(apnea):
    synthesizer = tiny_synthesizer(mix=0.25)
    X_s, y_s = synthesizer.fit_resample(apnea.X, apnea.y)
    n_mixed = round(0.25 * len(apnea.X))
    assert len(X_s) == len(apnea.X)
    optimized, mixed = X_s[:-n_mixed], X_s[-n_mixed:]

    def spread(X):  # within-window spread per channel, averaged over stimuli
        return X.reshape(len(X), *apnea.input_shape).std(axis=2).mean(axis=0)

    # The interpolations keep the optimized stimuli's spread: a plain average of two
    # unrelated stimuli has 0.82 of it on average, and two alike up to sqrt(2) of it here.
    ratio = spread(mixed) / spread(optimized)
    assert np.all(ratio > 0.9) and np.all(ratio < np.sqrt(2)), ratio
    # Every stimulus, optimized or not, carries the teacher's own soft label.
    np.testing.assert_allclose(synthesizer.y_proba_, synthesizer.teacher_.predict_proba(X_s),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(y_s, synthesizer.classes_[synthesizer.y_proba_.argmax(axis=1)])


def test_mix_must_leave_some_optimized_stimuli(apnea):
    with pytest.raises(InvalidParameterError, match="mix"):
        tiny_synthesizer(mix=1.0).fit(apnea.X, apnea.y)


def test_interpolate_writes_into_out_a_batch_at_a_time():
    model = torch.nn.Linear(4, 3)
    stimuli = np.random.default_rng(1).normal(size=(6, 4)).astype(np.float32)
    expected_X, expected_proba = interpolate(model, stimuli, 11, batch_size=4, random_state=2)
    X, proba = np.full((12, 4), np.nan, np.float32), np.full((12, 3), np.nan, np.float32)
    got = interpolate(model, stimuli, 11, batch_size=4, random_state=2, out=(X[1:], proba[1:]))
    assert got[0].base is X and got[1].base is proba
    np.testing.assert_array_equal(X[1:], expected_X)
    np.testing.assert_array_equal(proba[1:], expected_proba)
    assert np.isnan(X[0]).all() and np.isnan(proba[0]).all()  # rows outside out untouched


def test_interpolate_refuses_out_of_the_wrong_shape():
    model = torch.nn.Linear(4, 2)
    stimuli = np.zeros((3, 4), np.float32)
    with pytest.raises(ValueError, match="out must hold 5 rows of 4 features"):
        interpolate(model, stimuli, 5, out=(np.empty((5, 3), np.float32),
                                            np.empty((5, 2), np.float32)))


def test_mixed_stimuli_are_the_interpolations_of_the_optimized_ones(apnea):
    """``sample`` writes each part into its rows of one output: the optimized part equals
    the same draw without mix, and the rest equals ``interpolate`` of that part."""
    mixed = tiny_synthesizer(mix=0.75, stimuli_per_sample=1.0).fit(apnea.X, apnea.y)
    X, _, proba = mixed.sample(40, return_proba=True)
    n_optimized = 10
    plain = mixed.set_params(mix=0.0).sample(n_optimized, return_proba=True)
    np.testing.assert_array_equal(X[:n_optimized], plain[0])
    np.testing.assert_array_equal(proba[:n_optimized], plain[2])
    assert not np.array_equal(X[n_optimized:20], X[:n_optimized])
    assert np.isfinite(X).all() and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
