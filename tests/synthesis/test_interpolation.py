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
