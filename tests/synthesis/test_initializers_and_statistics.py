"""Where stimuli start (StandardNormal, ClassGaussian, ClassScaleMixture), the class-conditional BatchNorm
statistics of a teacher, and the engine terms and options that use them: the
class-conditional BatchNorm prior, ``pending`` in the excitation, ``freeze`` of the
confidence target, and ``init`` / ``class_statistics`` of ``synthesize``."""

import copy
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from torch import nn

from skstim.nets import MLP, ConvNet1d
from skstim.synthesis import (
    BatchNormPrior,
    ClassExcitation,
    ClassGaussian,
    ClassScaleMixture,
    ConfidenceTarget,
    DirectOptimizer,
    Objective,
    StandardNormal,
    SynthesisState,
    batchnorm_layers,
    class_activation_statistics,
    segment_time,
    synthesize,
)
from skstim.utils import child_seed, seed_sequence, torch_seed

from ..helpers import hooks_removed


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def two_classes():
    """12 features; class 0 varies mostly along e_0, class 1 along e_1, different means."""
    rng = np.random.default_rng(0)
    n = 200
    X = rng.normal(scale=0.3, size=(2 * n, 12))
    X[:n, 0] += rng.normal(scale=3.0, size=n)
    X[n:, 1] += rng.normal(scale=3.0, size=n)
    X[:n] += 1.0
    X[n:] -= 2.0
    y = np.repeat([0, 1], n)
    return torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)


# ---------------------------------------------------------------- initializers
def test_standard_normal_draw_shape_device_and_seed():
    targets = torch.tensor([0, 1, 1, 0, 2])
    z = StandardNormal().draw(targets, (3, 7), generator(0))
    assert z.shape == (5, 3, 7)
    assert z.device == targets.device
    assert z.dtype == torch.float32
    torch.testing.assert_close(z, StandardNormal().draw(targets, (3, 7), generator(0)))
    assert not torch.equal(z, StandardNormal().draw(targets, (3, 7), generator(1)))


def test_class_gaussian_fit_shapes(two_classes):
    X, y = two_classes
    init = ClassGaussian.fit(X, y, n_classes=2, rank=3)
    assert init.means.shape == (2, 12)
    assert init.factors.shape == (2, 12, 3)
    assert init.noise_std.shape == (2, 1)  # one channel
    torch.testing.assert_close(init.means[0], X[y == 0].mean(dim=0))
    torch.testing.assert_close(init.means[1], X[y == 1].mean(dim=0))
    assert torch.all(init.noise_std > 0)


def _smooth_and_rough(n=80, n_times=32, seed=0):
    """Two channels per row: a slow wave with a random phase, and white noise."""
    g = torch.Generator().manual_seed(seed)
    phase = torch.rand(n, 1, generator=g) * 6.28
    smooth = 3 * torch.sin(0.2 * torch.arange(n_times) + phase) * torch.rand(n, 1, generator=g)
    rough = torch.randn(n, n_times, generator=g)
    return torch.stack([smooth, rough], dim=1), torch.arange(n) % 2


@pytest.mark.parametrize("init", [ClassGaussian, ClassScaleMixture])
def test_the_rest_is_spread_over_channels_as_the_directions_leave_them(init):
    X, y = _smooth_and_rough()
    fitted = init.fit(X, y, n_classes=2, rank=4)
    assert fitted.noise_std.shape == (2, 2)
    # the smooth channel is (nearly) all in the directions: it gets a small share of the rest
    assert torch.all(fitted.noise_std[:, 0] < 0.2 * fitted.noise_std[:, 1])
    # in total as much rest as one level for the whole window: the floor holds for the sum
    one_level = init.fit(X.reshape(len(X), 1, -1), y, n_classes=2, rank=4)
    torch.testing.assert_close(fitted.noise_std.pow(2).mean(dim=1), one_level.noise_std[:, 0] ** 2)
    draws = fitted.draw(torch.zeros(400, dtype=torch.long), (2, 32), torch.Generator().manual_seed(1))
    step = draws.diff(dim=2).abs().mean(dim=(0, 2))
    real = X[y == 0].diff(dim=2).abs().mean(dim=(0, 2))
    assert step[0] < 2 * real[0]  # the smooth channel's draws stay smooth


