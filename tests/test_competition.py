"""Competition with a student (DeepInversion's adaptive term): the objective term, the
engine's ``student_model`` / ``competition_weight`` and ``StimulusSynthesizer``'s two
rounds."""

import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import InvalidParameterError

from skstim import IdentityInhibitor, StimulusSynthesizer
from skstim.nets import MLP
from skstim.synthesis import DirectOptimizer, StudentCompetition, SynthesisState, synthesize

from .helpers import tiny_synthesizer, tiny_teacher


def _jensen_shannon(p, q):
    m = 0.5 * (p + q)
    return 0.5 * (p * np.log(p / m)).sum(axis=1) + 0.5 * (q * np.log(q / m)).sum(axis=1)


def test_competition_term_is_one_minus_the_jensen_shannon_divergence():
    generator = torch.Generator().manual_seed(0)
    teacher_logits = torch.randn(6, 3, generator=generator)
    student_logits = torch.randn(6, 3, generator=generator)
    term = StudentCompetition(lambda z: student_logits)
    value = term(SynthesisState(torch.zeros(6, 1, 4), teacher_logits, None))
    expected = 1 - _jensen_shannon(teacher_logits.softmax(1).numpy(),
                                   student_logits.softmax(1).numpy())
    np.testing.assert_allclose(value.numpy(), expected, rtol=1e-5)
    same = StudentCompetition(lambda z: teacher_logits)(
        SynthesisState(torch.zeros(6, 1, 4), teacher_logits, None))
    np.testing.assert_allclose(same.numpy(), np.ones(6), atol=1e-6)


def _linear(n_features, seed):
    """A linear classifier on flat input with confident, seed-dependent logits."""
    generator = torch.Generator().manual_seed(seed)
    layer = torch.nn.Linear(n_features, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(2, n_features, generator=generator))
        layer.bias.zero_()
    return layer


def test_competition_gradient_moves_stimuli_towards_disagreement():
    teacher, student = _linear(8, 0), _linear(8, 1)
    z = torch.randn(32, 1, 8, generator=torch.Generator().manual_seed(2), requires_grad=True)
    term = StudentCompetition(lambda v: student(v.flatten(1)))
    optimizer = torch.optim.Adam([z], lr=0.1)
    before = term(SynthesisState(z, teacher(z.flatten(1)), None)).mean().item()
    for _ in range(50):
        optimizer.zero_grad()
        term(SynthesisState(z, teacher(z.flatten(1)), None)).mean().backward()
        optimizer.step()
    after = term(SynthesisState(z, teacher(z.flatten(1)), None)).mean().item()
    assert after < before - 0.3


def _disagreement(teacher, student, X):
    with torch.no_grad():
        p = teacher(torch.as_tensor(X)).softmax(1).numpy()
        q = student(torch.as_tensor(X)).softmax(1).numpy()
    return _jensen_shannon(p, q).mean()


def test_engine_competition_raises_the_disagreement_with_the_student():
    teacher, student = _linear(12, 0), _linear(12, 1)
    targets = np.arange(64) % 2
    kwargs = dict(optimizer=DirectOptimizer(n_iter=40), bn_weight=0.0, random_state=0)
    X_plain, _ = synthesize(teacher, targets, (1, 12), **kwargs)
    X_comp, P = synthesize(teacher, targets, (1, 12), student_model=student,
                           competition_weight=1.0, **kwargs)
    assert _disagreement(teacher, student, X_comp) > 2 * _disagreement(teacher, student, X_plain)
    # the excitation still holds: the teacher labels the stimuli as their targets
    assert (P.argmax(axis=1) == targets).mean() > 0.9


def test_engine_competition_needs_a_student_model():
    with pytest.raises(ValueError, match="student_model"):
        synthesize(MLP((1, 6)).eval(), np.array([0, 1]), (1, 6), competition_weight=1.0)


def test_synthesizer_competition_round_is_seeded_and_changes_the_second_half(apnea):
    kwargs = dict(input_shape=apnea.input_shape, n_iter=10)
    plain = tiny_synthesizer(**kwargs).fit(apnea.X, apnea.y)
    X_plain, y_plain = plain.sample(60)
    competing = tiny_synthesizer(competition_weight=2.0, **kwargs).fit(apnea.X, apnea.y)
    X_a, y_a = competing.sample(60)
    X_b, y_b = competing.sample(60)
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)
    assert X_a.shape == X_plain.shape and np.isfinite(X_a).all()
    assert set(np.unique(y_a)) <= set(plain.classes_)
    assert not np.allclose(X_a[30:], X_plain[30:])


def test_synthesizer_competition_works_with_a_frozen_teacher(apnea, fitted_teacher):
    syn = StimulusSynthesizer(FrozenEstimator(fitted_teacher), input_shape=apnea.input_shape,
                              stimuli_per_sample=1.0, n_iter=5, competition_weight=1.0, random_state=0)
    X_s, y_s = syn.fit_resample(apnea.X, apnea.y)
    assert X_s.shape == apnea.X.shape
    assert syn.teacher_ is fitted_teacher


def test_inhibitor_takes_the_competition_weight(apnea):
    inhibitor = IdentityInhibitor(tiny_teacher(), identity_model=tiny_teacher(),
                                  input_shape=apnea.input_shape, stimuli_per_sample=1.0, n_iter=5,
                                  competition_weight=1.0, random_state=0)
    X_s, _ = inhibitor.fit_resample(apnea.X, apnea.y, groups=apnea.groups)
    assert inhibitor.get_params()["competition_weight"] == 1.0
    assert X_s.shape == apnea.X.shape


@pytest.mark.parametrize("value", [-1.0, "high"])
def test_invalid_competition_weight_names_the_parameter(apnea, value):
    with pytest.raises(InvalidParameterError, match="competition_weight"):
        tiny_synthesizer(competition_weight=value).fit(apnea.X, apnea.y)
