"""StimulusSynthesizer's class-level aggregates of the real data: the per-class BatchNorm
statistics (``bn_statistics``, ``class_statistics_``) and the class-conditional starts
(``init``, ``init_rank``, ``init_``)."""

import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import InvalidParameterError

from skstim import IdentityInhibitor, StimulusSynthesizer
from skstim.synthesis import (
    ClassGaussian,
    ClassScaleMixture,
    batchnorm_layers,
    class_activation_statistics,
)

from .helpers import tiny_synthesizer


@pytest.fixture(scope="module")
def fitted(apnea):
    """A synthesizer fitted with the default bn_statistics and init."""
    return tiny_synthesizer(input_shape=apnea.input_shape).fit(apnea.X, apnea.y)


def test_defaults():
    syn = StimulusSynthesizer()
    assert syn.bn_statistics == "class"
    assert syn.init == "class_scale_mixture"
    assert syn.init_rank == 64
    assert syn.n_stimuli is None and syn.stimuli_per_sample == 4.0
    assert syn.competition_weight == 0.0
    params = syn.get_params()
    assert {"bn_statistics", "init", "init_rank"} <= set(params)


def test_identity_inhibitor_shares_every_synthesis_default():
    synthesizer = StimulusSynthesizer().get_params()
    inhibitor = IdentityInhibitor().get_params()
    assert {k: inhibitor[k] for k in synthesizer} == synthesizer
    assert synthesizer["mix"] == 0.0  # every stimulus optimized (see mix's doc)


def test_default_synthesizer_makes_four_scale_mixture_stimuli_per_row(apnea):
    syn = StimulusSynthesizer(tiny_synthesizer().teacher, input_shape=apnea.input_shape,
                              n_iter=3, random_state=0)
    X_s, y_s = syn.fit_resample(apnea.X, apnea.y)
    assert X_s.shape == (4 * len(apnea.X), apnea.X.shape[1])
    assert isinstance(syn.init_, ClassScaleMixture)
    assert syn.init_.factors.shape[2] == 64


def test_default_teacher_holds_the_batchnorm_statistics_of_the_training_rows(apnea):
    from skstim.nets import PreciseBatchNorm

    syn = StimulusSynthesizer(input_shape=apnea.input_shape, n_iter=1, n_stimuli=2,
                              random_state=0, teacher=None).fit(apnea.X, apnea.y)
    assert any(isinstance(callback, PreciseBatchNorm)
               for _, callback in syn.teacher_.callbacks_)
    first = batchnorm_layers(syn.teacher_.module_)[0]
    X = torch.as_tensor(apnea.X, dtype=torch.float32).view(len(apnea.X), *apnea.input_shape)
    np.testing.assert_allclose(first.running_mean.numpy(), X.mean(dim=(0, 2)).numpy(),
                               rtol=1e-4, atol=1e-5)


