"""Inhibition that does not stop at one subject model: ensembles and activation profiles."""

import numpy as np
import pytest
import torch

from skstim import IdentityInhibitor, make_teacher
from skstim.nets import SummaryNet, summary_statistics
from skstim.synthesis import IdentityInhibition, ProfileInhibition, SynthesisState
from skstim.evaluation import summary_features

from .helpers import tiny_teacher

pytestmark = pytest.mark.filterwarnings("ignore::skstim.synthesis.SupportFloorWarning")


def _inhibitor(**kwargs):
    params = dict(teacher=tiny_teacher(max_epochs=20), n_iter=30, random_state=0)
    params.update(kwargs)
    return IdentityInhibitor(**params)


def _confidence(net, X):
    """Mean top posterior of a fitted subject model on X."""
    with torch.inference_mode():
        return float(net.predict_proba(X.astype(np.float32)).max(axis=1).mean())


def test_an_ensemble_is_fitted_and_every_member_is_inhibited(apnea):
    members = [tiny_teacher(), make_teacher(arch="summary", max_epochs=10, batch_size=16)]
    plain = _inhibitor(identity_model=members, inhibition_weight=0.0)
    plain.fit(apnea.X, apnea.y, groups=apnea.groups)
    inhibited = _inhibitor(identity_model=members, inhibition_weight=5.0)
    inhibited.fit(apnea.X, apnea.y, groups=apnea.groups)
    assert isinstance(inhibited.identity_model_, list) and len(inhibited.identity_model_) == 2
    X_plain, X_inhibited = plain.sample(72)[0], inhibited.sample(72)[0]
    for before_net, after_net in zip(plain.identity_model_, inhibited.identity_model_):
        before, after = _confidence(before_net, X_plain), _confidence(after_net, X_inhibited)
        assert after < before - 0.03, (type(before_net.module_).__name__, before, after)


def test_an_ensembles_first_member_is_the_single_models_fit(apnea):
    single = _inhibitor(identity_model=tiny_teacher(), inhibition_weight=0.0)
    single.fit(apnea.X, apnea.y, groups=apnea.groups)
    ensemble = _inhibitor(identity_model=[tiny_teacher(), tiny_teacher()], inhibition_weight=0.0)
    ensemble.fit(apnea.X, apnea.y, groups=apnea.groups)
    first, second = ensemble.identity_model_
    X = apnea.X[:8].astype(np.float32)
    np.testing.assert_array_equal(first.predict_proba(X), single.identity_model_.predict_proba(X))
    assert not np.allclose(second.predict_proba(X), first.predict_proba(X))  # its own seed


def test_an_empty_ensemble_is_refused(apnea):
    with pytest.raises(ValueError, match="identity_model is an empty list"):
        _inhibitor(identity_model=[]).fit(apnea.X, apnea.y, groups=apnea.groups)


def test_profile_inhibition_evens_out_the_nearest_profile_posterior(apnea):
    def nearest_profile_confidence(inh, X):
        profiles, spread = inh.activation_profiles_
        term = ProfileInhibition(inh.teacher_.module_.eval(), profiles, spread)
        try:
            with torch.inference_mode():
                inh.teacher_.module_(torch.as_tensor(X))
                features = torch.cat([term._features[i] for i in sorted(term._features)], 1)
        finally:
            term.remove()
        scaled = (features[:, None, :] - profiles[None]) / spread
        return float((-0.5 * scaled.pow(2).sum(2)).softmax(1).max(1).values.mean())

    plain = _inhibitor(identity_model=tiny_teacher(), inhibition_weight=0.0, profile_weight=1e-9)
    plain.fit(apnea.X, apnea.y, groups=apnea.groups)
    inhibited = _inhibitor(identity_model=tiny_teacher(), inhibition_weight=0.0,
                           profile_weight=5.0)
    inhibited.fit(apnea.X, apnea.y, groups=apnea.groups)
    profiles, spread = inhibited.activation_profiles_
    assert profiles.shape[0] == len(np.unique(apnea.groups)) and spread.shape == profiles.shape[1:]
    before = nearest_profile_confidence(plain, plain.sample(72)[0])
    after = nearest_profile_confidence(inhibited, inhibited.sample(72)[0])
    assert after < before - 0.05, (before, after)


def test_without_profile_weight_no_profile_is_held(apnea):
    inh = _inhibitor(identity_model=tiny_teacher(), n_iter=2).fit(apnea.X, apnea.y,
                                                                  groups=apnea.groups)
    assert inh.activation_profiles_ is None