def test_step_scale_follows_the_rest_of_each_channel():
    X, y = _smooth_and_rough()
    fitted = ClassGaussian.fit(X, y, n_classes=2, rank=4)
    targets = torch.tensor([0, 1, 1])
    scale = fitted.step_scale(targets)
    assert scale.shape == (3, 2, 1)
    torch.testing.assert_close(scale.pow(2).mean(dim=1), torch.ones(3, 1))
    ratio = fitted.noise_std[targets, 0] / fitted.noise_std[targets, 1]
    torch.testing.assert_close(scale[:, 0, 0] / scale[:, 1, 0], ratio)
    one_channel = ClassGaussian.fit(X.reshape(len(X), 1, -1), y, n_classes=2, rank=4)
    assert one_channel.step_scale(targets) is None
    assert StandardNormal().step_scale(targets) is None


def test_direct_optimizer_moves_each_channel_by_its_step_scale():
    """A channel whose rest is a hundredth of the other's moves about a hundredth as far."""
    model = nn.Linear(8, 2)
    with torch.no_grad():
        model.weight.fill_(1.0)
        model.weight[1].fill_(-1.0)
        model.bias.zero_()
    start = ClassGaussian(torch.zeros(2, 8), torch.zeros(2, 8, 1), torch.tensor([[1.0, 0.01]] * 2))
    targets = torch.tensor([0, 0, 1, 1])
    z = DirectOptimizer(n_iter=10, lr=0.1).run(
        lambda z: model(z.flatten(1)), Objective([(1.0, ClassExcitation())]), targets, None,
        (2, 4), torch.Generator().manual_seed(0), init=start)
    z0 = start.draw(targets, (2, 4), torch.Generator().manual_seed(0))
    moved = (z - z0).abs().mean(dim=(0, 2))
    assert moved[0] > 0.1
    assert moved[1] < 0.02 * moved[0]
    plain = DirectOptimizer(n_iter=10, lr=0.1).run(
        lambda z: model(z.flatten(1)), Objective([(1.0, ClassExcitation())]), targets, None,
        (2, 4), torch.Generator().manual_seed(0))
    assert (plain - StandardNormal().draw(targets, (2, 4), torch.Generator().manual_seed(0))) \
        .abs().mean(dim=(0, 2)).min() > 0.1  # white noise: every channel moves


def test_class_gaussian_draws_follow_the_class_mean_and_main_direction(two_classes):
    X, y = two_classes
    init = ClassGaussian.fit(X, y, n_classes=2, rank=2)
    n = 4000
    targets = torch.arange(n) % 2
    z = init.draw(targets, (12,), generator(0))
    assert z.shape == (n, 12)
    assert torch.isfinite(z).all()
    random_direction = torch.randn(12, generator=generator(5))
    random_direction /= random_direction.norm()
    for c in range(2):
        zc = z[targets == c]
        # the sample mean approaches the fitted class mean, within the noise of n/2 draws
        tolerance = 5 * zc.std(dim=0) / np.sqrt(len(zc))
        assert torch.all((zc.mean(dim=0) - init.means[c]).abs() < tolerance)
        # the class's dominant direction (e_c) carries much more variance than a random one
        top = init.factors[c][:, 0] / init.factors[c][:, 0].norm()
        assert abs(float(top[c])) > 0.95
        centered = zc - zc.mean(dim=0)
        var_top = float((centered @ top).var())
        var_random = float((centered @ random_direction).var())
        assert var_top > 3 * var_random
        # and it matches the class's own variance along that direction (about 9)
        real_var = float(((X[y == c] - X[y == c].mean(dim=0)) @ top).var())
        assert var_top == pytest.approx(real_var, rel=0.15)


def test_class_gaussian_draws_are_deterministic(two_classes):
    X, y = two_classes
    init = ClassGaussian.fit(X, y, n_classes=2, rank=2)
    targets = torch.tensor([0, 1, 1, 0, 1])
    a = init.draw(targets, (3, 4), generator(7))
    b = init.draw(targets, (3, 4), generator(7))
    c = init.draw(targets, (3, 4), generator(8))
    assert a.shape == (5, 3, 4)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(a, c)


def test_class_gaussian_single_sample_class_draws_mean_plus_isotropic_noise():
    rng = np.random.default_rng(1)
    X = torch.as_tensor(rng.normal(size=(11, 5)), dtype=torch.float32)
    y = torch.tensor([0] * 10 + [1])
    init = ClassGaussian.fit(X, y, n_classes=2, rank=3)
    # rank 0 for class 1: no factor, unit isotropic noise
    assert torch.all(init.factors[1] == 0)
    assert float(init.noise_std[1]) == pytest.approx(1.0)
    assert torch.isfinite(init.means).all() and torch.isfinite(init.factors).all()
    assert torch.isfinite(init.noise_std).all()
    z = init.draw(torch.ones(4000, dtype=torch.long), (5,), generator(0))
    assert torch.isfinite(z).all()
    torch.testing.assert_close(z.mean(dim=0), X[10], atol=0.1, rtol=0)
    torch.testing.assert_close(z.var(dim=0), torch.ones(5), atol=0.1, rtol=0)


