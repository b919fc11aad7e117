"""Optimization steps shaped by each class's power spectrum (``step_shape="spectrum"``)."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn

from skstim.datasets import make_sleep_apnea
from skstim.synthesis import (
    ClassExcitation,
    ClassGaussian,
    ClassScaleMixture,
    ClassSpectrum,
    DirectOptimizer,
    Objective,
    StandardNormal,
    class_support,
)

from ..helpers import tiny_synthesizer


def _smooth_and_rough(n=80, n_times=32, seed=0):
    """Two channels per row: a slow wave with a random phase and level, and white noise."""
    g = torch.Generator().manual_seed(seed)
    phase = torch.rand(n, 1, generator=g) * 6.28
    level = 5 * torch.randn(n, 1, generator=g)
    smooth = level + 3 * torch.sin(0.2 * torch.arange(n_times) + phase)
    rough = torch.randn(n, n_times, generator=g)
    return torch.stack([smooth, rough], dim=1), torch.arange(n) % 2


def _high_share(power):
    """Share of the power above the lowest quarter of the frequencies."""
    return float(power[..., power.shape[-1] // 4:].sum() / power.sum())


@pytest.mark.parametrize("init", [ClassGaussian, ClassScaleMixture])
def test_step_spectra_are_each_class_spectrum_about_each_window_level(init):
    X, y = _smooth_and_rough()
    fitted = init.fit(X, y, n_classes=2, rank=4, steps="spectrum")
    spectra = fitted.step_spectra
    assert spectra.shape == (2, 2, 17)
    assert _high_share(spectra[:, 0]) < 0.05   # the slow wave
    assert _high_share(spectra[:, 1]) > 0.6    # the white channel
    # each window's own level is not a movement within it: nothing at the zero frequency,
    # however far the levels spread
    assert torch.all(spectra[:, 0, 0] < 1e-3 * spectra[:, 0].max())
    assert init.fit(X, y, n_classes=2, rank=4).step_spectra is None
    torch.testing.assert_close(fitted.step_spectrum(torch.tensor([1, 0])),
                               spectra[torch.tensor([1, 0])])
    with pytest.raises(ValueError, match="steps must be 'white' or 'spectrum'"):
        init.fit(X, y, n_classes=2, steps="smooth")


def test_a_class_below_the_floors_takes_the_pooled_step_spectrum():
    X, _ = _smooth_and_rough()
    people = np.arange(80) // 2
    targets = np.where(np.arange(80) < 70, 0, 1)  # class 1: 10 rows of 5 people
    support = class_support(targets, 2, people, min_people=10, min_rows=5, warn=False)
    assert support.source(1) == "pooled"
    fitted = ClassGaussian.fit(X, torch.as_tensor(targets), n_classes=2, rank=4,
                               support=support, steps="spectrum")
    one_class = np.zeros(80, dtype=np.int64)
    pooled = ClassGaussian.fit(X, torch.as_tensor(one_class), n_classes=1, rank=4,
                               support=class_support(one_class, 1, people, min_people=10,
                                                     min_rows=5, warn=False),
                               steps="spectrum")
    torch.testing.assert_close(fitted.step_spectra[1], pooled.step_spectra[0])


def _pushed_to_high_frequency(steps, init, n_times=32):
    """Stimuli a linear model drives along a slow wave plus an alternating (highest-
    frequency) pattern, and their starts."""
    model = nn.Linear(n_times, 2)
    with torch.no_grad():
        t = torch.arange(n_times, dtype=torch.float32)
        pattern = torch.cos(torch.pi * t) + torch.cos(2 * torch.pi * 2 * t / n_times)
        model.weight.copy_(torch.stack([pattern, -pattern]))
        model.bias.zero_()
    targets = torch.tensor([0, 1, 0, 1])
    z = DirectOptimizer(n_iter=10, lr=0.1, steps=steps).run(
        lambda z: model(z.flatten(1)), Objective([(1.0, ClassExcitation())]), targets, None,
        (1, n_times), torch.Generator().manual_seed(0), init=init)
    return z, init.draw(targets, (1, n_times), torch.Generator().manual_seed(0))


def test_spectrum_steps_change_a_stimulus_as_its_class_moves():
    n_times = 32
    low_pass = torch.full((2, 1, n_times // 2 + 1), 1e-6)
    low_pass[:, :, 1:4] = 1.0
    start = ClassGaussian(torch.zeros(2, n_times), torch.zeros(2, n_times, 1), torch.ones(2, 1),
                          step_spectra=low_pass)

    def change_power(steps):
        z, z0 = _pushed_to_high_frequency(steps, start, n_times)
        return torch.fft.rfft(z - z0, dim=2).abs().pow(2).sum(dim=(0, 1))

    white, shaped = change_power("white"), change_power("spectrum")
    assert _high_share(white) > 0.3      # Adam's steps follow the alternating weights too
    assert _high_share(shaped) < 0.01    # shaped steps cannot: the class does not move so
    assert float(shaped.sum()) > 0.5 * float(white.sum())  # but they move the stimuli
    # a start without spectra (white noise) keeps white steps
    plain = _pushed_to_high_frequency("spectrum", StandardNormal(), n_times)[0]
    torch.testing.assert_close(plain, _pushed_to_high_frequency("white", StandardNormal(),
                                                                n_times)[0])
    with pytest.raises(ValueError, match="steps must be 'white' or 'spectrum'"):
        DirectOptimizer(steps="pink")


def test_class_spectrum_start_shapes_steps_by_its_own_spectra():
    X, y = _smooth_and_rough()
    init = ClassSpectrum.fit(X, y, n_classes=2, rank=8)
    torch.testing.assert_close(init.step_spectrum(torch.tensor([1])), init.spectra[[1]])


def test_synthesizer_step_shape_is_validated_fitted_and_ignored_from_noise():
    d = make_sleep_apnea(n_subjects=4, n_windows=20, sampling_rate=1.0, random_state=0)
    shaped = tiny_synthesizer(input_shape=d.input_shape, step_shape="spectrum",
                              min_class_people=1, min_class_rows=1).fit(d.X, d.y)
    assert shaped.init_.step_spectra.shape == (2, d.input_shape[0], d.input_shape[1] // 2 + 1)
    white = tiny_synthesizer(input_shape=d.input_shape, min_class_people=1,
                             min_class_rows=1).fit(d.X, d.y)
    assert white.init_.step_spectra is None
    assert not np.allclose(shaped.sample(20)[0], white.sample(20)[0])
    from_noise = [tiny_synthesizer(input_shape=d.input_shape, init="noise", step_shape=s)
                  .fit(d.X, d.y).sample(20)[0] for s in ("white", "spectrum")]
    np.testing.assert_array_equal(*from_noise)
    with pytest.raises(InvalidParameterError, match="step_shape"):
        tiny_synthesizer(input_shape=d.input_shape, step_shape="smooth").fit(d.X, d.y)
