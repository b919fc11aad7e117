"""The synthesizer's uses of the private data, each by a DP mechanism, under one budget."""

import math

import numpy as np
import torch

from ..synthesis import ClassSpectrum, channels_by_time, log_bands, run_with_hooks
from ..utils import Standardize, normalization_layers
from ._accounting import GaussianMechanism, noise_for_epsilon
from ._aggregates import PrivateReleases

__all__ = ["AGGREGATE_SHARE", "PrivateAggregates", "RELEASE_WEIGHTS", "aggregate_names",
           "aggregate_noise", "sgd_noise"]

#: Share of epsilon the aggregates spend alone (the rest, composed, goes to DP-SGD).
AGGREGATE_SHARE = 0.2
#: Weight of a release in the aggregates' share (1 where not listed): its noise is the
#: others' over the square root of it. The class activation statistics are many small
#: per-channel means, and the prior that reads them is what a student of the teacher's
#: architecture learns from; the standardization and the class prior are a few numbers
#: over every unit, precise at much more noise.
RELEASE_WEIGHTS = {"class activation statistics": 8.0}
#: Clipping bounds in the standardized space: a window's level per channel (in standard
#: deviations of the channel) and the log of its root-mean-square amplitude. Tight bounds
#: keep the signal large against the noise, which is scaled to them; a window beyond
#: them is clipped (its share of a mean shrinks towards the bound).
LEVEL_BOUND, LOG_AMPLITUDE_BOUND = 2.0, 2.0

STANDARDIZATION = ("standardization range", "standardization centre",
                   "standardization spread range", "standardization spread")


def aggregate_names(start, activation_statistics):
    """Names of the aggregate releases a private fit makes, in order."""
    names = [*STANDARDIZATION, "class prior"]
    if start:
        names.append("class spectrum start")
    if activation_statistics:
        names += ["activation range", "class activation statistics"]
    return names


def aggregate_noise(epsilon, delta, aggregates):
    """The noise multiplier of each aggregate release, by name: together they spend
    ``AGGREGATE_SHARE * epsilon`` (bisection on Opacus's RDP accountant), each in
    proportion to its weight in ``RELEASE_WEIGHTS``.

    Examples
    --------
    >>> noise = aggregate_noise(8.0, 1e-5, aggregate_names(True, True))
    >>> round(noise["class prior"], 2), round(noise["class activation statistics"], 2)
    (10.2, 3.6)
    """
    releases = [GaussianMechanism(name, 1.0) for name in aggregates]
    weights = [RELEASE_WEIGHTS.get(name, 1.0) for name in aggregates]
    sigma = noise_for_epsilon(AGGREGATE_SHARE * epsilon, delta, releases, weights=weights)
    return {name: sigma / math.sqrt(w) for name, w in zip(aggregates, weights)}


def sgd_noise(epsilon, delta, aggregates, noise, sgd):
    """The noise multiplier of DP-SGD (``sgd``, a planned mechanism) that, composed with
    the ``aggregates`` at their ``noise`` (name -> noise multiplier), spends the rest of
    ``(epsilon, delta)``.

    Examples
    --------
    >>> names = aggregate_names(True, True)
    >>> sgd = GaussianMechanism("teacher DP-SGD", 1.0, sample_rate=0.005, steps=4000)
    >>> 0 < sgd_noise(8.0, 1e-5, names, aggregate_noise(8.0, 1e-5, names), sgd) < 2
    True
    """
    fixed = [GaussianMechanism(name, noise[name]) for name in aggregates]
    return noise_for_epsilon(epsilon, delta, [sgd], fixed=fixed)


def _row_spread(values):
    """Each row's root mean square over its last axes."""
    return values.flatten(1).pow(2).mean(dim=1).sqrt()


