"""Where stimuli start: white noise, or noise shaped by aggregates of each class's people."""

from numbers import Real

import torch

from ..utils import draw_normal
from .support import without_floors

__all__ = ["StandardNormal", "ClassGaussian", "ClassScaleMixture", "ClassSpectrum", "log_bands"]

#: Least variance of a class start's rest (averaged over the features), as a share of the
#: class's average variance per feature: the start is never (near) a combination of a few
#: private rows.
NOISE_FLOOR = 0.1


#: Bands (log-spaced above the zero frequency) in which a class's rest spectrum is averaged.
REST_BANDS = 16


def _channels_times(X):
    """``(n_channels, n_times)`` of rows of shape (n, n_times) or (n, n_channels, n_times)."""
    return (1, X.shape[1]) if X.dim() == 2 else tuple(X.shape[1:])


def _rest_spectrum(residual, variance, exponent=1.0):
    """Power spectra, one per channel, shaped like ``residual``'s, of variance ``variance``.

    ``residual`` (n, n_channels, n_times) holds what the leading directions leave of
    each weighted row; its power, summed over rows and averaged in ``REST_BANDS``
    log-spaced bands and raised to ``exponent`` (1: the residual's shape, 0: flat),
    sets how the rest spreads over frequency. Scaled so that
    :func:`_stationary_noise` has ``variance`` (a number, or one per channel) per feature.
    """
    n_times = residual.shape[2]
    power = _band_average(torch.fft.rfft(residual, dim=2).abs().pow(2).sum(dim=0), REST_BANDS)
    return _unit_power(power, n_times, exponent) * torch.as_tensor(variance).reshape(-1, 1)


def _band_average(power, n_bands):
    """``power`` (..., n_frequencies) averaged within the :func:`log_bands` (None: as is)."""
    bands = log_bands(power.shape[-1], n_bands)
    if bands is None:
        return power
    return torch.cat([band.mean(dim=-1, keepdim=True).expand_as(band)
                      for band in power.split(bands, dim=-1)], dim=-1)