def test_class_gaussian_class_without_samples_still_draws():
    X = torch.randn(20, 4, generator=generator(0))
    init = ClassGaussian.fit(X, torch.zeros(20, dtype=torch.long), n_classes=2, rank=2)
    z = init.draw(torch.tensor([1, 1, 0]), (4,), generator(0))
    assert torch.isfinite(z).all()
    assert torch.all(init.means[1] == 0)


def test_class_gaussian_rank_zero():
    X = torch.randn(30, 6, generator=generator(0))
    y = torch.arange(30) % 2
    init = ClassGaussian.fit(X, y, n_classes=2, rank=0)
    assert init.factors.shape == (2, 6, 0)
    z = init.draw(y, (2, 3), generator(0))
    assert z.shape == (30, 2, 3)
    assert torch.isfinite(z).all()


def test_class_gaussian_to_device_keeps_values(two_classes):
    X, y = two_classes
    init = ClassGaussian.fit(X, y, n_classes=2, rank=2)
    for device in ("cpu", torch.device("cpu")):
        moved = init.to(device)
        assert isinstance(moved, ClassGaussian)
        for a, b in [(init.means, moved.means), (init.factors, moved.factors),
                     (init.noise_std, moved.noise_std)]:
            assert b.device == torch.device("cpu")
            torch.testing.assert_close(a, b, rtol=0, atol=0)
        targets = torch.tensor([0, 1])
        torch.testing.assert_close(init.draw(targets, (12,), generator(3)),
                                   moved.draw(targets, (12,), generator(3)), rtol=0, atol=0)


@pytest.fixture(scope="module")
def varied_amplitudes():
    """Two classes of 3,000 rows whose amplitudes are log-normal with sd 0.1 and 0.6."""
    rng = np.random.default_rng(2)
    n, d = 3000, 64
    rows, labels = [], []
    for c, sigma in enumerate((0.1, 0.6)):
        shape = rng.normal(size=(n, d)) @ np.diag(np.linspace(0.5, 2.0, d))
        amplitude = np.exp(sigma * rng.normal(size=(n, 1)))
        rows.append(3.0 * c + amplitude * shape)
        labels.append(np.full(n, c))
    return (torch.as_tensor(np.concatenate(rows), dtype=torch.float32),
            torch.as_tensor(np.concatenate(labels)))


def _log_amplitude_std(Z, mean):
    return float((Z - mean).pow(2).mean(dim=1).sqrt().log().std())


def test_class_scale_mixture_recovers_the_spread_of_amplitudes(varied_amplitudes):
    X, y = varied_amplitudes
    init = ClassScaleMixture.fit(X, y, n_classes=2, rank=4)
    plain = ClassGaussian.fit(X, y, n_classes=2, rank=4)
    targets = torch.arange(6000) % 2
    z, z_plain = init.draw(targets, (64,), generator(0)), plain.draw(targets, (64,), generator(0))
    # the lively class is lively in the draws; a single Gaussian flattens every class alike
    low, high = (_log_amplitude_std(z[targets == c], init.means[c]) for c in (0, 1))
    real_high = _log_amplitude_std(X[y == 1], X[y == 1].mean(dim=0))
    assert high == pytest.approx(real_high, rel=0.15)
    assert high > 2.5 * low
    assert _log_amplitude_std(z_plain[targets == 1], plain.means[1]) < 0.6 * real_high
    for c in (0, 1):
        torch.testing.assert_close(init.means[c], X[y == c].mean(dim=0))
        # total variance of the class is kept
        real_total = float(X[y == c].var(dim=0).sum())
        assert float(z[targets == c].var(dim=0).sum()) == pytest.approx(real_total, rel=0.1)
    assert float(init.log_amplitude_std[1]) > 2 * float(init.log_amplitude_std[0])


def test_class_scale_mixture_is_deterministic_and_moves_devices(varied_amplitudes):
    X, y = varied_amplitudes
    init = ClassScaleMixture.fit(X, y, n_classes=2, rank=2)
    targets = torch.tensor([0, 1, 1, 0])
    a = init.draw(targets, (2, 32), generator(3))
    torch.testing.assert_close(a, init.draw(targets, (2, 32), generator(3)), rtol=0, atol=0)
    assert not torch.equal(a, init.draw(targets, (2, 32), generator(4)))
    moved = init.to("cpu")
    assert isinstance(moved, ClassScaleMixture)
    torch.testing.assert_close(a, moved.draw(targets, (2, 32), generator(3)), rtol=0, atol=0)


