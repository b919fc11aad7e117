"""Aggregates of private rows by the Gaussian mechanism: one bounded contribution per unit.

Every aggregate here is a sum over units (windows, or people) of a contribution
whose L2 norm is bounded by clipping, released with Gaussian noise scaled to that
bound (the Gaussian mechanism, Dwork & Roth 2014, sec. A), and recorded in a
:class:`~skstim.dp.PrivacyAccount`. A person's contribution is the mean over their
windows, so each person weighs the same, as in the synthesizer's non-private
aggregates.
"""

import math

import numpy as np
import torch

from ._accounting import GaussianMechanism

__all__ = ["PrivateReleases", "clip_rows"]

#: Magnitudes ``2**k``, ``k`` in [-LOG2_RANGE, LOG2_RANGE), that a range search tells apart.
LOG2_RANGE = 30


def clip_rows(values, bound):
    """Rows of ``values`` scaled down to an L2 norm of at most ``bound``, then divided by it.

    Examples
    --------
    >>> import torch
    >>> clip_rows(torch.tensor([[3.0, 4.0], [0.3, 0.4]]), 1.0).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.30000001192092896, 0.4000000059604645]]
    """
    norms = values.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return values * (bound / norms).clamp(max=1.0) / bound


class PrivateReleases:
    """Gaussian releases of per-unit sums, all at one noise multiplier, recorded in an account.

    Parameters
    ----------
    units : array-like of shape (n_rows,)
        The privacy unit of each row (a window index, or a person).
    noise_multiplier : float or dict
        Noise standard deviation over each release's L2 sensitivity: one for all, or
        one per release name.
    account : PrivacyAccount
        Where each release is recorded.
    generator : torch.Generator
        Source of the noise.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skstim.dp import PrivacyAccount
    >>> releases = PrivateReleases(np.arange(1000), 2.0, PrivacyAccount(1e-5, "window"),
    ...                            torch.Generator().manual_seed(0))
    >>> values = torch.full((1000, 1), 3.0)
    >>> means, counts = releases.cell_means([(values, 10.0)], torch.zeros(1000, dtype=torch.long),
    ...                                     1, name="level")
    >>> round(float(means[0][0, 0]), 1), round(float(counts[0]))   # 3 and 1000, noised
    (3.0, 999)
    """

    def __init__(self, units, noise_multiplier, account, generator):
        _, self.unit_index = np.unique(np.asarray(units), return_inverse=True)
        self.n_units = int(self.unit_index.max()) + 1 if len(self.unit_index) else 0
        self.rows_are_units = self.n_units == len(self.unit_index)
        self.noise_multiplier = noise_multiplier
        self.account, self.generator = account, generator

    def _noise(self, name):
        """The noise multiplier of the release ``name``."""
        if isinstance(self.noise_multiplier, dict):
            return float(self.noise_multiplier[name])
        return float(self.noise_multiplier)

    def _release(self, total, sensitivity, name):
        """``total`` plus Gaussian noise of standard deviation
        ``noise_multiplier * sensitivity``."""
        noise = torch.randn(total.shape, generator=self.generator, dtype=total.dtype)
        self.account.add(GaussianMechanism(name, self._noise(name)))
        return total + noise.to(total.device) * self._noise(name) * sensitivity

    def _unit_cell_sums(self, rows, cells, n_cells):
        """Sum over units of each unit's mean row in each cell: shape ``(n_cells, d)``,
        and the units present in each cell (unnoised)."""
        unit = torch.as_tensor(self.unit_index, device=rows.device)
        key = unit * n_cells + cells
        n_keys = self.n_units * n_cells
        counts = torch.bincount(key, minlength=n_keys).to(rows.dtype)
        sums = rows.new_zeros((n_keys, rows.shape[1])).index_add_(0, key, rows)
        means = sums / counts.clamp_min(1)[:, None]
        return means.view(self.n_units, n_cells, -1).sum(dim=0), \
            (counts.view(self.n_units, n_cells) > 0).sum(dim=0).to(rows.dtype)

    def cell_means(self, blocks, cells, n_cells, *, name, pooled=True):
        """Private per-cell means of bounded row blocks, each unit weighing the same.

        Each row's block ``k`` is clipped to the L2 norm ``bound_k``; a unit's
        contribution to a cell (a class) is the mean of its rows there, with a count of
        one. The sums over units and the counts are released in one Gaussian
        mechanism; each released mean is projected onto the ball of its bound (the
        mean of rows within it lies there), so that a small noisy count cannot blow it
        up. With ``pooled``, a last cell, the pool of all, is the sum of the released
        cells of positive noisy count (post-processing, at no cost to the budget): per
        window its mean is that of all the units; per person, of the (person, cell)
        pairs, and its count is the largest cell's (at least that many people are
        behind it).

        Parameters
        ----------
        blocks : list of (torch.Tensor of shape (n_rows, d_k), float)
            Row values and their L2 bound.
        cells : torch.Tensor of int, shape (n_rows,)
            Cell (class) of each row, in ``[0, n_cells)``.
        n_cells : int
            Number of cells, the pool not counted.
        name : str
            Name of the release in the account.
        pooled : bool, default=True
            Release the pool of all rows as cell ``n_cells`` too.

        Returns
        -------
        means : list of torch.Tensor of shape (n_cells [+ 1], d_k)
            Per-cell mean of each block (NaN where the noisy count is not positive).
        counts : torch.Tensor of shape (n_cells [+ 1],)
            Noisy count of units in each cell.
        """
        scaled = [clip_rows(values.flatten(1).float(), bound) for values, bound in blocks]
        rows = torch.cat([*scaled, scaled[0].new_ones((len(scaled[0]), 1))], dim=1)
        cells = torch.as_tensor(cells, device=rows.device).long()
        sums, _ = self._unit_cell_sums(rows, cells, n_cells)
        cells_per_unit = 1 if self.rows_are_units else n_cells
        # each block's scaled rows and the count have norm <= 1 in each cell of a unit
        sensitivity = math.sqrt((len(blocks) + 1) * cells_per_unit)
        noisy = self._release(sums, sensitivity, name)
        if pooled:  # of the cells whose noisy count is positive
            noisy = torch.cat([noisy, noisy[noisy[:, -1] > 0].sum(dim=0, keepdim=True)])
        positive = noisy[:, -1] > 0
        counts = noisy[:, -1].clone()
        if pooled and not self.rows_are_units:
            counts[-1] = noisy[:-1, -1].max()
        means, start = [], 0
        for (values, bound), part in zip(blocks, scaled):
            width = part.shape[1]
            mean = noisy[:, start:start + width] * bound / noisy[:, -1:].clamp_min(1e-12)
            # a mean of rows of norm <= bound has norm <= bound: the noisy one is projected
            mean = clip_rows(mean, bound) * bound
            means.append(torch.where(positive[:, None], mean, torch.full_like(mean, float("nan"))))
            start += width
        return means, counts

    def magnitude(self, values, *, name, threshold=4.0):
        """A private upper bound on the magnitude of each column of per-unit ``values``.

        Each unit puts one count per column in the bucket ``[2**k, 2**(k+1))`` of its
        mean absolute value (a unit's mean over its rows); the noisy histogram's
        highest bucket whose count passes ``threshold`` noise standard deviations
        gives the bound ``2**(k+1)`` (1.0 where none does). The range search of
        differentially private means (e.g. Google's differential-privacy library's
        approximate bounds).

        Parameters
        ----------
        values : torch.Tensor of shape (n_rows, n_columns)
            Row values.
        name : str
            Name of the release in the account.
        threshold : float, default=4.0
            Noise standard deviations a bucket's count must pass.

        Returns
        -------
        bounds : torch.Tensor of shape (n_columns,)
        """
        values = values.float()
        unit = torch.as_tensor(self.unit_index, device=values.device)
        per_unit = values.new_zeros((self.n_units, values.shape[1])).index_add_(0, unit, values)
        per_unit = per_unit / torch.bincount(unit, minlength=self.n_units).clamp_min(1)[:, None]
        bucket = torch.floor(torch.log2(per_unit.abs().clamp_min(2.0 ** -LOG2_RANGE)))
        bucket = (bucket.clamp(-LOG2_RANGE, LOG2_RANGE - 1) + LOG2_RANGE).long()
        n_buckets = 2 * LOG2_RANGE
        histogram = torch.zeros((values.shape[1], n_buckets), dtype=values.dtype,
                                device=values.device)
        for column in range(values.shape[1]):
            histogram[column] = torch.bincount(bucket[:, column], minlength=n_buckets)
        sensitivity = math.sqrt(values.shape[1])  # one count per column of each unit
        noisy = self._release(histogram, sensitivity, name)
        passing = noisy > threshold * self._noise(name) * sensitivity
        top = torch.where(passing, torch.arange(n_buckets, device=values.device), -1).max(dim=1)
        exponent = top.values.to(values.dtype) - LOG2_RANGE + 1
        return torch.where(top.values >= 0, 2.0 ** exponent, torch.ones_like(exponent))