class PrivateAggregates:
    """The data aggregates of :class:`~skstim.StimulusSynthesizer`, each released privately.

    Parameters
    ----------
    units : array-like of shape (n_rows,)
        Privacy unit of each row.
    noise_multiplier : float or dict
        Noise multiplier of every release, or of each by name (see
        :func:`aggregate_noise`).
    account : PrivacyAccount
        Where each release is recorded.
    generator : torch.Generator
        Source of the noise.
    min_units : int
        Fewest units (noisy count) behind a class-specific aggregate; below, the pool
        of all classes, and below that, nothing from the data.
    """

    def __init__(self, units, noise_multiplier, account, generator, min_units):
        self.releases = PrivateReleases(units, noise_multiplier, account, generator)
        self.min_units = min_units

    # ----------------------------------------------------------- standardization
    def standardization(self, channels):
        """Per-channel centre and scale of ``channels`` (n, C, T), as ``(C, 1)`` arrays."""
        X = torch.as_tensor(channels).float()
        n_channels = X.shape[1]
        one_cell = torch.zeros(len(X), dtype=torch.long)
        levels = X.mean(dim=2)
        level_range = self.releases.magnitude(levels, name=STANDARDIZATION[0])
        (centre,), _ = self.releases.cell_means(
            [(levels / level_range, math.sqrt(n_channels))], one_cell, 1,
            name=STANDARDIZATION[1], pooled=False)
        loc = torch.nan_to_num(centre[0] * level_range)
        spread = (X - loc[None, :, None]).pow(2).mean(dim=2)
        spread_range = self.releases.magnitude(spread.sqrt(), name=STANDARDIZATION[2]).pow(2)
        (variance,), _ = self.releases.cell_means(
            [(spread / spread_range, math.sqrt(n_channels))], one_cell, 1,
            name=STANDARDIZATION[3], pooled=False)
        variance = variance[0] * spread_range
        scale = torch.where(variance > 0, variance.clamp_min(0).sqrt(), torch.ones_like(variance))
        return loc.numpy()[:, None].astype(np.float32), scale.numpy()[:, None].astype(np.float32)

    # -------------------------------------------------------------- class prior
    def class_prior(self, targets, n_classes):
        """Each class's share of the units' windows (a person's shares weigh as one unit),
        and the noisy number of units (released together)."""
        targets = torch.as_tensor(targets).long()
        onehot = torch.nn.functional.one_hot(targets, n_classes).float()
        (shares,), counts = self.releases.cell_means(
            [(onehot, 1.0)], torch.zeros_like(targets), 1, name="class prior", pooled=False)
        prior = torch.nan_to_num(shares[0]).clamp_min(0).numpy()
        prior = prior / prior.sum() if prior.sum() > 0 else np.full(n_classes, 1 / n_classes)
        return prior, float(counts[0])

    def _sources(self, counts, n_classes):
        """For each class, the row of a cell release it takes: its own, the pool's, or None."""
        pool = counts[n_classes] >= self.min_units
        return [c if counts[c] >= self.min_units else (n_classes if pool else None)
                for c in range(n_classes)]

    # -------------------------------------------------------------------- start
    def spectrum_start(self, z, targets, n_classes, n_bands):
        """A :class:`~skstim.synthesis.ClassSpectrum` start of standardized rows ``z``.

        Per row: its level per channel and the square of it (clipped to
        ``LEVEL_BOUND`` per channel), the log of its amplitude (root mean square about
        its level, clipped to ``LOG_AMPLITUDE_BOUND``) and its square, and its power
        in ``n_bands`` log-spaced bands per channel as shares of its total (a vector
        of norm at most 1). A class's mean square amplitude is that of the log-normal
        law the start draws amplitudes from, ``exp(2 mu + 2 sigma^2)``; the spread of
        the windows' levels about the class's goes into the zero frequency, as in
        :class:`~skstim.synthesis.ClassSpectrum` (a start's level varies from one
        stimulus to the next as the windows' levels do).
        """
        z = torch.as_tensor(z).float()
        n, n_channels, n_times = z.shape
        targets = torch.as_tensor(targets).long()
        level = z.mean(dim=2)
        deviation = z - level[:, :, None]
        amplitude = _row_spread(deviation).clamp_min(1e-6)
        log_amplitude = amplitude.log().clamp(-LOG_AMPLITUDE_BOUND, LOG_AMPLITUDE_BOUND)
        power, counts = _power(deviation / amplitude[:, None, None])
        bands = log_bands(n_times // 2 + 1, n_bands) or [1] * (n_times // 2 + 1)
        band_power = torch.stack([part.sum(dim=2) for part in power.split(bands, dim=2)], dim=2)
        band_share = band_power / band_power.sum(dim=(1, 2), keepdim=True).clamp_min(1e-12)
        log_moments = torch.stack([log_amplitude, log_amplitude.pow(2)], dim=1)
        blocks = [(level, LEVEL_BOUND * math.sqrt(n_channels)),
                  (level.pow(2), LEVEL_BOUND ** 2 * math.sqrt(n_channels)),
                  (log_moments, LOG_AMPLITUDE_BOUND * math.hypot(1, LOG_AMPLITUDE_BOUND)),
                  (band_share.flatten(1), 1.0)]
        means, unit_counts = self.releases.cell_means(blocks, targets, n_classes,
                                                      name="class spectrum start")
        levels, spectra, log_means, log_stds = [], [], [], []
        widths = torch.tensor([counts[start:start + b].sum() for start, b in
                               zip(np.cumsum([0, *bands[:-1]]), bands)])
        for source in self._sources(unit_counts, n_classes):
            if source is None:
                levels.append(torch.zeros(n_channels))
                spectra.append(torch.ones(n_channels, n_times // 2 + 1))
                log_means.append(torch.tensor(0.0))
                log_stds.append(torch.tensor(0.0))
                continue
            level_c, level_square_c, (log_c, log_square_c), share_c = (m[source] for m in means)
            log_variance = (log_square_c - log_c.pow(2)).clamp_min(0)
            square = torch.exp(2 * log_c + 2 * log_variance)
            # Parseval: the spectrum (|rfft|^2 / T) of a class's deviations, rescaled to the
            # class's mean square, sums over the full spectrum's bins to C * T * rms^2
            total = n_channels * n_times * square
            per_bin = share_c.view(n_channels, -1).clamp_min(0) * total / widths
            spectrum = torch.repeat_interleave(per_bin, torch.tensor(bands), dim=1)
            # white noise's zero frequency draws a level of variance spectrum[:, 0] / T
            spectrum[:, 0] = n_times * (level_square_c - level_c.pow(2)).clamp_min(0)
            spectra.append(spectrum)
            levels.append(level_c)
            log_means.append(log_c - 0.5 * square.log())
            log_stds.append(log_variance.sqrt())
        return ClassSpectrum(torch.stack(levels), torch.stack(spectra), torch.stack(log_means),
                             torch.stack(log_stds))

    # ------------------------------------------------------ activation statistics
    def activation_statistics(self, model, X, targets, n_classes, batch_size):
        """Per-class mean and variance of every normalization layer's input, as
        :func:`~skstim.synthesis.class_activation_statistics` gives them (one segment).

        A first release bounds each layer's activation size (the range search of
        :meth:`PrivateReleases.magnitude` on each row's root mean square at the
        layer); each row's per-channel means and mean squares are clipped to it. A
        :class:`~skstim.nets.Standardize` layer is read at its output (standardized by
        the released centre and scale, so that a channel far from zero, such as SpO2
        near 95, loses no precision) and its statistics mapped back to its input.
        """
        layers = normalization_layers(model)
        features = [[] for _ in layers]

        def make_hook(index):
            def hook(module, inputs, output):
                x = channels_by_time(output if isinstance(module, Standardize) else inputs[0])
                features[index].append(torch.stack([x.mean(dim=2), x.pow(2).mean(dim=2)]))
            return hook

        run_with_hooks(model, X, batch_size, [make_hook(i) for i in range(len(layers))])
        features = [torch.cat(f, dim=1).float().cpu() for f in features]  # (2, n, C)
        sizes = torch.stack([f[1].mean(dim=1).sqrt() for f in features], dim=1)
        size_bound = self.releases.magnitude(sizes, name="activation range")
        blocks = []
        for f, bound in zip(features, size_bound.tolist()):
            root = math.sqrt(f.shape[2])
            blocks += [(f[0], bound * root), (f[1], bound ** 2 * root)]
        means, counts = self.releases.cell_means(blocks, torch.as_tensor(targets).long().cpu(),
                                                 n_classes, name="class activation statistics")
        statistics = []
        sources = self._sources(counts, n_classes)
        for index, layer in enumerate(layers):
            first, second = means[2 * index], means[2 * index + 1]
            variance = (second - first.pow(2)).clamp_min(0)
            if isinstance(layer, Standardize):
                scale = layer.scale.cpu()
                first, variance = layer.loc.cpu() + scale * first, scale.pow(2) * variance
            rows = [torch.full_like(first[0], float("nan")) if s is None else first[s]
                    for s in sources]
            var_rows = [torch.full_like(first[0], float("nan")) if s is None else variance[s]
                        for s in sources]
            statistics.append((torch.stack(rows).to(X.device), torch.stack(var_rows).to(X.device)))
        return statistics


def _power(rows):
    """``|rfft|^2`` of ``rows`` (n, C, T) and each bin's count in the full spectrum."""
    n_times = rows.shape[2]
    power = torch.fft.rfft(rows, dim=2).abs().pow(2)
    counts = torch.full((n_times // 2 + 1,), 2.0)
    counts[0] = 1.0
    if n_times % 2 == 0:
        counts[-1] = 1.0
    return power * counts, counts