def test_class_scale_mixture_small_and_empty_classes_still_draw():
    X = torch.randn(11, 5, generator=generator(0))
    y = torch.tensor([0] * 11)
    y[-1] = 1
    init = ClassScaleMixture.fit(X, y, n_classes=3, rank=2)
    assert float(init.log_amplitude_std[1]) == 0.0 and float(init.log_amplitude_std[2]) == 0.0
    z = init.draw(torch.tensor([0, 1, 2, 2]), (5,), generator(0))
    assert torch.isfinite(z).all()


# ---------------------------------------------------------------- statistics
def _channel_data(n=45, shape=(3, 8), seed=0):
    """Samples whose channels have different means and spreads, and a label for each."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, *shape))
    X *= np.array([1.0, 2.0, 0.5])[:, None]
    X += np.array([0.0, 3.0, -1.0])[:, None]
    y = rng.integers(0, 2, n)
    X[y == 1] += 0.7  # the classes differ
    return X.astype(np.float32), y


@pytest.mark.parametrize("module", [MLP, ConvNet1d])
def test_input_batchnorm_statistics_match_numpy(module):
    torch.manual_seed(0)
    X, y = _channel_data()
    net = module(input_shape=(3, 8)).eval()
    stats = class_activation_statistics(net, torch.as_tensor(X.reshape(len(X), -1)),
                                        torch.as_tensor(y), 2, batch_size=7)
    layers = batchnorm_layers(net)
    assert len(stats) == len(layers)
    for (mean, var), layer in zip(stats, layers):
        assert mean.shape == var.shape == (2, layer.num_features)
        assert torch.all(var >= 0)
    mean, var = stats[0]  # the input BatchNorm sees the raw (B, C, T) input
    for c in range(2):
        Xc = X[y == c].astype(np.float64)
        np.testing.assert_allclose(mean[c].numpy(), Xc.mean(axis=(0, 2)), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(var[c].numpy(), Xc.var(axis=(0, 2)), rtol=1e-4, atol=1e-5)


def test_statistics_do_not_depend_on_the_batch_size():
    torch.manual_seed(0)
    X, y = _channel_data(n=30)
    net = MLP(input_shape=(3, 8), hidden_sizes=(6,)).eval()
    X_t, y_t = torch.as_tensor(X.reshape(len(X), -1)), torch.as_tensor(y)
    one = class_activation_statistics(net, X_t, y_t, 2, batch_size=1024)
    many = class_activation_statistics(net, X_t, y_t, 2, batch_size=4)
    for (m1, v1), (m2, v2) in zip(one, many):
        torch.testing.assert_close(m1, m2, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(v1, v2, rtol=1e-4, atol=1e-5)


def test_statistics_are_precise_for_a_channel_far_from_zero():
    """A channel near 95 with a spread of 0.1 (SpO2-like): sums of squares about zero
    would lose the variance in float32."""
    rng = np.random.default_rng(0)
    X = rng.normal(95.0, 0.1, size=(400, 1, 30)).astype(np.float32)
    y = rng.integers(0, 2, len(X))
    net = MLP(input_shape=(1, 30), hidden_sizes=(4,)).eval()
    mean, var = class_activation_statistics(net, torch.as_tensor(X.reshape(len(X), -1)),
                                            torch.as_tensor(y), 2, batch_size=32)[0]
    for c in range(2):
        Xc = X[y == c].astype(np.float64)
        np.testing.assert_allclose(var[c].numpy(), Xc.var(), rtol=1e-3)
        np.testing.assert_allclose(mean[c].numpy(), Xc.mean(), rtol=1e-6)


def test_class_without_samples_gets_the_running_statistics():
    torch.manual_seed(0)
    X, y = _channel_data(n=20)
    net = ConvNet1d(input_shape=(3, 8), n_blocks=2)
    net.train()
    net(torch.as_tensor(X.reshape(len(X), -1)))  # running statistics away from 0 / 1
    net.eval()
    stats = class_activation_statistics(net, torch.as_tensor(X.reshape(len(X), -1)),
                                        torch.as_tensor(y), 3)
    for (mean, var), layer in zip(stats, batchnorm_layers(net)):
        assert mean.shape == (3, layer.num_features)
        torch.testing.assert_close(mean[2], layer.running_mean)
        torch.testing.assert_close(var[2], layer.running_var)
        assert not torch.allclose(mean[0], layer.running_mean)


@pytest.mark.parametrize("training", [True, False])
def test_statistics_restore_the_model(training):
    torch.manual_seed(0)
    X, y = _channel_data(n=20)
    net = MLP(input_shape=(3, 8), hidden_sizes=(6,)).train(training)
    before = copy.deepcopy(net.state_dict())
    class_activation_statistics(net, torch.as_tensor(X.reshape(len(X), -1)),
                                torch.as_tensor(y), 2, batch_size=8)
    assert net.training is training
    assert all(m.training is training for m in net.modules())
    for layer in batchnorm_layers(net):
        assert len(layer._forward_hooks) == 0
    after = net.state_dict()
    for key, value in before.items():  # eval mode: running statistics untouched
        torch.testing.assert_close(after[key], value, rtol=0, atol=0)


def test_statistics_remove_hooks_after_an_error():
    net = MLP(input_shape=(3, 8), hidden_sizes=(6,)).train()
    with pytest.raises(RuntimeError):
        class_activation_statistics(net, torch.zeros(4, 23), torch.zeros(4, dtype=torch.long), 2)
    assert net.training
    for layer in batchnorm_layers(net):
        assert len(layer._forward_hooks) == 0


def test_batchnorm_layers_in_module_order():
    net = MLP(input_shape=(2, 5), hidden_sizes=(7, 3))
    assert [layer.num_features for layer in batchnorm_layers(net)] == [2, 7, 3]
    assert batchnorm_layers(nn.Linear(3, 2)) == []


# ---------------------------------------------------------------- BatchNorm prior
@pytest.fixture
def teacher(fitted_teacher):
    """A copy of the session's fitted teacher module (hooks land on the copy)."""
    return copy.deepcopy(fitted_teacher.module_).eval()