def _unit_power(power, n_times, exponent=1.0):
    """Spectra (..., n_times // 2 + 1) shaped like ``power`` raised to ``exponent``, scaled
    so that noise filtered by their square root has variance 1 per feature (white where
    a spectrum has no power)."""
    # each rfft bin stands for itself and its mirror, except 0 and (even n_times) Nyquist
    counts = torch.full((n_times // 2 + 1,), 2.0, dtype=power.dtype, device=power.device)
    counts[0] = 1.0
    if n_times % 2 == 0:
        counts[-1] = 1.0
    total = power @ counts
    power = torch.where(total[..., None] > 0, power, torch.ones_like(power)).pow(exponent)
    return power / (power @ counts)[..., None] * n_times


def _step_spectrum(rows, weights, shape):
    """Power spectrum per channel of one class's weighted rows about each row's own
    level, in ``REST_BANDS`` log-spaced bands: how the class's windows move within
    themselves, the shape the optimizer's steps take (:meth:`ClassGaussian.step_spectrum`)."""
    X = rows.view(len(rows), *shape)
    deviation = X - X.mean(dim=2, keepdim=True)
    power = torch.einsum("n,ncf->cf", weights, torch.fft.rfft(deviation, dim=2).abs().pow(2))
    return _band_average(power, REST_BANDS)


def _step_spectra(X, targets, n_classes, support, shape, steps):
    """Each class's :func:`_step_spectrum` by the support's source (white below the
    floors) for ``steps="spectrum"``, None for ``"white"``."""
    if steps not in ("white", "spectrum"):
        raise ValueError(f"steps must be 'white' or 'spectrum', got {steps!r}.")
    if steps == "white":
        return None
    fits = _fit_classes(lambda rows, w, n: _step_spectrum(rows, w, shape), X, targets,
                        n_classes, support)
    white = X.new_ones(shape[0], shape[1] // 2 + 1)
    return torch.stack([white if f is None else f for f in fits])


def _rest_exponent(rest):
    """The exponent of the class spectrum in the rest (0: white) that ``rest`` names."""
    if rest in ("white", "spectrum"):
        return float(rest == "spectrum")
    if isinstance(rest, Real) and not isinstance(rest, bool) and 0 <= rest <= 1:
        return float(rest)
    raise ValueError(f"rest must be 'white', 'spectrum' or a number in [0, 1], got {rest!r}.")


def _rest_form(X, rest):
    """The ``(n_channels, n_times)`` of the rows and the exponent of the class spectrum in
    the rest (0: white)."""
    return _channels_times(X), _rest_exponent(rest)


def _unit_white_spectrum(X, shape, exponent):
    """The spectrum of white noise of variance 1 per feature (None for a white rest)."""
    return X.new_ones(shape[0], shape[1] // 2 + 1) if exponent > 0 else None


def _empty_fit(X, rank, shape, exponent):
    """Mean, factors, rest and rest spectrum of a class without aggregates: white noise."""
    return (X.new_zeros(X.shape[1]), X.new_zeros(X.shape[1], rank), X.new_ones(shape[0]),
            _unit_white_spectrum(X, shape, exponent))


def _channel_shares(residual):
    """Each channel's residual power over the channels' mean (ones where there is none).

    ``residual`` has shape (n, n_channels, n_times).
    """
    power = residual.pow(2).sum(dim=(0, 2))
    total = power.mean()
    return power / total if total > 0 else torch.ones_like(power)


def _stationary_noise(spectra, n_times, generator):
    """Gaussian noise of shape ``(len(spectra), n_channels, n_times)`` with these spectra."""
    white = draw_normal((len(spectra), spectra.shape[1], n_times), generator, spectra.device)
    return torch.fft.irfft(torch.fft.rfft(white, dim=2) * spectra.sqrt(), n=n_times, dim=2)


def _fit_classes(fit_one, X, targets, n_classes, support):
    """``fit_one(rows, weights, n_people)`` for each class, by the support's source.

    A class above the floors gets its own fit, a class below them the pooled fit of
    all rows, and, where the pool is below them too, ``None`` (white noise).
    """
    support = without_floors(targets, n_classes) if support is None else support
    class_weights = support.class_weights.to(X.device, X.dtype)
    pool_weights = support.pool_weights.to(X.device, X.dtype)
    fits, pooled = [], None
    for c in range(n_classes):
        source = support.source(c)
        if source == "class":
            rows = targets == c
            fits.append(fit_one(X[rows], class_weights[rows], int(support.n_people[c])))
        elif source == "pooled":
            if pooled is None:
                pooled = fit_one(X, pool_weights, support.pool_people)
            fits.append(pooled)
        else:
            fits.append(None)
    return fits


def _weighted_std(values, weights, n_people):
    """Standard deviation with each person's share of the weight, corrected for people."""
    if n_people < 2:
        return values.new_tensor(0.0)
    mean = weights @ values
    variance = weights @ (values - mean).pow(2) * (n_people / (n_people - 1))
    return variance.sqrt()


class StandardNormal:
    """Start every stimulus from white standard noise in the standardized space.

    Examples
    --------
    >>> import torch
    >>> z = StandardNormal().draw(torch.tensor([0, 1]), (2, 3), torch.Generator().manual_seed(0))
    >>> tuple(z.shape)
    (2, 2, 3)
    """

    def to(self, device):
        """This initializer (it holds no tensors)."""
        return self

    def step_scale(self, targets):
        """``None``: optimization steps move every channel alike."""
        return None

    def step_spectrum(self, targets):
        """``None``: no class spectrum to shape optimization steps by."""
        return None

    def draw(self, targets, shape, generator):
        """Noise of shape ``(len(targets), *shape)`` on the targets' device."""
        return draw_normal((len(targets), *shape), generator, targets.device)


class ClassGaussian:
    """Start each stimulus from a low-rank Gaussian fitted to the real samples of its class.

    The class-conditional mean plus the leading principal directions of the class,
    with white noise for the rest (probabilistic PCA): noise that already has the
    class's average shape and its main modes of variation.

    Fitted with a :class:`~skstim.synthesis.ClassSupport`, each person weighs the same
    in a class's mean and directions, the rank is at most the class's people minus
    one, and a class below the support floors gets the pooled Gaussian of all
    classes (or white noise). The rest's variance, averaged over the features, is at
    least ``NOISE_FLOOR`` (a tenth) of the class's average variance per feature; it is
    shared out over the channels as the directions leave each of them: a smooth channel
    that the directions already describe (oxygen saturation beside respiration, say)
    gets little of it, where one level for every channel would make it as rough as the
    busiest. Even so the mean and the directions
    are sums over the class's rows: with few people behind a class they stay close to
    those people's windows (see the privacy audit in the user guide).

    The rest is white by default. Fitted with ``rest="spectrum"`` it is a stationary
    Gaussian process instead, with the same variance per feature spread over
    frequency as the class's residual power (what the directions leave of its
    windows, averaged in ``REST_BANDS`` log-spaced bands per channel): smooth signals
    get a smooth rest, where white noise would add power at frequencies the class
    does not have. It has no phase, so it points at no window. A number in [0, 1]
    goes between the two: the class's band powers raised to that power (0.5: half
    way between white and the class's shape on a log scale), at the same variance.

    Parameters
    ----------
    means : torch.Tensor of shape (n_classes, n_features)
        Class means, in the standardized space.
    factors : torch.Tensor of shape (n_classes, n_features, rank)
        Principal directions scaled by their standard deviation.
    noise_std : torch.Tensor of shape (n_classes, n_channels) or (n_classes,)
        Standard deviation of the rest per feature of each channel (1-D: of every
        feature).
    rest_spectra : torch.Tensor of shape (n_classes, n_channels, n_times // 2 + 1) or None
        Power spectrum of the rest per class and channel; ``None``: a white rest.
    step_spectra : torch.Tensor of shape (n_classes, n_channels, n_times // 2 + 1) or None
        Power spectrum of each class's windows about their own level (16 log-spaced
        bands per channel), by which :class:`~skstim.synthesis.DirectOptimizer` shapes
        its steps (``steps="spectrum"`` in :meth:`fit`); ``None``: not fitted.

    Examples
    --------
    >>> import torch
    >>> X = torch.randn(50, 6)
    >>> init = ClassGaussian.fit(X, torch.arange(50) % 2, n_classes=2, rank=2)
    >>> init.draw(torch.tensor([0, 1, 1]), (2, 3), torch.Generator().manual_seed(0)).shape
    torch.Size([3, 2, 3])
    >>> smooth = torch.cumsum(torch.randn(50, 1, 64), dim=2)
    >>> shaped = ClassGaussian.fit(smooth, torch.arange(50) % 2, n_classes=2, rank=2,
    ...                            rest="spectrum")
    >>> tuple(shaped.rest_spectra.shape)
    (2, 1, 33)
    """

    def __init__(self, means, factors, noise_std, rest_spectra=None, step_spectra=None):
        self.means, self.factors, self.noise_std = means, factors, noise_std
        self.rest_spectra, self.step_spectra = rest_spectra, step_spectra

    @staticmethod
    def _fit_one(X, weights, n_people, rank, shape, exponent=0.0):
        """Mean, padded factors, rest per channel and (``exponent > 0``) rest spectrum,
        the residual's raised to ``exponent``, of one weighted set of flat rows of the
        ``(n_channels, n_times)`` ``shape``."""
        n_features = X.shape[1]
        mean = weights @ X
        k = min(rank, max(n_people - 1, 0), n_features)
        factor = X.new_zeros(n_features, rank)
        if n_people < 2:
            return mean, factor, X.new_ones(shape[0]), _unit_white_spectrum(X, shape, exponent)
        weighted = weights.sqrt()[:, None] * (X - mean)
        u, s, vt = torch.linalg.svd(weighted, full_matrices=False)
        eigen = s.pow(2) * (n_people / (n_people - 1))
        floor = NOISE_FLOOR * eigen.sum() / n_features
        rest = (eigen[k:].sum() / max(n_features - k, 1)).clamp(min=floor)
        factor[:, :k] = vt[:k].T * (eigen[:k] - rest).clamp(min=0).sqrt()
        residual = (weighted - (u[:, :k] * s[:k]) @ vt[:k]).view(len(X), *shape)
        channel_rest = rest * _channel_shares(residual)
        spectrum = _rest_spectrum(residual, channel_rest, exponent) if exponent > 0 else None
        return mean, factor, channel_rest.sqrt(), spectrum

    @classmethod
    def fit(cls, X, targets, n_classes, rank=16, support=None, rest="white", steps="white"):
        """Fit one probabilistic PCA per class on standardized ``X``.

        ``X`` has shape ``(n, n_channels, n_times)`` (2-D: one channel).
        ``support`` (:func:`~skstim.synthesis.class_support`) sets each row's weight and
        the classes above the floors; ``None`` weighs every row the same and has no
        floors. ``rest="spectrum"`` shapes the rest by the power spectrum of what the
        directions leave (see the class docstring), ``"white"`` keeps it white, and a
        number in [0, 1] goes between them: the spectrum raised to that power.
        ``steps="spectrum"`` also fits ``step_spectra``, each class's power spectrum
        about each window's level (same weights and floors), for the optimizer's steps.
        """
        shape, exponent = _rest_form(X, rest)
        X = X.flatten(1)
        fits = _fit_classes(lambda rows, w, n: cls._fit_one(rows, w, n, rank, shape, exponent),
                            X, targets, n_classes, support)
        means, factors, noise, spectra = zip(*(_empty_fit(X, rank, shape, exponent)
                                               if f is None else f for f in fits))
        return cls(torch.stack(means), torch.stack(factors), torch.stack(noise),
                   torch.stack(spectra) if exponent > 0 else None,
                   _step_spectra(X, targets, n_classes, support, shape, steps))

    def _tensors(self):
        return self.means, self.factors, self.noise_std, self.rest_spectra, self.step_spectra

    def _rest_std(self, targets):
        """The rest's standard deviation at every feature of each target's stimulus."""
        std = self.noise_std[targets]
        std = std[:, None] if std.dim() == 1 else std
        return std.repeat_interleave(self.means.shape[1] // std.shape[1], dim=1)

    def step_scale(self, targets):
        """How far an optimization step moves each channel of each target's stimulus,
        shape ``(len(targets), n_channels, 1)``: the rest's spread in the channel over
        its root mean square over the channels, so that a step keeps each channel's
        scale of detail; ``None`` where every channel's rest is the same (one channel,
        white noise)."""
        if self.noise_std.dim() == 1:
            return None
        std = self.noise_std[targets]
        if bool((std == std[:, :1]).all()):
            return None
        return (std / std.pow(2).mean(dim=1, keepdim=True).sqrt().clamp_min(1e-12))[:, :, None]

    def step_spectrum(self, targets):
        """Each target's class power spectrum per channel, shape ``(len(targets),
        n_channels, n_times // 2 + 1)``, to shape optimization steps by; ``None`` where
        fitted without (``steps="white"``)."""
        return None if self.step_spectra is None else self.step_spectra[targets]

    def to(self, device):
        """This initializer with its tensors on ``device``."""
        return type(self)(*(None if t is None else t.to(device) for t in self._tensors()))

    def draw(self, targets, shape, generator):
        """Samples of shape ``(len(targets), *shape)``, one from each target's class."""
        device = targets.device
        n, rank = len(targets), self.factors.shape[2]
        latent = draw_normal((n, rank, 1), generator, device)
        if self.rest_spectra is None:
            rest = self._rest_std(targets) * draw_normal((n, self.means.shape[1]), generator,
                                                         device)
        else:
            rest = _stationary_noise(self.rest_spectra[targets], shape[-1], generator).flatten(1)
        z = self.means[targets] + (self.factors[targets] @ latent)[:, :, 0] + rest
        return z.view(n, *shape)


def _amplitude_law(deviation, weights, n_people):
    """Relative amplitude of each row and the moments of its log, weighted by person.

    ``deviation`` holds each row's deviation from its class mean; a row's amplitude is
    its root-mean-square relative to the class's (weighted) root-mean-square.
    """
    amplitude = deviation.flatten(1).pow(2).mean(dim=1).sqrt()
    amplitude = amplitude / (weights @ amplitude.pow(2)).sqrt().clamp_min(1e-12)
    log_amplitude = amplitude.clamp_min(1e-3).log()
    return (amplitude.clamp_min(1e-3), weights @ log_amplitude,
            _weighted_std(log_amplitude, weights, n_people))


def _random_amplitude(log_amplitude_std, targets, generator):
    """``exp(sigma * N - sigma^2)``: log-normal amplitudes with a mean square of one."""
    normal = draw_normal(len(targets), generator, targets.device)
    sigma = log_amplitude_std[targets]
    return torch.exp(sigma * normal - sigma.pow(2))


class ClassScaleMixture(ClassGaussian):
    """Start each stimulus from a low-rank Gaussian of its class with a random amplitude.

    Real windows are not equally lively: within a class, some are nearly flat and
    others swing widely, and a single Gaussian gives every draw the same spread. A
    Gaussian scale mixture keeps that: each window's deviation from its class mean
    is divided by its own root-mean-square amplitude (relative to the class), a
    probabilistic PCA is fitted to these normalized deviations, and a log-normal is
    fitted to the amplitudes. A draw is the class mean plus a PCA sample scaled by
    an amplitude drawn from the log-normal, rescaled so that the class's total
    variance is kept. Weights, floors and what the parameters hold are as in
    :class:`ClassGaussian`, with two numbers per class more.

    Parameters
    ----------
    means, factors, noise_std
        As in :class:`ClassGaussian`, for the amplitude-normalized deviations.
    log_amplitude_mean : torch.Tensor of shape (n_classes,)
        Mean of the log relative amplitude in each class.
    log_amplitude_std : torch.Tensor of shape (n_classes,)
        Its standard deviation.
    rest_spectra : torch.Tensor or None
        As in :class:`ClassGaussian`.

    Examples
    --------
    >>> import torch
    >>> X = torch.randn(60, 6) * torch.linspace(0.2, 3, 60)[:, None]
    >>> init = ClassScaleMixture.fit(X, torch.arange(60) % 2, n_classes=2, rank=2)
    >>> bool(init.log_amplitude_std.min() > 0.3)
    True
    >>> init.draw(torch.tensor([0, 1, 1]), (2, 3), torch.Generator().manual_seed(0)).shape
    torch.Size([3, 2, 3])
    """

    def __init__(self, means, factors, noise_std, log_amplitude_mean, log_amplitude_std,
                 rest_spectra=None, step_spectra=None):
        super().__init__(means, factors, noise_std, rest_spectra, step_spectra)
        self.log_amplitude_mean, self.log_amplitude_std = log_amplitude_mean, log_amplitude_std

    @classmethod
    def fit(cls, X, targets, n_classes, rank=16, support=None, rest="white", steps="white"):
        """Fit the amplitude log-normal and the normalized probabilistic PCA of each class
        (``steps`` as in :meth:`ClassGaussian.fit`)."""
        shape, exponent = _rest_form(X, rest)
        X = X.flatten(1)

        def fit_one(rows, weights, n_people):
            mean = weights @ rows
            amplitude, log_mean, log_std = _amplitude_law(rows - mean, weights, n_people)
            scaled = (rows - mean) / amplitude[:, None]
            normalized = mean + scaled - weights @ scaled
            return (*ClassGaussian._fit_one(normalized, weights, n_people, rank, shape,
                                            exponent),
                    log_mean, log_std)

        fits = _fit_classes(fit_one, X, targets, n_classes, support)
        zero = X.new_tensor(0.0)
        empty = (*_empty_fit(X, rank, shape, exponent), zero, zero)
        means, factors, noise, spectra, log_mean, log_std = zip(
            *(empty if f is None else f for f in fits))
        return cls(torch.stack(means), torch.stack(factors), torch.stack(noise),
                   torch.stack(log_mean), torch.stack(log_std),
                   torch.stack(spectra) if exponent > 0 else None,
                   _step_spectra(X, targets, n_classes, support, shape, steps))

    def _tensors(self):
        return (self.means, self.factors, self.noise_std, self.log_amplitude_mean,
                self.log_amplitude_std, self.rest_spectra, self.step_spectra)

    def draw(self, targets, shape, generator):
        """Samples of shape ``(len(targets), *shape)``, one from each target's class."""
        gaussian = super().draw(targets, shape, generator).flatten(1)
        # exp(mu + sigma * N) / sqrt(E[a^2]) = exp(sigma * N - sigma^2): scaled to keep
        # the class's total variance, the amplitude no longer depends on the log mean.
        amplitude = _random_amplitude(self.log_amplitude_std, targets, generator)
        mean = self.means[targets]
        return (mean + amplitude[:, None] * (gaussian - mean)).view(len(targets), *shape)


def log_bands(n_frequencies, n_bands):
    """Widths of ``n_bands`` bands of the frequency bins (0 alone, then log-spaced), or None.

    Examples
    --------
    >>> log_bands(9, 4)
    [1, 1, 2, 5]
    >>> log_bands(9, 20) is None
    True
    """
    if n_bands is None or n_bands >= n_frequencies:
        return None
    if n_bands < 2:
        return [1, n_frequencies - 1] if n_frequencies > 1 else None
    edges = torch.logspace(0, torch.log10(torch.tensor(float(n_frequencies))), n_bands)
    edges = sorted({1, *(int(round(e)) for e in edges.tolist()), n_frequencies})
    return [1] + [b - a for a, b in zip(edges[:-1], edges[1:])]


class ClassSpectrum:
    """Start each stimulus from a stationary Gaussian process with its class's power spectrum.

    Per class and channel: a constant level (the mean over time) and the power
    spectrum of the amplitude-normalized deviations from it, averaged over the class's
    windows with each person weighing the same; per class, the log-normal law of the
    windows' relative amplitudes (as in :class:`ClassScaleMixture`). A draw is white
    noise filtered to the class's spectrum (random phases), times an amplitude drawn
    from the law, plus the levels. It has ``n_channels * (n_times // 2 + 2) + 2``
    numbers per class and no phase: it keeps how a class's signals oscillate, not
    the shape of any window, so no start lies nearer one private window than
    another. A class below the support floors gets the pooled spectrum of all
    classes, or white noise where the pool is below them too.

    Parameters
    ----------
    levels : torch.Tensor of shape (n_classes, n_channels)
        Mean of each channel over time, in the standardized space.
    spectra : torch.Tensor of shape (n_classes, n_channels, n_times // 2 + 1)
        Power spectrum (``|rfft|^2 / n_times``) of each channel.
    log_amplitude_mean, log_amplitude_std : torch.Tensor of shape (n_classes,)
        Moments of the log relative amplitude of each class's windows.

    Examples
    --------
    >>> import torch
    >>> t = torch.arange(64.)
    >>> X = torch.sin(0.5 * t + torch.rand(40, 1, 1) * 6) + 0.1 * torch.randn(40, 1, 64)
    >>> init = ClassSpectrum.fit(X, torch.arange(40) % 2, n_classes=2)
    >>> int(init.spectra[0, 0].argmax())      # the sine's frequency, 0.5 * 64 / (2 pi)
    5
    >>> init.draw(torch.tensor([0, 1, 1]), (1, 64), torch.Generator().manual_seed(0)).shape
    torch.Size([3, 1, 64])
    """

    def __init__(self, levels, spectra, log_amplitude_mean, log_amplitude_std):
        self.levels, self.spectra = levels, spectra
        self.log_amplitude_mean, self.log_amplitude_std = log_amplitude_mean, log_amplitude_std

    @classmethod
    def fit(cls, X, targets, n_classes, rank=None, support=None):
        """Fit each class's levels, spectra and amplitude law on standardized ``X``.

        ``X`` has shape ``(n, n_channels, n_times)`` (2-D: one channel); ``rank``
        (None: every frequency) averages each spectrum within that many bands, evenly
        spaced in log frequency above the zero frequency (which keeps a band of its
        own), so that the start keeps how power falls with frequency but not the peak
        of any one person; ``support`` as in :meth:`ClassGaussian.fit`.
        """
        X = X[:, None, :] if X.dim() == 2 else X
        n_times = X.shape[2]

        def fit_one(rows, weights, n_people):
            level = weights @ rows.mean(dim=2)
            deviation = rows - level[None, :, None]
            amplitude, log_mean, log_std = _amplitude_law(deviation, weights, n_people)
            power = torch.fft.rfft(deviation / amplitude[:, None, None], dim=2).abs().pow(2)
            spectrum = _band_average(torch.einsum("n,ncf->cf", weights, power) / n_times, rank)
            return level, spectrum, log_mean, log_std

        fits = _fit_classes(fit_one, X, targets, n_classes, support)
        zero = X.new_tensor(0.0)
        white = (X.new_zeros(X.shape[1]), X.new_ones(X.shape[1], n_times // 2 + 1), zero, zero)
        return cls(*(torch.stack(p) for p in zip(*(white if f is None else f for f in fits))))

    def step_scale(self, targets):
        """``None``: optimization steps move every channel alike."""
        return None

    def step_spectrum(self, targets):
        """Each target's class spectra, shape ``(len(targets), n_channels, n_times // 2 +
        1)``: the start's own shape, for the optimization steps too."""
        return self.spectra[targets]

    def to(self, device):
        """This initializer with its tensors on ``device``."""
        return ClassSpectrum(self.levels.to(device), self.spectra.to(device),
                             self.log_amplitude_mean.to(device), self.log_amplitude_std.to(device))

    def draw(self, targets, shape, generator):
        """Samples of shape ``(len(targets), *shape)``, one from each target's class."""
        n = len(targets)
        white = draw_normal((n, self.spectra.shape[1], shape[-1]), generator, targets.device)
        filtered = torch.fft.irfft(torch.fft.rfft(white, dim=2) * self.spectra[targets].sqrt(),
                                   n=shape[-1], dim=2)
        amplitude = _random_amplitude(self.log_amplitude_std, targets, generator)
        z = self.levels[targets][:, :, None] + amplitude[:, None, None] * filtered
        return z.reshape(n, *shape)
