"""Teacher-labelled interpolations between stimuli (``mix``)."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from skstim.synthesis import interpolate

from ..helpers import tiny_synthesizer


def test_interpolate_labels_convex_combinations_with_the_teacher():
    model = torch.nn.Linear(3, 2)
    stimuli = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    X, proba = interpolate(model, stimuli, 50, batch_size=7, random_state=0)
    assert X.shape == (50, 3) and X.dtype == np.float32 and proba.shape == (50, 2)
    # Every row lies on the segment between the two stimuli: x = t * (1, 2, 3).
    t = X[:, 0]
    np.testing.assert_allclose(X, t[:, None] * stimuli[1], atol=1e-6)
    assert ((t >= 0) & (t <= 1)).all() and t.std() > 0.1
    with torch.inference_mode():
        expected = model(torch.as_tensor(X)).softmax(dim=1).numpy()
    np.testing.assert_allclose(proba, expected, rtol=1e-5, atol=1e-6)


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
    # Interpolations stay inside the per-feature range of the optimized stimuli.
    assert (mixed >= optimized.min(axis=0) - 1e-5).all()
    assert (mixed <= optimized.max(axis=0) + 1e-5).all()
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