def _prior_value(prior, model, X, targets):
    with torch.no_grad():
        model(X)
        return float(prior(SynthesisState(None, None, targets)))


@contextmanager
def class_prior(net, X, y):
    """A class-conditional BatchNorm prior on ``net`` from (X, y); its hooks go afterwards."""
    prior = BatchNormPrior(net, class_statistics=class_activation_statistics(net, X, y, 2))
    try:
        yield prior
    finally:
        prior.remove()


def _tensors(apnea):
    return (torch.as_tensor(apnea.X, dtype=torch.float32),
            torch.as_tensor(apnea.y.astype(np.int64)))


def test_class_prior_prefers_the_true_classes(teacher, apnea):
    X, y = _tensors(apnea)
    with class_prior(teacher, X, y) as prior:
        true = _prior_value(prior, teacher, X, y)
        swapped = _prior_value(prior, teacher, X, 1 - y)
        # on the very samples the statistics came from, each class matches exactly
        # (up to the variance estimate): the true targets give about zero
        assert true < 0.05 * swapped
        assert swapped > 0
        # a random half of the real samples, with their true classes, still beats swapping
        rows = torch.randperm(len(X), generator=generator(0))[:36]
        assert _prior_value(prior, teacher, X[rows], y[rows]) < \
            _prior_value(prior, teacher, X[rows], 1 - y[rows])
    assert hooks_removed(teacher)


def test_class_prior_on_constructed_class_means():
    torch.manual_seed(0)
    X, y = _channel_data(n=60)
    net = ConvNet1d(input_shape=(3, 8), n_blocks=1).eval()
    X_t, y_t = torch.as_tensor(X.reshape(len(X), -1)), torch.as_tensor(y)
    with class_prior(net, X_t, y_t) as prior:
        assert _prior_value(prior, net, X_t, y_t) < _prior_value(prior, net, X_t, 1 - y_t)
        # a batch of one class only is compared with that class alone
        only_zero = X_t[y_t == 0]
        assert _prior_value(prior, net, only_zero, torch.zeros(len(only_zero), dtype=torch.long)) \
            < _prior_value(prior, net, only_zero, torch.ones(len(only_zero), dtype=torch.long))


def test_class_prior_is_differentiable(teacher, apnea):
    X, y = _tensors(apnea)
    with class_prior(teacher, X, y) as prior:
        z = X[:16].clone().requires_grad_(True)
        teacher(z)
        value = prior(SynthesisState(z, None, y[:16]))
        value.backward()
        assert z.grad is not None and torch.isfinite(z.grad).all()


def test_class_statistics_of_the_wrong_length_raise(teacher, apnea):
    X, y = _tensors(apnea)
    stats = class_activation_statistics(teacher, X, y, 2)
    with pytest.raises(ValueError, match="class_statistics"):
        BatchNormPrior(teacher, class_statistics=stats[:-1])
    with pytest.raises(ValueError, match="layer_weights"):
        BatchNormPrior(teacher, layer_weights=[1.0])
    assert hooks_removed(teacher)