def test_default_fit_records_class_statistics(fitted, apnea):
    stats = fitted.class_statistics_
    layers = batchnorm_layers(fitted.teacher_.module_)
    assert isinstance(stats, list) and len(stats) == len(layers) == 2  # input + hidden
    for (mean, var), layer in zip(stats, layers):
        assert isinstance(mean, torch.Tensor) and isinstance(var, torch.Tensor)
        assert mean.shape == var.shape == (len(fitted.classes_), layer.num_features)
        assert torch.isfinite(mean).all() and torch.all(var >= 0)
        assert not mean.requires_grad and not var.requires_grad
    # the input layer holds the per-class, per-channel mean and variance of X
    X = apnea.X.reshape(len(apnea.X), *apnea.input_shape)
    mean, var = stats[0]
    for c, label in enumerate(fitted.classes_):
        Xc = X[apnea.y == label]
        np.testing.assert_allclose(mean[c].numpy(), Xc.mean(axis=(0, 2)), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(var[c].numpy(), Xc.var(axis=(0, 2)), rtol=1e-3, atol=1e-4)
    assert all(len(layer._forward_hooks) == 0 for layer in layers)


def test_default_fit_records_the_class_gaussian(fitted, apnea):
    init = fitted.init_
    assert isinstance(init, ClassGaussian)
    n_features = apnea.X.shape[1]
    assert init.means.shape == (2, n_features)
    assert init.factors.shape == (2, n_features, fitted.init_rank)
    assert init.noise_std.shape == (2, apnea.input_shape[0])
    # fitted in the standardized space: loc + scale * mean is the class mean of X
    for c, label in enumerate(fitted.classes_):
        mean = init.means[c].numpy().reshape(apnea.input_shape)
        real = apnea.X[apnea.y == label].mean(axis=0).reshape(apnea.input_shape)
        np.testing.assert_allclose(fitted.loc_ + fitted.scale_ * mean, real, rtol=1e-4, atol=1e-4)


def test_init_rank_sets_the_rank(apnea):
    syn = tiny_synthesizer(input_shape=apnea.input_shape, init_rank=3).fit(apnea.X, apnea.y)
    assert syn.init_.factors.shape == (2, apnea.X.shape[1], 3)


def test_init_rank_zero_works(apnea):
    syn = tiny_synthesizer(input_shape=apnea.input_shape, init_rank=0, n_iter=3)
    X_s, y_s = syn.fit_resample(apnea.X, apnea.y)
    assert syn.init_.factors.shape == (2, apnea.X.shape[1], 0)
    assert X_s.shape == apnea.X.shape and np.isfinite(X_s).all()
    assert set(np.unique(y_s)) <= set(apnea.y)


def test_running_statistics_leave_class_statistics_none(apnea):
    syn = tiny_synthesizer(input_shape=apnea.input_shape, bn_statistics="running", n_iter=3)
    X_s, _ = syn.fit_resample(apnea.X, apnea.y)
    assert syn.class_statistics_ is None
    assert isinstance(syn.init_, ClassGaussian)
    assert np.isfinite(X_s).all()


def test_bn_weight_zero_leaves_class_statistics_none(apnea):
    syn = tiny_synthesizer(input_shape=apnea.input_shape, bn_weight=0.0).fit(apnea.X, apnea.y)
    assert syn.class_statistics_ is None


def test_noise_init_leaves_init_none(apnea):
    syn = tiny_synthesizer(input_shape=apnea.input_shape, init="noise", n_iter=3)
    X_s, _ = syn.fit_resample(apnea.X, apnea.y)
    assert syn.init_ is None
    assert syn.class_statistics_ is not None
    assert np.isfinite(X_s).all()


def test_the_start_changes_the_stimuli(apnea):
    kwargs = dict(input_shape=apnea.input_shape, n_iter=0, n_stimuli=40)
    X_gauss, _ = tiny_synthesizer(**kwargs).fit_resample(apnea.X, apnea.y)
    X_noise, _ = tiny_synthesizer(init="noise", **kwargs).fit_resample(apnea.X, apnea.y)
    assert not np.allclose(X_gauss, X_noise)


def _log_amplitude_spread(X, y):
    """Standard deviation of the log RMS deviation of each row from its class mean."""
    spreads = []
    for label in np.unique(y):
        deviation = X[y == label] - X[y == label].mean(axis=0)
        spreads.append(np.log(np.sqrt((deviation ** 2).mean(axis=1))).std())
    return np.mean(spreads)


def test_scale_mixture_start_keeps_the_spread_of_window_amplitudes(apnea):
    # windows of very different liveliness, as in real recordings
    amplitude = np.exp(np.random.default_rng(0).normal(scale=0.7, size=(len(apnea.X), 1)))
    X = apnea.X.mean(axis=0) + amplitude * (apnea.X - apnea.X.mean(axis=0))
    kwargs = dict(input_shape=apnea.input_shape, n_iter=0, n_stimuli=400, init_rank=4)
    mixture = tiny_synthesizer(init="class_scale_mixture", **kwargs)
    X_mix, y_mix = mixture.fit_resample(X, apnea.y)
    X_gauss, y_gauss = tiny_synthesizer(init="class_gaussian", **kwargs).fit_resample(X, apnea.y)
    assert isinstance(mixture.init_, ClassScaleMixture)
    real = _log_amplitude_spread(X, apnea.y)
    assert _log_amplitude_spread(X_mix, y_mix) > 0.7 * real
    assert _log_amplitude_spread(X_gauss, y_gauss) < 0.5 * real
    for c, label in enumerate(mixture.classes_):
        mean = mixture.init_.means[c].numpy().reshape(apnea.input_shape)
        real_mean = X[apnea.y == label].mean(axis=0).reshape(apnea.input_shape)
        np.testing.assert_allclose(mixture.loc_ + mixture.scale_ * mean, real_mean,
                                   rtol=1e-4, atol=1e-4)


def test_class_and_running_statistics_give_different_stimuli(apnea):
    kwargs = dict(input_shape=apnea.input_shape, n_iter=5, n_stimuli=20, confidence=None)
    X_class, _ = tiny_synthesizer(**kwargs).fit_resample(apnea.X, apnea.y)
    X_run, _ = tiny_synthesizer(bn_statistics="running", **kwargs).fit_resample(apnea.X, apnea.y)
    assert not np.allclose(X_class, X_run)


@pytest.mark.parametrize("param, value", [
    ("init", "uniform"),
    ("init", None),
    ("bn_statistics", "batch"),
    ("bn_statistics", None),
    ("init_rank", -1),
    ("init_rank", 2.5),
])
def test_invalid_values_raise(apnea, param, value):
    syn = tiny_synthesizer(input_shape=apnea.input_shape, **{param: value})
    with pytest.raises(InvalidParameterError, match=param):
        syn.fit(apnea.X, apnea.y)


def test_string_labels_keep_class_order(apnea):
    y = np.where(apnea.y == 1, "apnea", "normal")
    syn = tiny_synthesizer(input_shape=apnea.input_shape).fit(apnea.X, y)
    assert syn.classes_.tolist() == ["apnea", "normal"]
    mean = syn.class_statistics_[0][0]
    X = apnea.X.reshape(len(apnea.X), *apnea.input_shape)
    for c, label in enumerate(syn.classes_):
        np.testing.assert_allclose(mean[c].numpy(), X[y == label].mean(axis=(0, 2)),
                                   rtol=1e-4, atol=1e-4)


def test_frozen_teacher_gets_class_statistics_from_the_fit_data(fitted_teacher, apnea):
    rows = np.arange(len(apnea.X)) < 40
    X, y = apnea.X[rows], apnea.y[rows]
    # 40 rows: the floors are off, so that every class has statistics of its own
    syn = tiny_synthesizer(teacher=FrozenEstimator(fitted_teacher), input_shape=apnea.input_shape,
                           min_class_rows=1, min_class_people=1).fit(X, y)
    assert syn.teacher_ is fitted_teacher
    expected = class_activation_statistics(
        fitted_teacher.module_, torch.as_tensor(X, dtype=torch.float32),
        torch.as_tensor(np.searchsorted(syn.classes_, y)), 2)
    assert len(syn.class_statistics_) == len(expected)
    for (m, v), (m_e, v_e) in zip(syn.class_statistics_, expected):
        torch.testing.assert_close(m, m_e)
        torch.testing.assert_close(v, v_e)
    # the statistics come from the 40 rows passed to fit, not from the teacher's training data
    full = class_activation_statistics(
        fitted_teacher.module_, torch.as_tensor(apnea.X, dtype=torch.float32),
        torch.as_tensor(apnea.y.astype(np.int64)), 2)
    assert not torch.allclose(syn.class_statistics_[0][0], full[0][0])
    assert isinstance(syn.init_, ClassGaussian)
    np.testing.assert_allclose(
        syn.loc_ + syn.scale_ * syn.init_.means[0].numpy().reshape(apnea.input_shape),
        X[y == syn.classes_[0]].mean(axis=0).reshape(apnea.input_shape), rtol=1e-4, atol=1e-4)


def test_refit_with_other_settings_resets_the_attributes(apnea):
    syn = tiny_synthesizer(input_shape=apnea.input_shape).fit(apnea.X, apnea.y)
    assert syn.class_statistics_ is not None and syn.init_ is not None
    syn.set_params(bn_statistics="running", init="noise").fit(apnea.X, apnea.y)
    assert syn.class_statistics_ is None and syn.init_ is None


def test_init_rest_spectrum_shapes_the_start_and_is_validated(fitted, apnea):
    assert fitted.init_rest == "white" and fitted.init_.rest_spectra is None
    shaped = StimulusSynthesizer(FrozenEstimator(fitted.teacher_), input_shape=apnea.input_shape,
                                 init_rest="spectrum", n_iter=2, random_state=0)
    X_s, _ = shaped.fit_resample(apnea.X, apnea.y)
    n_channels, n_times = apnea.input_shape
    assert shaped.init_.rest_spectra.shape == (2, n_channels, n_times // 2 + 1)
    white = StimulusSynthesizer(FrozenEstimator(fitted.teacher_), input_shape=apnea.input_shape,
                                n_iter=2, random_state=0).fit_resample(apnea.X, apnea.y)[0]
    assert X_s.shape == white.shape and not np.allclose(X_s, white)
    zero = StimulusSynthesizer(FrozenEstimator(fitted.teacher_), input_shape=apnea.input_shape,
                               init_rest=0.0, n_iter=2, random_state=0).fit_resample(apnea.X, apnea.y)[0]
    np.testing.assert_array_equal(zero, white)  # 0: the white rest itself
    for bad in ("pink", 1.5, -0.1):
        with pytest.raises(InvalidParameterError, match="init_rest"):
            StimulusSynthesizer(init_rest=bad).fit(apnea.X, apnea.y)
