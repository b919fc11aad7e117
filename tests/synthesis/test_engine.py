"""The synthesis engine on its own: excitation, confidence targets, the BatchNorm prior,
chunking and bookkeeping. Uses only ``skstim.synthesis.synthesize`` and its optimizers."""

import numpy as np
import pytest
import torch
from torch import nn

from skstim.synthesis import DirectOptimizer, GeneratorOptimizer, synthesize

from ..helpers import hooks_removed

OPTIMIZERS = {"direct": DirectOptimizer, "generator": GeneratorOptimizer}


@pytest.fixture
def teacher(fitted_teacher):
    return fitted_teacher.module_


@pytest.fixture
def run(teacher, apnea, standardization):
    """``synthesize`` on the fitted teacher, in the data's scale."""
    loc, scale = standardization

    def run_(targets, method="direct", n_iter=30, **kwargs):
        kwargs.setdefault("random_state", 0)
        return synthesize(teacher, np.asarray(targets), apnea.input_shape,
                          optimizer=OPTIMIZERS[method](n_iter=n_iter), loc=loc, scale=scale,
                          **kwargs)
    return run_


TARGETS = np.array([0, 1] * 16)


def target_proba(proba, targets):
    return proba[np.arange(len(targets)), targets]


@pytest.mark.parametrize("method", sorted(OPTIMIZERS))
def test_excitation_drives_the_teacher_to_the_target(run, method):
    _, proba = run(TARGETS, method, bn_weight=0.0)
    assert np.mean(proba.argmax(axis=1) == TARGETS) >= 0.9
    assert np.median(target_proba(proba, TARGETS)) > 0.9
    # without steps the stimuli are noise and hit the target about half the time
    _, noise = run(TARGETS, method, n_iter=0, bn_weight=0.0)
    assert np.median(target_proba(noise, TARGETS)) < np.median(target_proba(proba, TARGETS)) - 0.2


def test_excitation_with_the_batchnorm_prior(run):
    _, proba = run(TARGETS, "direct", bn_weight=1.0)
    assert np.mean(proba.argmax(axis=1) == TARGETS) >= 0.75


@pytest.mark.parametrize("method", sorted(OPTIMIZERS))
def test_confidence_target_freezes_stimuli(run, method):
    _, free = run(TARGETS, method, bn_weight=0.0, confidence=None)
    _, frozen = run(TARGETS, method, bn_weight=0.0, confidence=0.6)
    p_free, p_frozen = target_proba(free, TARGETS), target_proba(frozen, TARGETS)
    assert np.mean(p_free > 0.95) >= 0.9
    assert np.mean(p_frozen >= 0.6) >= 0.9  # they reached the target ...
    assert np.mean(p_frozen > 0.95) <= 0.5  # ... and stopped there
    assert np.median(p_frozen) < np.median(p_free) - 0.1


def test_confidence_range_spreads_the_stimuli(run):
    _, proba = run(TARGETS, "direct", bn_weight=0.0, confidence=(0.55, 0.95))
    p = target_proba(proba, TARGETS)
    assert np.mean(p >= 0.55) >= 0.9
    assert np.std(p) > 0.05  # spread by their random targets, not all at one level


def _bn_distance(model, X):
    """Deep-inversion distance: batch mean and variance at every BatchNorm input vs the
    layer's running statistics, summed over layers (computed here, independently)."""
    distances = []

    def hook(module, inputs, output):
        x = inputs[0].flatten(2) if inputs[0].dim() > 2 else inputs[0][:, :, None]
        mean, var = x.mean(dim=(0, 2)), x.var(dim=(0, 2), unbiased=False)
        distances.append(float(torch.linalg.vector_norm(mean - module.running_mean)
                               + torch.linalg.vector_norm(var - module.running_var)))

    layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    handles = [layer.register_forward_hook(hook) for layer in layers]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.as_tensor(X, dtype=torch.float32))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return sum(distances)


def test_batchnorm_prior_brings_statistics_to_the_real_ones(run, teacher, apnea,
                                                            standardization):
    loc, scale = standardization
    rng = np.random.default_rng(0)
    noise = (loc + scale * rng.standard_normal((len(TARGETS), *apnea.input_shape)))
    noise = noise.reshape(len(TARGETS), -1)
    with_prior, _ = run(TARGETS, "direct", bn_weight=1.0)
    without_prior, _ = run(TARGETS, "direct", bn_weight=0.0)
    d_noise = _bn_distance(teacher, noise)
    d_prior = _bn_distance(teacher, with_prior)
    assert d_prior < 0.5 * d_noise
    assert d_prior < 0.5 * _bn_distance(teacher, without_prior)


@pytest.mark.parametrize("method", sorted(OPTIMIZERS))
def test_output_shape_dtype_and_scale(run, apnea, standardization, method):
    X, proba = run(np.array([0, 1, 1, 0, 1]), method, n_iter=3)
    assert X.shape == (5, 240) and X.dtype == np.float32
    assert proba.shape == (5, 2) and proba.dtype == np.float32
    assert np.isfinite(X).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