def test_prior_without_batchnorm_raises():
    with pytest.raises(ValueError, match="bn_weight"):
        BatchNormPrior(nn.Sequential(nn.Flatten(), nn.Linear(6, 2)))
    with pytest.raises(ValueError, match="bn_weight"):
        synthesize(nn.Linear(6, 2), [0, 1], (1, 6), optimizer=DirectOptimizer(n_iter=1),
                   bn_weight=1.0, random_state=0)


# ---------------------------------------------------------------- excitation / confidence
def test_excitation_ignores_stimuli_not_pending():
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    targets = torch.tensor([1, 0, 1])
    full = ClassExcitation()(SynthesisState(None, logits, targets))
    pending = torch.tensor([True, False, True])
    masked = ClassExcitation()(SynthesisState(None, logits, targets, pending))
    assert masked.shape == (3,)
    assert float(masked[1]) == 0.0
    torch.testing.assert_close(masked[pending], full[pending])
    assert torch.all(full > 0)
    nothing_pending = torch.zeros(3, dtype=torch.bool)
    none_pending = ClassExcitation()(SynthesisState(None, logits, targets, nothing_pending))
    assert torch.all(none_pending == 0)


def test_confidence_target_keeps_freeze():
    assert ConfidenceTarget(0.6, 0.8).freeze is True
    assert ConfidenceTarget(0.6, 0.8, freeze=False).freeze is False


@pytest.fixture
def run(fitted_teacher, apnea, standardization):
    loc, scale = standardization

    def run_(targets, n_iter=20, **kwargs):
        kwargs.setdefault("random_state", 0)
        return synthesize(fitted_teacher.module_, np.asarray(targets), apnea.input_shape,
                          optimizer=DirectOptimizer(n_iter=n_iter), loc=loc, scale=scale,
                          **kwargs)
    return run_


TARGETS = np.array([0, 1] * 8)


def test_confidence_without_freeze_goes_on_shaping_the_stimuli(run, fitted_teacher):
    X_frozen, p_frozen = run(TARGETS, bn_weight=1.0, confidence=ConfidenceTarget(0.6, 0.6))
    X_free, p_free = run(TARGETS, bn_weight=1.0,
                         confidence=ConfidenceTarget(0.6, 0.6, freeze=False))
    assert X_free.shape == X_frozen.shape == (16, 240)
    assert np.isfinite(X_free).all() and np.isfinite(p_free).all()
    assert not np.allclose(X_free, X_frozen)
    # frozen stimuli stop where they cross 0.6
    reached = p_frozen[np.arange(16), TARGETS]
    assert np.mean(reached >= 0.6 - 1e-4) >= 0.75
    # the same seed reproduces each
    X_free2, _ = run(TARGETS, bn_weight=1.0, confidence=ConfidenceTarget(0.6, 0.6, freeze=False))
    np.testing.assert_array_equal(X_free, X_free2)


def test_synthesize_with_class_statistics_runs(run, fitted_teacher, apnea):
    X = torch.as_tensor(apnea.X, dtype=torch.float32)
    y = torch.as_tensor(apnea.y.astype(np.int64))
    model = fitted_teacher.module_
    stats = class_activation_statistics(model, X, y, 2)
    X_s, proba = run(TARGETS, bn_weight=1.0, class_statistics=stats)
    assert X_s.shape == (16, 240) and np.isfinite(X_s).all()
    X_r, _ = run(TARGETS, bn_weight=1.0)
    assert not np.allclose(X_s, X_r)  # the class targets change the prior
    assert hooks_removed(model)
    with pytest.raises(ValueError, match="class_statistics"):
        run(TARGETS, bn_weight=1.0, class_statistics=stats[:1])


# ---------------------------------------------------------------- init
@pytest.fixture
def class_init(apnea, standardization):
    loc, scale = standardization
    z = (apnea.X.reshape(len(apnea.X), *apnea.input_shape) - loc) / scale
    init = ClassGaussian.fit(torch.as_tensor(z.reshape(len(z), -1), dtype=torch.float32),
                             torch.as_tensor(apnea.y.astype(np.int64)), 2, rank=4)
    return init