def test_stacked_logits_give_the_mean_of_each_models_term():
    z = torch.randn(4, 1, 3)
    logits = torch.randn(2, 4, 5)
    stacked = IdentityInhibition(lambda _: logits)(SynthesisState(z, None, None))
    each = [IdentityInhibition(lambda _, m=m: logits[m])(SynthesisState(z, None, None))
            for m in range(2)]
    torch.testing.assert_close(stacked, (each[0] + each[1]) / 2)


def test_summary_statistics_are_the_attackers_features_but_the_bands():
    X = np.random.default_rng(0).normal(size=(6, 2 * 40)).cumsum(axis=1)
    ours = summary_statistics(torch.as_tensor(X).view(6, 2, 40)).numpy()
    theirs = summary_features(X, input_shape=(2, 40)).reshape(6, 2, 13)
    np.testing.assert_allclose(ours[..., :9], theirs[..., :9], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours[..., 9:].sum(axis=2), 1.0, rtol=1e-6)


def test_summary_net_refuses_short_windows():
    with pytest.raises(ValueError, match="at least 8 time steps"):
        SummaryNet(input_shape=(2, 5))


# ------------------------------------------------- a subject-invariant teacher (gradient reversal)
def test_gradient_reversal_flips_the_gradient_reaching_the_network():
    from skstim.nets._invariant import _ReverseGradient

    x = torch.ones(3, requires_grad=True)
    (_ReverseGradient.apply(x, 0.5) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    torch.testing.assert_close(x.grad, torch.tensor([-0.5, -1.0, -1.5]))


def test_subject_adversarial_returns_the_base_logits_and_keeps_the_head_for_training():
    from skstim.nets import ConvNet1d, SubjectAdversarial

    torch.manual_seed(0)
    wrapped = SubjectAdversarial(ConvNet1d, n_subjects=5, input_shape=(2, 30))
    X = torch.randn(4, 60)
    wrapped.eval()
    torch.testing.assert_close(wrapped(X), wrapped.base(X))
    assert wrapped.subject_logits is None
    wrapped.train()
    wrapped(X)
    assert wrapped.subject_logits.shape == (4, 5)


def test_synthesizer_passes_groups_to_a_subject_invariant_teacher(apnea):
    from skstim import StimulusSynthesizer

    teacher = make_teacher(arch="mlp", max_epochs=3, subject_reversal=0.3)
    syn = StimulusSynthesizer(teacher, input_shape=apnea.input_shape, n_iter=2,
                              stimuli_per_sample=1.0, random_state=0)
    X_s, _ = syn.fit_resample(apnea.X, apnea.y, groups=apnea.groups)
    assert X_s.shape == apnea.X.shape
    assert syn.teacher_.module_.head[-1].out_features == len(np.unique(apnea.groups))
    with pytest.raises(ValueError, match="SubjectInvariantClassifier.*groups=subject_ids"):
        StimulusSynthesizer(teacher, input_shape=apnea.input_shape).fit(apnea.X, apnea.y)


def test_the_subject_head_learns_while_the_reversal_works_against_it(apnea):
    # the head is trained on the subjects (it gets better than chance on its training
    # rows), which is what the reversed gradient pushes the network against
    net = make_teacher(apnea.input_shape, arch="mlp", max_epochs=30, subject_reversal=0.1,
                       random_state=0).fit(apnea.X, apnea.y, groups=apnea.groups)
    net.module_.train()
    with torch.no_grad():
        net.module_(torch.as_tensor(apnea.X, dtype=torch.float32))
    named = net.module_.subject_logits.argmax(dim=1).numpy()
    subjects = np.unique(apnea.groups, return_inverse=True)[1]
    assert np.mean(named == subjects) > 2.0 / len(np.unique(subjects))


def test_an_ensemble_is_described_member_by_member_in_the_record(apnea):
    from skstim.release import stimuli_metadata

    inh = _inhibitor(identity_model=[tiny_teacher(), make_teacher(arch="summary", max_epochs=2)],
                     n_iter=2).fit(apnea.X, apnea.y, groups=apnea.groups)
    described = stimuli_metadata(inh)["synthesis_parameters"]["identity_model"]
    assert described == ["NetClassifier(module=MLP)", "NetClassifier(module=SummaryNet)"]