def test_noise_starts_in_the_data_scale(run, standardization):
    loc, scale = standardization
    X, _ = run(np.zeros(64, dtype=int), "direct", n_iter=0)
    channels = X.reshape(64, 4, 60)
    np.testing.assert_allclose(channels.mean(axis=(0, 2)), loc[:, 0], atol=0.1 * scale.max())
    np.testing.assert_allclose(channels.std(axis=(0, 2)), scale[:, 0], rtol=0.1)


def test_proba_is_the_teachers_output_for_the_stimuli(run, teacher):
    X, proba = run(TARGETS[:8], "direct", n_iter=5)
    teacher.eval()
    with torch.no_grad():
        expected = teacher(torch.as_tensor(X)).softmax(dim=1).numpy()
    np.testing.assert_allclose(proba, expected, atol=1e-5)


@pytest.mark.parametrize("method", sorted(OPTIMIZERS))
def test_first_chunks_do_not_depend_on_the_total(run, method):
    targets = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0])
    X8, P8 = run(targets[:8], method, n_iter=5, batch_size=4, confidence=(0.5, 1.0))
    X12, P12 = run(targets, method, n_iter=5, batch_size=4, confidence=(0.5, 1.0))
    np.testing.assert_array_equal(X12[:8], X8)
    np.testing.assert_array_equal(P12[:8], P8)


@pytest.mark.parametrize("method", sorted(OPTIMIZERS))
def test_seeds(run, method):
    X1, P1 = run(TARGETS[:6], method, n_iter=3, random_state=4)
    X2, P2 = run(TARGETS[:6], method, n_iter=3, random_state=4)
    X3, _ = run(TARGETS[:6], method, n_iter=3, random_state=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(P1, P2)
    assert not np.allclose(X1, X3)


def test_teacher_sees_at_most_batch_size_stimuli(run, teacher):
    # Peak memory is bounded by batch_size: no forward pass holds more stimuli.
    sizes, finished = [], []
    handle = teacher.register_forward_pre_hook(lambda module, inputs: sizes.append(len(inputs[0])))
    try:
        X, proba = run(np.arange(10) % 2, "direct", n_iter=3, batch_size=4,
                       callback=finished.append)
    finally:
        handle.remove()
    assert max(sizes) == 4
    assert finished == [4, 4, 2]
    assert X.shape == (10, 240) and proba.shape == (10, 2)


def test_teacher_is_left_as_it_was(run, teacher):
    teacher.train()
    flags = [p.requires_grad for p in teacher.parameters()]
    weights = {k: v.clone() for k, v in teacher.state_dict().items()}
    try:
        run(TARGETS[:4], "generator", n_iter=3)
        run(TARGETS[:4], "direct", n_iter=3, tv_weight=0.1, l2_weight=0.1)
        assert teacher.training
        assert [p.requires_grad for p in teacher.parameters()] == flags
        for key, value in teacher.state_dict().items():
            assert torch.equal(value, weights[key]), key
        assert hooks_removed(teacher)  # the prior's hooks removed
    finally:
        teacher.eval()


@pytest.mark.parametrize("method", sorted(OPTIMIZERS))
def test_global_random_states_untouched(run, method):
    np.random.seed(0)
    torch.manual_seed(0)
    numpy_state, torch_state = np.random.get_state(), torch.get_rng_state()
    run(TARGETS[:6], method, n_iter=3, random_state=None)
    run(TARGETS[:6], method, n_iter=3, random_state=1)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state[1])
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_teacher_without_batchnorm_needs_bn_weight_zero(apnea):
    model = nn.Sequential(nn.Linear(240, 2))
    with pytest.raises(ValueError, match="bn_weight"):
        synthesize(model, np.array([0, 1]), apnea.input_shape, bn_weight=1.0,
                   optimizer=DirectOptimizer(n_iter=1), random_state=0)
    X, _ = synthesize(model, np.array([0, 1]), apnea.input_shape, bn_weight=0.0,
                      optimizer=DirectOptimizer(n_iter=1), random_state=0)
    assert X.shape == (2, 240)


def test_synthesize_writes_each_chunk_into_out(run):
    X_expected, proba_expected = run(TARGETS[:10], n_iter=3, batch_size=4)
    X = np.full((12, X_expected.shape[1]), np.nan, np.float32)
    proba = np.full((12, 2), np.nan, np.float32)
    got = run(TARGETS[:10], n_iter=3, batch_size=4, out=(X[2:], proba[2:]))
    assert got[0].base is X and got[1].base is proba
    np.testing.assert_array_equal(X[2:], X_expected)
    np.testing.assert_array_equal(proba[2:], proba_expected)
    assert np.isnan(X[:2]).all() and np.isnan(proba[:2]).all()
    with pytest.raises(ValueError, match="out must hold 10 rows"):
        run(TARGETS[:10], n_iter=1, out=(X[:10, :5], proba[:10]))