def test_synthesize_starts_from_the_class_gaussian(run, class_init, apnea, standardization):
    loc, scale = standardization
    targets = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1])
    X_s, _ = run(targets, n_iter=0, bn_weight=0.0, init=class_init, batch_size=4,
                 random_state=3)
    # chunk i draws from the i-th child seed of random_state
    root = seed_sequence(3)
    expected = []
    for i, start in enumerate(range(0, len(targets), 4)):
        g = torch.Generator().manual_seed(torch_seed(child_seed(root, i)))
        z = class_init.draw(torch.as_tensor(targets[start:start + 4]), apnea.input_shape, g)
        expected.append((torch.as_tensor(loc) + torch.as_tensor(scale) * z).flatten(1).numpy())
    np.testing.assert_allclose(X_s, np.concatenate(expected), rtol=1e-5, atol=1e-5)


def test_synthesize_class_gaussian_start_has_the_class_means(run, class_init, apnea,
                                                             standardization):
    loc, scale = standardization
    targets = np.repeat([0, 1], 300)
    X_s, _ = run(targets, n_iter=0, bn_weight=0.0, init=class_init, batch_size=600)
    X_noise, _ = run(targets, n_iter=0, bn_weight=0.0, batch_size=600)
    for c in range(2):
        expected = (loc + scale * class_init.means[c].numpy().reshape(apnea.input_shape)).ravel()
        real = apnea.X[apnea.y == c].mean(axis=0)
        np.testing.assert_allclose(expected, real, rtol=1e-4, atol=1e-4)
        # the spread of a mean of 300 draws is at most 4 sd of a real window / sqrt(300)
        tolerance = 5 * apnea.X.std(axis=0).max() / np.sqrt(300)
        assert np.abs(X_s[targets == c].mean(axis=0) - expected).max() < tolerance
    # white noise starts at loc, not at the class means
    assert np.abs(X_noise[targets == 1].mean(axis=0) - X_s[targets == 1].mean(axis=0)).max() > \
        np.abs(X_s[targets == 1].mean(axis=0) - apnea.X[apnea.y == 1].mean(axis=0)).max()


def test_synthesize_with_standard_normal_init_is_the_default(run):
    a, _ = run(TARGETS, n_iter=3, bn_weight=0.0)
    b, _ = run(TARGETS, n_iter=3, bn_weight=0.0, init=StandardNormal())
    np.testing.assert_array_equal(a, b)


def test_segment_statistics_match_numpy_per_segment():
    torch.manual_seed(0)
    X, y = _channel_data()
    net = ConvNet1d(input_shape=(3, 8), n_blocks=1).eval()
    stats = class_activation_statistics(net, torch.as_tensor(X.reshape(len(X), -1)),
                                        torch.as_tensor(y), 2, batch_size=7, n_segments=4)
    mean, var = stats[0]  # input BatchNorm: (B, 3, 8) in 4 segments of 2 time steps
    assert mean.shape == var.shape == (2 * 4, 3)
    for c in range(2):
        for s in range(4):
            Xcs = X[y == c][:, :, 2 * s:2 * s + 2].astype(np.float64)
            np.testing.assert_allclose(mean[c * 4 + s].numpy(), Xcs.mean(axis=(0, 2)),
                                       rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(var[c * 4 + s].numpy(), Xcs.var(axis=(0, 2)),
                                       rtol=1e-4, atol=1e-5)
    # the BatchNorm after the convolution sees length 8 as well: 4 segments per class
    assert stats[1][0].shape == (2 * 4, net.features[2].num_features)


def test_segment_time_never_makes_more_segments_than_time_steps():
    x = torch.randn(3, 2, 5)
    segments, targets, S = segment_time(x, torch.tensor([0, 1, 1]), 8)
    assert S == 5 and segments.shape == (15, 2, 1)
    assert targets.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 5, 6, 7, 8, 9]
    same, same_targets, one = segment_time(x, torch.tensor([0, 1, 1]), 1)
    assert one == 1 and same is x


def test_segment_prior_tells_where_a_pattern_sits():
    # Class 1 has a bump in the first half of the window. Moved to the second half, the
    # window has the same statistics pooled over time, but not per segment.
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 1, 16)).astype(np.float32)
    y = np.repeat([0, 1], 40)
    X[y == 1, :, 2:6] += 3.0
    moved = X.copy()
    moved[y == 1] = np.roll(X[y == 1], 8, axis=2)
    net = ConvNet1d(input_shape=(1, 16), n_blocks=1).eval()
    X_t, y_t = torch.as_tensor(X.reshape(80, -1)), torch.as_tensor(y)
    moved_t = torch.as_tensor(moved.reshape(80, -1))
    values = {}
    for S in (1, 4):
        prior = BatchNormPrior(net, class_statistics=class_activation_statistics(
            net, X_t, y_t, 2, n_segments=S), n_segments=S)
        try:
            values[S] = (_prior_value(prior, net, X_t, y_t), _prior_value(prior, net, moved_t, y_t))
        finally:
            prior.remove()
    assert values[4][0] < 1e-3 and values[1][0] < 1e-3  # the real windows match either way
    # pooled over time the moved bump is nearly invisible; per segment it is not
    assert values[4][1] > 5 * values[1][1]


