"""Where stimuli start: white noise, or noise with the class-conditional spread of the data."""


import torch

__all__ = ["StandardNormal", "ClassGaussian", "ClassScaleMixture"]


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

    def draw(self, targets, shape, generator):
        """Noise of shape ``(len(targets), *shape)`` on the targets' device."""
        return torch.randn((len(targets), *shape), generator=generator, device=targets.device)


class ClassGaussian:
    """Start each stimulus from a low-rank Gaussian fitted to the real samples of its class.

    The class-conditional mean plus the leading principal directions of the class,
    with isotropic noise for the rest (probabilistic PCA): noise that already has the
    class's average shape and its main modes of variation.

    It is not anonymous where a class has few rows. A class of ``n`` rows has at most
    ``n - 1`` directions of variation: with ``n <= rank + 1`` the mean and the kept
    directions span the class's rows, the isotropic rest is near zero (about 3e-8 for
    40 rows of 300 features at rank 64), and every start is a linear combination of
    those private rows; a class of one row has that row as its mean (held in
    ``means``) and every start is the row plus unit noise. Use ``init="noise"`` where
    a class has few rows or people.

    Parameters
    ----------
    means : torch.Tensor of shape (n_classes, n_features)
        Class means, in the standardized space.
    factors : torch.Tensor of shape (n_classes, n_features, rank)
        Principal directions scaled by their standard deviation.
    noise_std : torch.Tensor of shape (n_classes,)
        Standard deviation of the isotropic rest.

    Examples
    --------
    >>> import torch
    >>> X = torch.randn(50, 6)
    >>> init = ClassGaussian.fit(X, torch.arange(50) % 2, n_classes=2, rank=2)
    >>> init.draw(torch.tensor([0, 1, 1]), (2, 3), torch.Generator().manual_seed(0)).shape
    torch.Size([3, 2, 3])
    """

    def __init__(self, means, factors, noise_std):
        self.means, self.factors, self.noise_std = means, factors, noise_std

    @classmethod
    def fit(cls, X, targets, n_classes, rank=16):
        """Fit one probabilistic PCA per class on standardized, flat ``X``."""
        n_features = X.shape[1]
        means, factors, noise = [], [], []
        for c in range(n_classes):
            Xc = X[targets == c]
            mean = Xc.mean(dim=0) if len(Xc) else X.new_zeros(n_features)
            centered = Xc - mean
            k = min(rank, max(len(Xc) - 1, 0), n_features)
            if k > 0:
                _, s, vt = torch.linalg.svd(centered, full_matrices=False)
                eigen = s.pow(2) / (len(Xc) - 1)
                rest = eigen[k:].sum() / max(n_features - k, 1)
                factor = vt[:k].T * (eigen[:k] - rest).clamp(min=0).sqrt()
            else:
                rest, factor = X.new_tensor(1.0), X.new_zeros(n_features, 0)
            padded = X.new_zeros(n_features, rank)
            padded[:, :factor.shape[1]] = factor
            means.append(mean)
            factors.append(padded)
            noise.append(rest.sqrt())
        return cls(torch.stack(means), torch.stack(factors), torch.stack(noise))

    def to(self, device):
        """This initializer with its tensors on ``device``."""
        return ClassGaussian(self.means.to(device), self.factors.to(device), self.noise_std.to(device))

    def draw(self, targets, shape, generator):
        """Samples of shape ``(len(targets), *shape)``, one from each target's class."""
        device = targets.device
        n, rank = len(targets), self.factors.shape[2]
        latent = torch.randn((n, rank, 1), generator=generator, device=device)
        white = torch.randn((n, self.means.shape[1]), generator=generator, device=device)
        z = self.means[targets] + (self.factors[targets] @ latent)[:, :, 0] + \
            self.noise_std[targets][:, None] * white
        return z.view(n, *shape)


class ClassScaleMixture(ClassGaussian):
    """Start each stimulus from a low-rank Gaussian of its class with a random amplitude.

    Real windows are not equally lively: within a class, some are nearly flat and
    others swing widely, and a single Gaussian gives every draw the same spread. A
    Gaussian scale mixture keeps that: each window's deviation from its class mean
    is divided by its own root-mean-square amplitude (relative to the class), a
    probabilistic PCA is fitted to these normalized deviations, and a log-normal is
    fitted to the amplitudes. A draw is the class mean plus a PCA sample scaled by
    an amplitude drawn from the log-normal, rescaled so that the class's total
    variance is kept. Every parameter is a class aggregate, two numbers per class
    beyond :class:`ClassGaussian`'s, and holds as much of the private rows as
    :class:`ClassGaussian`'s do where a class has few rows (see there).

    Parameters
    ----------
    means, factors, noise_std
        As in :class:`ClassGaussian`, for the amplitude-normalized deviations.
    log_amplitude_mean : torch.Tensor of shape (n_classes,)
        Mean of the log relative amplitude in each class.
    log_amplitude_std : torch.Tensor of shape (n_classes,)
        Its standard deviation.

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

    def __init__(self, means, factors, noise_std, log_amplitude_mean, log_amplitude_std):
        super().__init__(means, factors, noise_std)
        self.log_amplitude_mean, self.log_amplitude_std = log_amplitude_mean, log_amplitude_std

    @classmethod
    def fit(cls, X, targets, n_classes, rank=16):
        """Fit the amplitude log-normal and the normalized probabilistic PCA of each class."""
        normalized = X.clone()
        log_mean, log_std = X.new_zeros(n_classes), X.new_zeros(n_classes)
        for c in range(n_classes):
            members = targets == c
            if not members.any():
                continue
            deviation = X[members] - X[members].mean(dim=0)
            amplitude = deviation.pow(2).mean(dim=1).sqrt()
            amplitude = amplitude / amplitude.pow(2).mean().sqrt().clamp_min(1e-12)
            log_amplitude = amplitude.clamp_min(1e-3).log()
            log_mean[c] = log_amplitude.mean()
            log_std[c] = log_amplitude.std() if len(log_amplitude) > 1 else 0.0
            scaled = deviation / amplitude.clamp_min(1e-3)[:, None]
            normalized[members] = X[members].mean(dim=0) + scaled - scaled.mean(dim=0)
        gaussian = ClassGaussian.fit(normalized, targets, n_classes, rank=rank)
        return cls(gaussian.means, gaussian.factors, gaussian.noise_std, log_mean, log_std)

    def to(self, device):
        """This initializer with its tensors on ``device``."""
        return ClassScaleMixture(self.means.to(device), self.factors.to(device),
                                 self.noise_std.to(device), self.log_amplitude_mean.to(device),
                                 self.log_amplitude_std.to(device))

    def draw(self, targets, shape, generator):
        """Samples of shape ``(len(targets), *shape)``, one from each target's class."""
        gaussian = super().draw(targets, shape, generator).flatten(1)
        normal = torch.randn(len(targets), generator=generator, device=targets.device)
        sigma = self.log_amplitude_std[targets]
        # exp(mu + sigma * N) / sqrt(E[a^2]) = exp(sigma * N - sigma^2): scaled to keep
        # the class's total variance, the amplitude no longer depends on the log mean.
        amplitude = torch.exp(sigma * normal - sigma.pow(2))
        mean = self.means[targets]
        return (mean + amplitude[:, None] * (gaussian - mean)).view(len(targets), *shape)