@pytest.mark.parametrize("cls", [ClassGaussian, ClassScaleMixture])
def test_spectrum_rest_keeps_the_rest_variance_and_follows_the_class_spectrum(cls):
    # random walks: smooth, their power falls with frequency
    X = torch.cumsum(torch.randn(400, 2, 64, generator=generator(0)), dim=2)
    X = (X - X.mean(dim=(0, 2), keepdim=True)) / X.std()
    y = torch.arange(400) % 2
    white = cls.fit(X, y, n_classes=2, rank=2)
    shaped = cls.fit(X, y, n_classes=2, rank=2, rest="spectrum")
    assert white.rest_spectra is None
    assert shaped.rest_spectra.shape == (2, 2, 33)
    torch.testing.assert_close(shaped.means, white.means)
    torch.testing.assert_close(shaped.noise_std, white.noise_std)
    targets = torch.zeros(4000, dtype=torch.long)
    z_white = white.draw(targets, (2, 64), generator(1))
    z_shaped = shaped.draw(targets, (2, 64), generator(1))
    # the same total variance, spread like the class: far less at high frequencies
    assert float(z_shaped.var(dim=0).sum()) == pytest.approx(float(z_white.var(dim=0).sum()),
                                                              rel=0.1)
    high = slice(24, None)
    power_white = torch.fft.rfft(z_white - z_white.mean(0), dim=2).abs().pow(2)[..., high].mean()
    power_shaped = torch.fft.rfft(z_shaped - z_shaped.mean(0), dim=2).abs().pow(2)[..., high].mean()
    power_real = torch.fft.rfft(X - X.mean(0), dim=2).abs().pow(2)[..., high].mean()
    assert power_shaped < 0.2 * power_white
    assert power_shaped < 3 * power_real


def test_rest_between_white_and_spectrum_lies_between_them_at_the_same_variance():
    X = torch.cumsum(torch.randn(400, 1, 64, generator=generator(0)), dim=2)
    X = (X - X.mean(dim=(0, 2), keepdim=True)) / X.std()
    y = torch.arange(400) % 2
    fits = {rest: ClassScaleMixture.fit(X, y, n_classes=2, rank=2, rest=rest)
            for rest in ("white", 0.0, 0.5, "spectrum", 1.0)}
    assert fits[0.0].rest_spectra is None  # 0 is the white rest, drawn the same way
    torch.testing.assert_close(fits[1.0].rest_spectra, fits["spectrum"].rest_spectra)
    half, full = fits[0.5].rest_spectra, fits["spectrum"].rest_spectra
    # the band powers' logs go half way: the square root of the class's shape, rescaled
    offset = half.log() - 0.5 * full.log()
    torch.testing.assert_close(offset, offset[..., :1].expand_as(offset))
    counts = torch.full((33,), 2.0)
    counts[0] = counts[-1] = 1.0
    torch.testing.assert_close(half @ counts, full @ counts)  # the same variance
    high = slice(24, None)
    assert full[..., high].mean() < half[..., high].mean() < fits["white"].noise_std.pow(2).mean()
    with pytest.raises(ValueError, match="number in \\[0, 1\\]"):
        ClassGaussian.fit(X, y, n_classes=2, rest=1.5)


def test_spectrum_rest_draws_are_deterministic_and_move_devices():
    X = torch.cumsum(torch.randn(60, 1, 32, generator=generator(0)), dim=2)
    init = ClassScaleMixture.fit(X, torch.arange(60) % 2, n_classes=2, rank=2, rest="spectrum")
    moved = init.to("cpu")
    assert isinstance(moved, ClassScaleMixture)
    torch.testing.assert_close(moved.rest_spectra, init.rest_spectra, rtol=0, atol=0)
    targets = torch.tensor([0, 1, 1])
    a = init.draw(targets, (1, 32), generator(4))
    torch.testing.assert_close(a, moved.draw(targets, (1, 32), generator(4)), rtol=0, atol=0)
    assert not torch.equal(a, init.draw(targets, (1, 32), generator(5)))
    with pytest.raises(ValueError, match="rest must be"):
        ClassGaussian.fit(X, torch.arange(60) % 2, n_classes=2, rest="pink")
